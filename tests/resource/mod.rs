//! Schedule-resource CSVs: every check as a data case, conversion round trips, hostile input.
pub mod cases;
mod convert;
mod hostile;
mod spill;
