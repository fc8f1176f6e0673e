//! Integration tests of the sandbox server (one binary, a module per area).
mod sandbox;
