//! Unit tests of the journal: creation, marks, resume and the atomic initialisation.
use super::*;

#[test]
fn a_created_journal_holds_exactly_the_rows_given() {
    assert_eq!(runs(&[0, 1, 2, 5, 7, 8]), vec![(0, 2), (5, 5), (7, 8)]);
    assert!(runs(&[]).is_empty());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.journal");
    let j = Journal::create(
        &path,
        &[("service_url", "http://x/api_v3")],
        &[
            (Path::new("a.csv"), "aaa", vec![0, 1, 2, 5, 7, 8]),
            (Path::new("b.csv"), "bbb", (0..3000).collect()),
        ],
    )
    .unwrap();
    let rows = j.rows().unwrap();
    let of = |input: u32| -> Vec<u64> {
        rows.iter()
            .filter(|e| e.id.input == input)
            .map(|e| e.id.row)
            .collect()
    };
    assert_eq!(of(1), vec![0, 1, 2, 5, 7, 8]);
    assert_eq!(of(2), (0..3000).collect::<Vec<_>>());
    assert!(rows.iter().all(|e| e.state == RowState::Planned));
    assert_eq!(j.inputs().unwrap().len(), 2);
    assert_eq!(j.last_sent_at().unwrap(), None);
    // Built in WAL mode, nothing left beside it: the rows are in the renamed file itself.
    let mode: String = j
        .conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    drop(j);
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
    let reopened = Journal::open(&path).unwrap();
    assert_eq!(reopened.rows().unwrap().len(), 3006);
}

#[test]
fn rows_move_through_states_and_survive_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("j.sqlite");
    let ids: Vec<RowId> = (1..=3).map(|row| RowId { input: 0, row }).collect();
    {
        let mut j = Journal::open(&path).unwrap();
        let input = j.add_input(Path::new("a.csv"), "abc").unwrap();
        assert_eq!(j.add_input(Path::new("moved/a.csv"), "abc").unwrap(), input);
        let ids: Vec<RowId> = ids.iter().map(|r| RowId { input, ..*r }).collect();
        j.add_rows(&ids).unwrap();
        j.apply(&[
            (
                ids[0],
                Mark::Sent {
                    action: "add".into(),
                },
            ),
            (
                ids[1],
                Mark::Sent {
                    action: "add".into(),
                },
            ),
        ])
        .unwrap();
        j.apply(&[
            (
                ids[0],
                Mark::Done {
                    action: "add".into(),
                    object_id: "17".into(),
                    object_status: Some(2),
                },
            ),
            (
                ids[2],
                Mark::Failed {
                    action: None,
                    error: "bad".into(),
                    code: Some("X".into()),
                    retryable: false,
                },
            ),
        ])
        .unwrap();
        j.add_rows(&ids).unwrap();
    }
    let j = Journal::open(&path).unwrap();
    let rows = j.rows().unwrap();
    let states: Vec<RowState> = rows.iter().map(|r| r.state).collect();
    assert_eq!(
        states,
        [RowState::Done, RowState::Sent, RowState::Failed],
        "re-adding rows keeps their state"
    );
    assert_eq!(rows[0].object_id.as_deref(), Some("17"));
    assert_eq!(rows[0].attempts, 1);
    assert_eq!(rows[2].error_code.as_deref(), Some("X"));
    assert_eq!(j.inputs().unwrap()[0].path, PathBuf::from("a.csv"));
}
