//! `kbulk check --format-in mrss_xml` on arbitrary bytes: the reader and every rule; never a panic.
#![no_main]
use kbulk::formats::Format;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = kbulk_fuzz::read(Format::MrssXml, data, &kbulk_fuzz::opts());
});
