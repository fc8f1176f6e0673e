//! Diagnostic codes about record content, per kind: found by the checks and, where the
//! problem shows while a reader maps a row (a CSV-only quirk, a placeholder), by the reader.
pub mod app;
pub mod category;
pub mod category_user;
pub mod entry;
pub mod event;
pub mod resource;
pub mod user;
