//! Property tests (proptest): records → each writer → its reader gives the same records, or the
//! writer reports what it could not carry; and the fuzzers' crashers as regression tests.
mod fuzzed;
mod roundtrip;
