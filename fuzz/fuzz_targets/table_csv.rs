//! The category, user, category-user and category-entry CSV readers and their rules on arbitrary
//! bytes (the first byte picks the kind); never a panic.
#![no_main]
use kbulk::formats::Format;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let format = match pick % 4 {
        0 => Format::CategoryCsv,
        1 => Format::UserCsv,
        2 => Format::CategoryUserCsv,
        _ => Format::CategoryEntryCsv,
    };
    let _ = kbulk_fuzz::read(format, rest, &kbulk_fuzz::opts());
});
