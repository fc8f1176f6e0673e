//! iCal and schedule-event CSV: CLI cases as data, the conformance corpus, conversion.
mod cases;
mod conformance;
mod convert;
mod spill;
pub mod util;
