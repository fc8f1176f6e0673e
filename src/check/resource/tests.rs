//! The file-level resource rules give the same findings with the name index in memory and
//! spilled to disk, wherever the spill starts.
use super::*;

/// Observes `rows` under `budget`, telling the rules `ahead` rows in advance (0: never, as
/// `FileRules::prefetch` is only a hint); every 211th row is observed as unusable.
fn run(
    budget: u64,
    ahead: usize,
    rows: &[(ResourceAction, String, Option<String>)],
) -> (Vec<String>, bool) {
    let file: Arc<str> = Arc::from("t.csv");
    let mut rules = FileRules::new(file, None).with_memory(budget);
    let mut out = Vec::new();
    let mut spilled_at = None;
    let views: Vec<_> = rows
        .iter()
        .map(|(action, sn, parent)| ResourceView {
            action: *action,
            resource_id: None,
            name: Some("n"),
            resource_type: ResourceType::Location,
            system_name: Some(sn),
            description: None,
            tags: None,
            parent_type: ResourceType::Location,
            parent_system_name: parent.as_deref(),
        })
        .collect();
    for (i, view) in views.iter().enumerate() {
        if let Some(later) = views.get(i + ahead).filter(|_| ahead > 0) {
            rules.prefetch(later);
        }
        let start = i as u64 * 100;
        let locs = ResourceLocs::whole(Place {
            span: Span::new(start, start + 50),
            at: LineCol {
                line: i as u64 + 2,
                column: 1,
            },
        });
        let usable = Some(view).filter(|_| i % 211 != 5);
        rules.observe(usable, &locs, i as u64 + 1, &mut out);
        if spilled_at.is_none() && rules.spilled.is_some() {
            spilled_at = Some(i);
        }
    }
    rules.finish(&mut out);
    crate::diag::sort(&mut out);
    let json = out
        .iter()
        .map(|d| serde_json::to_string(&d.to_json()).unwrap())
        .collect();
    (json, spilled_at.is_some_and(|i| i > 0))
}

#[test]
fn spilling_midway_changes_no_finding() {
    let mut rows = Vec::new();
    for i in 0..5000u64 {
        let action = match i % 9 {
            0 => ResourceAction::AddOrUpdate,
            1 => ResourceAction::Delete,
            2 => ResourceAction::Update,
            _ => ResourceAction::Add,
        };
        let sn = if i % 4 == 0 {
            format!("dup{}", i % 97)
        } else {
            format!("n{i}")
        };
        let parent = match i % 5 {
            0 => Some(format!("n{}", i + 3)),
            1 => Some(format!("missing{}", i % 31)),
            _ => None,
        };
        rows.push((action, sn, parent));
    }
    let (memory, spilled) = run(u64::MAX, 0, &rows);
    assert!(!spilled);
    assert!(memory.len() > 100, "the rows make findings");
    let (from_start, _) = run(0, 0, &rows);
    assert_eq!(from_start, memory);
    let (midway, spilled) = run(40 << 10, 0, &rows);
    assert!(spilled, "a 40 KiB budget spills after the first rows");
    assert_eq!(midway, memory);
    // The keys computed by `prefetch` and taken by `observe` change nothing either.
    for ahead in [1, 32] {
        assert_eq!(run(u64::MAX, ahead, &rows).0, memory, "{ahead} ahead");
        assert_eq!(
            run(40 << 10, ahead, &rows).0,
            memory,
            "{ahead} ahead, spilled"
        );
    }
}
