//! Integration tests of XML bulk uploads, entry CSVs and their conversions.
mod xml;
