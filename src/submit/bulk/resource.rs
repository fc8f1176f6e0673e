//! Schedule-resource CSV on the bulk route: the input's data rows read as the engine reads them
//! (kbulk's PHP `fgetcsv` tokenizer, the `*` header in force, `trimArray`), cut into pieces of at
//! most `maxRecords` rows in dependency order (a row that names a resource another pending row
//! adds waits for a later piece than that row), and each piece rewritten so that the engine
//! never meets its PHP 8 crash (kaltura-formats §3.3): names are resolved to `resourceId`s with
//! list calls before the piece starts, action 6 becomes 1 or 2, and `parentSystemName` is taken
//! out — kbulk sets `parentId` itself once the job has created the row.
use std::collections::{BTreeSet, HashMap};
use std::io::{self, BufReader, Read};
use std::path::Path;

use crate::formats::csv::{CsvRecord, LineClass, PhpCsvReader, classify, trim_array};

use super::journal::SentRow;

/// The engine's columns, in the order kbulk writes them in every piece.
pub const COLUMNS: [&str; 9] = crate::record::resource::ResourceField::COLUMNS;

const ACTION: usize = 0;
const RESOURCE_ID: usize = 1;
const TYPE: usize = 3;
const SYSTEM_NAME: usize = 4;
const PARENT_TYPE: usize = 7;
const PARENT_NAME: usize = 8;

/// One data row of the input, in the canonical columns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// `lineIndex`.
    pub line: u64,
    /// The raw cells under [`COLUMNS`] (a column the header does not have is empty).
    pub cells: Vec<String>,
}

impl Row {
    fn value(&self, i: usize) -> &str {
        trim_str(&self.cells[i])
    }

    /// The action as PHP compares it: `Some(1|2|3|6)`, or `None` for one the engine ignores.
    pub fn action(&self) -> Option<i64> {
        let cell = self.value(ACTION);
        if cell.is_empty() || cell == "0" {
            return Some(1);
        }
        match cell.parse::<f64>() {
            Ok(n) if n.fract() == 0.0 && matches!(n as i64, 1 | 2 | 3 | 6) => Some(n as i64),
            _ => None,
        }
    }

    /// `type`, defaulting to `location`.
    pub fn kind(&self) -> &str {
        Some(self.value(TYPE))
            .filter(|t| !t.is_empty())
            .unwrap_or("location")
    }

    fn parent_kind(&self) -> &str {
        Some(self.value(PARENT_TYPE))
            .filter(|t| !t.is_empty())
            .unwrap_or("location")
    }

    /// The resource this row adds (action 1 or 6 with a systemName).
    fn adds(&self) -> Option<Key> {
        let name = self.value(SYSTEM_NAME);
        (matches!(self.action(), Some(1 | 6)) && !name.is_empty())
            .then(|| (self.kind().to_string(), name.to_string()))
    }

    /// The resource the engine would look up by name for this row (the crash of §3.3).
    pub fn by_name(&self) -> Option<Key> {
        let name = self.value(SYSTEM_NAME);
        (self.action() != Some(1) && !name.is_empty() && self.value(RESOURCE_ID).is_empty())
            .then(|| (self.kind().to_string(), name.to_string()))
    }

    /// The parent named by `parentSystemName`.
    pub fn parent(&self) -> Option<Key> {
        let name = self.value(PARENT_NAME);
        (!name.is_empty()).then(|| (self.parent_kind().to_string(), name.to_string()))
    }

    /// The object the row touches (for keeping rows on one object in file order).
    fn own(&self) -> Option<Key> {
        let name = self.value(SYSTEM_NAME);
        if !self.value(RESOURCE_ID).is_empty() {
            return Some(("#id".into(), self.value(RESOURCE_ID).to_string()));
        }
        (!name.is_empty()).then(|| (self.kind().to_string(), name.to_string()))
    }
}

/// A resource by (type, systemName).
pub type Key = (String, String);

fn trim_str(s: &str) -> &str {
    std::str::from_utf8(trim_array(s.as_bytes())).unwrap_or(s)
}

/// The API class of a resource type.
pub fn class_of(kind: &str) -> &'static str {
    match kind {
        "camera" => "KalturaCameraScheduleResource",
        "live_entry" => "KalturaLiveEntryScheduleResource",
        _ => "KalturaLocationScheduleResource",
    }
}

/// The filter class that lists resources of a type.
pub fn filter_of(kind: &str) -> &'static str {
    match kind {
        "camera" => "KalturaCameraScheduleResourceFilter",
        "live_entry" => "KalturaLiveEntryScheduleResourceFilter",
        _ => "KalturaLocationScheduleResourceFilter",
    }
}

