//! Schedule-resource CSVs: every check as a data case, conversion round trips, hostile input.
mod cases;
mod convert;
mod hostile;
mod spill;
