//! One case per app rule: the code it raises, and where.
use super::*;
use crate::record::app::OrganizationDomain;
use crate::source::{LineCol, Span};

fn place(n: u64) -> Place {
    Place {
        span: Span::new(n * 10, n * 10 + 5),
        at: LineCol { line: n, column: 1 },
    }
}

fn app(cid: &str) -> App {
    App {
        app_custom_id: Some(cid.into()),
        app_custom_name: Some("Name".into()),
        app_type: Some("kms".into()),
        ..App::default()
    }
}

fn bind(a: &mut App, org: Option<&str>, domain: Option<&str>) {
    a.organization_domain = Some(OrganizationDomain {
        organization_id: org.map(str::to_string),
        domain: domain.map(str::to_string),
    });
}

/// The codes the per-app rules raise for `a`.
fn codes_of(a: &App) -> Vec<&'static str> {
    let mut out = Vec::new();
    let mut locs = AppLocs::whole(place(1));
    locs.set(AppField::Domain, place(7));
    check_record(a, &locs, &Arc::from("f"), 1, &mut out);
    out.iter().map(|d| d.code.name).collect()
}

#[test]
fn a_complete_app_is_clean() {
    let mut a = app("kms-main");
    bind(&mut a, Some("org"), Some("example.com,other.com"));
    a.status = Some("disabled".into());
    assert!(codes_of(&a).is_empty());
}

#[test]
fn required_fields() {
    let mut a = app(" ");
    a.app_custom_name = None;
    a.app_type = Some(String::new());
    assert_eq!(
        codes_of(&a),
        [
            "app::custom-id-required",
            "app::name-required",
            "app::type-required"
        ]
    );
    // A delete needs only its key.
    let a = App {
        action: Some("delete".into()),
        app_custom_id: Some("x".into()),
        ..App::default()
    };
    assert!(codes_of(&a).is_empty());
}

#[test]
fn enums_are_case_sensitive() {
    let mut a = app("a");
    a.app_type = Some("KMS".into());
    a.status = Some("Enabled".into());
    a.action = Some("add".into());
    assert_eq!(
        codes_of(&a),
        [
            "app::unknown-action",
            "app::unknown-type",
            "app::unknown-status"
        ]
    );
}

#[test]
fn domain_rules() {
    let mut a = app("a");
    bind(&mut a, Some(""), None);
    assert_eq!(codes_of(&a), ["app::empty-value", "app::domain-required"]);
    bind(&mut a, Some(&"o".repeat(256)), Some(&"d".repeat(256)));
    assert_eq!(
        codes_of(&a),
        ["app::organization-id-length", "app::domain-length"]
    );
    bind(&mut a, None, Some("a.com, b.com,"));
    assert_eq!(
        codes_of(&a),
        ["app::domain-whitespace", "app::empty-domain-part"]
    );
    // Only commas and spaces: the service strips them and answers HTTP 400.
    bind(&mut a, None, Some(" , ,"));
    assert_eq!(codes_of(&a), ["app::domain-required"]);
}

#[test]
fn duplicates_point_at_both_rows() {
    let mut rules = AppRules::new(Arc::from("f"), None);
    let mut out = Vec::new();
    let (mut a, mut b, mut c) = (app("one"), app("two"), app("one"));
    bind(&mut a, Some("org"), Some("x.com,y.com"));
    bind(&mut b, Some("org"), Some(" y.com"));
    bind(&mut c, Some("org"), Some("y.com"));
    c.app_type = Some("ep".into());
    for (i, r) in [a, b, c].iter().enumerate() {
        let mut locs = AppLocs::whole(place(i as u64 + 1));
        locs.set(AppField::AppCustomId, place(i as u64 + 1));
        rules.app(r, &locs, i as u64 + 1, &mut out);
    }
    let found: Vec<_> = out
        .iter()
        .filter(|d| d.code.name.starts_with("app::duplicate"))
        .map(|d| (d.code.name, d.row, d.labels[1].at.line))
        .collect();
    // `y.com` for kms twice (row 2 after row 1); row 3 is an ep app: another type, no clash.
    assert_eq!(
        found,
        [
            ("app::duplicate-domain", Some(2), 1),
            ("app::duplicate-custom-id", Some(3), 1)
        ]
    );
}

#[test]
fn against_the_server() {
    let mut theirs = app("taken");
    theirs.id = Some("guid-1".into());
    bind(&mut theirs, None, Some("corp.com"));
    let existing = Existing {
        source: "the registry".into(),
        apps: vec![theirs],
    };
    let mut rules = AppRules::new(Arc::from("f"), Some(&existing));
    let mut out = Vec::new();
    let mut mine = app("mine");
    bind(&mut mine, None, Some("corp.com"));
    let gone = App {
        action: Some("delete".into()),
        app_custom_id: Some("gone".into()),
        ..App::default()
    };
    let mut same = app("taken");
    same.id = Some("guid-2".into());
    bind(&mut same, None, Some("corp.com"));
    for (i, r) in [mine, gone, same].iter().enumerate() {
        rules.app(
            r,
            &AppLocs::whole(place(i as u64 + 1)),
            i as u64 + 1,
            &mut out,
        );
    }
    let codes: Vec<_> = out.iter().map(|d| (d.code.name, d.row)).collect();
    assert_eq!(
        codes,
        [
            ("app::domain-taken", Some(1)),
            ("app::delete-missing", Some(2)),
            ("app::id-mismatch", Some(3)),
            // Row 3 rebinds its own domain: no clash with itself, but row 1 of the file has it.
            ("app::duplicate-domain", Some(3)),
        ]
    );
}
