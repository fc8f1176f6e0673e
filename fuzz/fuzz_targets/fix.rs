//! `kbulk fix` on arbitrary bytes: the rewrites never panic, a second run changes nothing, and
//! the fixed file reads as its detected format.
#![no_main]
use std::sync::Arc;

use kbulk::dropfolder::fix::fix;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let file: Arc<str> = Arc::from("fuzz");
    let once = fix(data, &file);
    let twice = fix(&once.bytes, &file);
    assert!(
        twice.bytes == once.bytes,
        "fix is idempotent: {:?}",
        twice
            .repairs
            .iter()
            .map(|d| d.code.name)
            .collect::<Vec<_>>()
    );
    if let Some(format) = kbulk_fuzz::detect_format(&once.bytes) {
        let _ = kbulk_fuzz::read(format, &once.bytes, &kbulk_fuzz::opts());
    }
});
