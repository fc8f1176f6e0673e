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
        crate::record::codes::app::ALL,
    ] {
        all.extend_from_slice(table);
    }
    all
}

/// Looks a code up by its name.
pub fn find_code(name: &str) -> Option<&'static Code> {
    all_codes().into_iter().find(|c| c.name == name)
}

/// A code that is no longer emitted, kept so that `kbulk explain` still answers for it: its
/// name, the codes that replaced it, and why.
#[derive(Debug, Clone, Copy)]
pub struct Retired {
    /// The old name.
    pub name: &'static str,
    /// The codes emitted instead.
    pub replaced_by: &'static [&'static str],
    /// Why it was retired.
    pub why: &'static str,
}

/// Every retired code name (a code name is never reused for another meaning).
pub const RETIRED: &[Retired] = &[Retired {
    name: "ical::setter-quirk",
    replaced_by: &[
        "ical::setter-crash",
        "ical::setter-type",
        "ical::setter-echo",
    ],
    why: "one code covered property names that crash the job (RULE, PARENT-COMPONENT, FIELD, \
CONFIGURATION-FIELD), one that silently changes the event's type (KALTURA-TYPE) and one that \
switches output echoing on (WRITE-TO-STDOUT); each outcome now has its own code and impact",
}];

/// Looks a retired code up by its old name.
pub fn find_retired(name: &str) -> Option<&'static Retired> {
    RETIRED.iter().find(|r| r.name == name)
}
