//! Rules, one small function per rule, grouped by record kind; each emits diagnostics with a
//! stable code. The driver (`crate::pipeline`) runs them through [`rules::Rules`]: per-record
//! rules in parallel on each chunk, file-level rules once per file in order.
pub mod app;
pub mod category;
pub mod category_user;
pub mod entry;
pub mod event;
pub mod index;
mod repeats;
pub mod resource;
pub mod rules;
pub mod spill;
pub mod table;
pub mod user;
