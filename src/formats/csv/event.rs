//! Event CSV reader (placeholder).
use std::io::{self, Read};
use std::sync::Arc;
use crate::diag::Diagnostic;
use crate::formats::{ReadOptions, Sink};
/// Reads.
pub fn read(
    _input: impl Read,
    _offset: u64,
    _file: &Arc<str>,
    _opts: &ReadOptions,
    _sink: &mut dyn Sink,
    _diags: &mut Vec<Diagnostic>,
) -> io::Result<u64> {
    Ok(0)
}
