//! Writes .ics files (placeholder).
/// The .ics dialects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// Kaltura's reader.
    Kaltura,
    /// RFC 5545.
    Rfc5545,
}
/// Writer.
pub struct IcsWriter;
