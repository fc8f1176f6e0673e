//! The table of every diagnostic code (`kbulk explain`): one list over the code tables that
//! live with the formats (`csv::`, `ical::`, `xml::`) and with the record kinds.
use crate::diag::Code;

/// Every diagnostic code kbulk can emit, grouped by area in a stable order.
pub fn all_codes() -> Vec<&'static Code> {
    let mut all = Vec::new();
    for table in [
        crate::formats::codes::ALL,
        crate::formats::csv::codes::ALL,
        crate::record::codes::resource::ALL,
        crate::formats::xml::codes::ALL,
        crate::record::codes::entry::ALL,
        crate::record::codes::event::ALL,
        crate::formats::ics::codes::ALL,
        crate::formats::csv::event_codes::ALL,
        crate::dropfolder::codes::ALL,
        crate::formats::csv::table_codes::ALL,
        crate::record::codes::category::ALL,
        crate::record::codes::user::ALL,
        crate::record::codes::category_user::ALL,
    ] {
        all.extend_from_slice(table);
    }
    all
}

/// Looks a code up by its name.
pub fn find_code(name: &str) -> Option<&'static Code> {
    all_codes().into_iter().find(|c| c.name == name)
}
