//! XML bulk uploads (`<mrss><channel><item>`): the XSD-derived element model, the streaming
//! reader, and the writer that emits items in the order Kaltura's schema accepts.
mod builder;
pub mod codes;
pub mod reader;
pub mod schema;
mod tokens;
pub mod track;
pub mod writer;
