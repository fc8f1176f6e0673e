//! Integration tests: one binary, a module per area. CLI cases live as data files beside them.
mod cli;
mod common;
mod dropfolder;
mod ical;
mod layers;
mod parity;
mod props;
mod resource;
mod sandbox;
mod submit;
mod table;
mod xml;
