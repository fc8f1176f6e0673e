//! `kbulk convert` on arbitrary bytes: detect, read, write every target the records' kind has,
//! read the output back. JSON Lines is lossless, so its records come back equal.
#![no_main]
use kbulk::formats::Format;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some(format) = kbulk_fuzz::detect_format(data) else {
        return;
    };
    let opts = kbulk_fuzz::opts();
    let (records, _) = kbulk_fuzz::read(format, data, &opts);
    let Some(first) = records.first() else {
        return;
    };
    for (target, back) in kbulk_fuzz::targets(first.data.kind()) {
        let (bytes, _) = kbulk_fuzz::write(&records, target);
        let (again, _) = kbulk_fuzz::read(back, &bytes, &opts);
        if back == Format::JsonLines {
            assert_eq!(records.len(), again.len(), "JSON Lines keeps every record");
            for (a, b) in records.iter().zip(&again) {
                assert_eq!(a.data, b.data, "JSON Lines keeps every field");
            }
        }
    }
});
