//! Rules, one small function per rule, grouped by record kind; each emits diagnostics with a
//! stable code. Per-record rules run inside the readers' parallel step; file-level rules run
//! once per file in order.
pub mod app;
pub mod category;
pub mod category_user;
pub mod entry;
pub mod event;
pub mod index;
mod repeats;
pub mod resource;
pub mod spill;
pub mod table;
pub mod user;
