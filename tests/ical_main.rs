//! Integration tests for iCal files and schedule-event CSVs (one binary, a module per area).
mod ical;
