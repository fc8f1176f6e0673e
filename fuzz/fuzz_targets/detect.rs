//! `kbulk check` on arbitrary bytes: format detection, then the detected reader.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Some(format) = kbulk_fuzz::detect_format(data) {
        let _ = kbulk_fuzz::read(format, data, &kbulk_fuzz::opts());
    }
});
