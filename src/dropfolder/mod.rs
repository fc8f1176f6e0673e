//! Drop-folder preprocessing: repair (`fix`), split over `--max-records` and atomic handover of
//! the files that arrive in a watched folder.
pub mod codes;
pub mod fix;
pub mod ical;
pub mod media;
pub mod requote;
pub mod run;
pub mod split;
pub mod state;