/// Every data row of the file at `path`, mapped through the `*` header in force.
pub fn read(path: &Path) -> io::Result<Vec<Row>> {
    let mut bytes = Vec::new();
    BufReader::new(std::fs::File::open(path)?).read_to_end(&mut bytes)?;
    let skip = if bytes.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    let mut reader = PhpCsvReader::new(&bytes[skip..], skip as u64, 64 << 20);
    let mut rec = CsvRecord::default();
    let mut map: Vec<Option<usize>> = Vec::new();
    let mut rows = Vec::new();
    let mut line = 0;
    while reader.read_record(&mut rec)? {
        match classify(&rec) {
            LineClass::Header => {
                map = (0..rec.cells.len())
                    .map(|i| {
                        let name = String::from_utf8_lossy(rec.value(i));
                        let name = name.trim_matches(|c| c == '*' || c == ' ');
                        COLUMNS.iter().position(|c| *c == name)
                    })
                    .collect();
            }
            LineClass::Data => {
                line += 1;
                let mut cells = vec![String::new(); COLUMNS.len()];
                for (i, col) in map.iter().enumerate() {
                    if let Some(col) = col
                        && i < rec.cells.len()
                    {
                        cells[*col] = String::from_utf8_lossy(rec.value(i)).into_owned();
                    }
                }
                rows.push(Row { line, cells });
            }
            _ => {}
        }
    }
    Ok(rows)
}

/// The next piece: at most `max` rows of `pending` (file order) whose dependencies are settled
/// (no other pending row adds the parent they name, and no earlier pending row adds the name
/// they look up), keeping rows on the same object in file order. Returns indexes into
/// `pending`; never empty when `pending` is not (a cycle is cut at its first row).
pub fn next_piece(pending: &[Row], max: usize) -> Vec<usize> {
    let mut adders: HashMap<Key, BTreeSet<usize>> = HashMap::new();
    for (i, r) in pending.iter().enumerate() {
        if let Some(k) = r.adds() {
            adders.entry(k).or_default().insert(i);
        }
    }
    let mut picked = Vec::new();
    let mut held: BTreeSet<Key> = BTreeSet::new();
    for (i, r) in pending.iter().enumerate() {
        if picked.len() >= max.max(1) {
            break;
        }
        let own = r.own();
        let blocked_by_parent = r
            .parent()
            .and_then(|p| adders.get(&p))
            .is_some_and(|a| a.iter().any(|&j| j != i));
        let blocked_by_name = r
            .by_name()
            .and_then(|k| adders.get(&k))
            .is_some_and(|a| a.iter().any(|&j| j < i));
        if blocked_by_parent || blocked_by_name || own.as_ref().is_some_and(|k| held.contains(k)) {
            if let Some(k) = own {
                held.insert(k);
            }
            continue;
        }
        picked.push(i);
    }
    if picked.is_empty() {
        picked.push(0);
    }
    picked
}

/// What became of a row when its piece was prepared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Prepared {
    /// It goes into the piece as this.
    Send(SentRow),
    /// It is not sent: the engine would have failed it with this message (or crashed on it).
    Local {
        /// The message.
        error: String,
    },
}

/// Rewrites `row` for the engine with the ids `known` gives ((type, systemName) → id);
/// `notes` receives a sentence per rewrite.
pub fn prepare(row: &Row, known: &HashMap<Key, i64>, notes: &mut Vec<String>) -> Prepared {
    let mut cells = row.cells.clone();
    let mut parent = None;
    if let Some(p) = row.parent() {
        match known.get(&p) {
            Some(&id) => {
                notes.push(format!(
                    "row {}: parentSystemName {} taken out (the resource engine crashes on it on \
                     PHP 8); kbulk sets parentId {id} once the job has created the row",
                    row.line, p.1
                ));
                parent = Some((class_of(row.kind()).to_string(), id));
                cells[PARENT_NAME].clear();
                cells[PARENT_TYPE].clear();
            }
            None => {
                return Prepared::Local {
                    error: format!("Unable to find parent {} resource [{}]", p.0, p.1),
                };
            }
        }
    }
    let action = match row.action() {
        None => {
            if row.by_name().is_some() {
                // The engine would crash looking the name up, and report nothing for the row.
                return Prepared::Local {
                    error: format!(
                        "Unknown action passed: [{}] (not sent: the engine crashes on a name it \
                         must look up and never reports an unknown action)",
                        row.value(ACTION)
                    ),
                };
            }
            return Prepared::Send(SentRow {
                row: row.line,
                cells,
                action: row.value(ACTION).to_string(),
                parent,
            });
        }
        Some(a) => a,
    };
    let mut action = action;
    if let Some(k) = row.by_name() {
        match (known.get(&k), action) {
            (Some(&id), _) => {
                let was = if action == 6 { ", action 6 → 2" } else { "" };
                notes.push(format!(
                    "row {}: systemName {} resolved to resourceId {id}{was} (the engine crashes \
                     looking names up on PHP 8)",
                    row.line, k.1
                ));
                cells[RESOURCE_ID] = id.to_string();
                if action == 6 {
                    action = 2;
                }
            }
            (None, 6) => {
                notes.push(format!(
                    "row {}: {} {} does not exist: action 6 → 1 (the engine crashes looking \
                     names up on PHP 8)",
                    row.line, k.0, k.1
                ));
                action = 1;
            }
            (None, _) => {
                return Prepared::Local {
                    error: format!("Unable to find {} resource [{}]", k.0, k.1),
                };
            }
        }
    } else if action == 6 {
        // An id is given: the engine makes it an update itself.
        action = 2;
    }
    if action.to_string() != row.value(ACTION) {
        cells[ACTION] = action.to_string();
    }
    Prepared::Send(SentRow {
        row: row.line,
        cells,
        action: match action {
            1 => "add",
            2 => "update",
            _ => "delete",
        }
        .into(),
        parent,
    })
}

