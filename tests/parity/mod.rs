//! The impact policy of `docs/parity.md`, checked on every code table: what each impact means
//! for its severity and its explanation, and the §2.2 rules present for every CSV engine.
use kbulk::diag::{Impact, Severity};

mod composed;

/// Job codes whose crash depends on the deployment (PHP 8, the job's kind): a warning.
const CONDITIONAL_JOB: &[&str] = &["resource::lookup-crash", "xml::drop-folder-resource"];
/// Rejected codes whose failure depends on the account (kbulk would need `--against`).
const CONDITIONAL_REJECTED: &[&str] = &[
    "resource::upsert-repeats-add",
    "entry::live-media-type",
    "entry::entry-id-format",
];

#[test]
fn every_code_follows_the_impact_policy() {
    let mut bad = Vec::new();
    for c in kbulk::codes::all_codes() {
        let fail = |why: &str| format!("{}: {why}", c.name);
        let error = c.severity == Severity::Error;
        if c.impact == Impact::Advice && error {
            bad.push(fail("advice is never an error"));
        }
        if c.impact == Impact::Job && !error && !CONDITIONAL_JOB.contains(&c.name) {
            bad.push(fail(
                "a job crash is an error unless it depends on the deployment",
            ));
        }
        if c.impact == Impact::Rejected && !error && !CONDITIONAL_REJECTED.contains(&c.name) {
            bad.push(fail(
                "a rejection is an error unless it depends on the account",
            ));
        }
        if c.severity == Severity::Note && !matches!(c.impact, Impact::Advice | Impact::Silent) {
            bad.push(fail(
                "a note can only be advice or a harmless silent change",
            ));
        }
    }
    for name in CONDITIONAL_JOB.iter().chain(CONDITIONAL_REJECTED) {
        let c = kbulk::codes::find_code(name).expect("a listed conditional code exists");
        assert_eq!(
            c.severity,
            Severity::Warning,
            "{name} is listed as conditional"
        );
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn line_classification_rules_exist_for_every_csv_engine_with_one_impact() {
    for rule in ["comment-looks-like-data", "row-taken-as-header"] {
        let found: Vec<_> = ["resource", "entry-csv", "event-csv"]
            .iter()
            .map(|k| {
                kbulk::codes::find_code(&format!("{k}::{rule}"))
                    .unwrap_or_else(|| panic!("{k}::{rule} is missing"))
            })
            .collect();
        assert!(
            found
                .iter()
                .all(|c| c.impact == found[0].impact && c.severity == found[0].severity),
            "{rule}: impacts differ across CSV engines"
        );
    }
}

/// The plain words a job code's explanation must use: the whole job is what fails.
fn job_words() -> &'static [&'static str] {
    &[
        "job fails",
        "job crash",
        "whole job",
        "entire job",
        "job never",
        "retries forever",
        "keeps retrying",
    ]
}

/// The outcome words `kbulk explain` starts every explanation with, per impact.
const OUTCOME_WORDS: &[(Impact, &str)] = &[
    (Impact::Rejected, "Outcome: rejected: "),
    (Impact::Silent, "Outcome: silently changed: "),
    (Impact::Job, "Outcome: job crash: "),
    (Impact::Advice, "Outcome: advice: "),
];

#[test]
fn every_explanation_says_its_outcome_in_plain_words() {
    let mut bad = Vec::new();
    for c in kbulk::codes::all_codes() {
        let (code, out, _) = crate::ical::util::kbulk(&["explain", c.name]);
        assert_eq!(code, 0, "explain {}", c.name);
        let words = OUTCOME_WORDS
            .iter()
            .find(|(i, _)| *i == c.impact)
            .map(|(_, w)| *w)
            .unwrap_or_default();
        if !out.lines().nth(1).is_some_and(|l| l.starts_with(words)) {
            bad.push(format!("{}: explain does not start with `{words}`", c.name));
        }
        let text = format!("{} {}", c.summary, c.explanation).to_lowercase();
        if c.impact == Impact::Job && !job_words().iter().any(|w| text.contains(w)) {
            bad.push(format!(
                "{}: a job code whose text does not say the whole job fails",
                c.name
            ));
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}
