//! kbulk: read, check, convert and submit Kaltura bulk files.
//!
//! The library never prints; the `kbulk` binary owns output and exit codes.
#![warn(missing_docs, clippy::print_stdout, clippy::print_stderr)]

pub mod bulkmodel;
pub mod check;
pub mod codes;
pub mod convert;
pub mod diag;
pub mod dropfolder;
pub mod formats;
pub mod record;
pub mod sandbox;
pub mod schema;
pub mod source;
pub mod stream;
pub mod submit;
