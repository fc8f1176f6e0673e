//! `kbulk check --format-in ical` on arbitrary bytes: the reader and every rule; never a panic.
#![no_main]
use kbulk::formats::Format;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = kbulk_fuzz::read(Format::Ical, data, &kbulk_fuzz::opts());
});
