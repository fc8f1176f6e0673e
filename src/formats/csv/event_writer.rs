//! Event CSV writer.
