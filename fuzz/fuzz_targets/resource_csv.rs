//! `kbulk check --format-in resource_csv` on arbitrary bytes: the reader and every rule; never a panic.
#![no_main]
use kbulk::formats::Format;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = kbulk_fuzz::read(Format::ResourceCsv, data, &kbulk_fuzz::opts());
});