/// What [`prepare`] will do to `row`, said before any lookup (for `--dry-run`): the sentence
/// (`None`: the row goes as it stands) and whether the row goes to the engine at all.
pub fn planned_rewrite(row: &Row) -> (Option<String>, bool) {
    let mut notes = Vec::new();
    if let Some(p) = row.parent() {
        notes.push(format!(
            "parentSystemName {} taken out (the resource engine crashes on it on PHP 8): kbulk \
             looks the {} up before the job and sets parentId once the job has created the row \
             (not sent if it does not exist: \"Unable to find parent {} resource [{}]\")",
            p.1, p.0, p.0, p.1
        ));
    }
    match (row.action(), row.by_name()) {
        (None, Some(_)) => {
            notes.push(format!(
                "not sent: unknown action [{}] on a name the engine would look up (it crashes \
                 on the lookup and never reports an unknown action)",
                row.value(ACTION)
            ));
            return (Some(notes.join("; ")), false);
        }
        (None, None) => notes.push(format!(
            "unknown action [{}]: sent as it stands; the engine drops the row silently",
            row.value(ACTION)
        )),
        (Some(6), Some(k)) => notes.push(format!(
            "systemName {} looked up before the job (the engine crashes looking names up on PHP \
             8): action 6 → 2 with its resourceId if the {} exists, 6 → 1 if not",
            k.1, k.0
        )),
        (Some(_), Some(k)) => notes.push(format!(
            "systemName {} resolved to its resourceId before the job (the engine crashes \
             looking names up on PHP 8); not sent if it does not exist: \"Unable to find {} \
             resource [{}]\"",
            k.1, k.0, k.1
        )),
        (Some(6), None) => notes.push("action 6 → 2 (a resourceId is given)".into()),
        (Some(_), None) => {}
    }
    ((!notes.is_empty()).then(|| notes.join("; ")), true)
}

/// The names a set of rows needs resolved before their piece starts.
pub fn names_needed<'a>(rows: impl Iterator<Item = &'a Row>) -> BTreeSet<Key> {
    rows.flat_map(|r| [r.parent(), r.by_name()])
        .flatten()
        .collect()
}

/// The CSV file of a piece: the canonical header, then each row's cells.
pub fn body(rows: &[SentRow]) -> String {
    let mut w = csv::WriterBuilder::new()
        .flexible(true)
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    let mut head: Vec<String> = COLUMNS.iter().map(|c| c.to_string()).collect();
    head[0] = format!("*{}", head[0]);
    let _ = w.write_record(&head);
    for r in rows {
        let _ = w.write_record(&r.cells);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(line: u64, cells: &[&str]) -> Row {
        let mut c: Vec<String> = cells.iter().map(|s| s.to_string()).collect();
        c.resize(COLUMNS.len(), String::new());
        Row { line, cells: c }
    }

    #[test]
    fn children_wait_for_their_parents_piece_even_when_listed_first() {
        let rows = [
            row(
                1,
                &["1", "", "Cam", "camera", "cam", "", "", "location", "hq"],
            ),
            row(2, &["1", "", "HQ", "location", "hq"]),
            row(3, &["2", "", "HQ2", "location", "hq"]),
        ];
        assert_eq!(next_piece(&rows, 10), vec![1]);
        let rest = [rows[0].clone(), rows[2].clone()];
        assert_eq!(next_piece(&rest, 10), vec![0, 1]);
    }

    #[test]
    fn names_become_ids_and_parents_leave_the_row() {
        let known: HashMap<Key, i64> = [(("location".into(), "hq".into()), 7)].into();
        let mut notes = Vec::new();
        let child = row(1, &["6", "", "Cam", "camera", "cam", "", "", "", "hq"]);
        let Prepared::Send(s) = prepare(&child, &known, &mut notes) else {
            panic!()
        };
        assert_eq!(s.cells[0], "1");
        assert_eq!(s.cells[8], "");
        assert_eq!(s.parent, Some(("KalturaCameraScheduleResource".into(), 7)));
        let upd = row(2, &["2", "", "HQ", "", "hq"]);
        let Prepared::Send(s) = prepare(&upd, &known, &mut notes) else {
            panic!()
        };
        assert_eq!(s.cells[1], "7");
        let gone = row(3, &["3", "", "", "", "nowhere"]);
        assert_eq!(
            prepare(&gone, &known, &mut notes),
            Prepared::Local {
                error: "Unable to find location resource [nowhere]".into()
            }
        );
        assert_eq!(notes.len(), 3);
    }
}
