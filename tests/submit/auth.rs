//! Authentication by KS, admin secret and app token (every hash type), through the environment
//! variables; wrong credentials stop the run before anything is written; and no secret appears
//! in any output, journal or results file.
use std::path::Path;

use kbulk::sandbox::{AppToken, HashType, Sandbox, SandboxConfig, SessionType};

use super::*;

const ADMIN_SECRET: &str = "adm1n-S3cret-for-tests";
const TOKEN: &str = "t0ken-S3cret-for-tests";

fn secret_sandbox() -> SandboxHandle {
    let tokens = [
        ("tok-sha1", HashType::Sha1),
        ("tok-md5", HashType::Md5),
        ("tok-sha256", HashType::Sha256),
        ("tok-sha512", HashType::Sha512),
    ]
    .into_iter()
    .map(|(id, hash_type)| AppToken {
        id: id.into(),
        token: TOKEN.into(),
        hash_type,
        session_type: SessionType::Admin,
    })
    .collect();
    Sandbox::start(SandboxConfig {
        admin_secret: ADMIN_SECRET.into(),
        app_tokens: tokens,
        ..SandboxConfig::default()
    })
    .expect("sandbox starts")
}

/// The command without a KS: credentials come from `env`.
fn cmd(h: &SandboxHandle, args: &[&str], env: &[(&str, &str)]) -> Command {
    let mut c = submit_cmd(h, args);
    c.env_remove("KALTURA_KS");
    for (k, v) in env {
        c.env(k, v);
    }
    c
}

/// Every byte of every file under `dir` and of the outputs, checked for each secret.
#[track_caller]
fn assert_no_secret(dir: &Path, out: &Output, secrets: &[&str]) {
    let mut blobs = vec![
        ("stdout".to_string(), out.stdout.clone()),
        ("stderr".to_string(), out.stderr.clone()),
    ];
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        blobs.push((p.display().to_string(), std::fs::read(&p).unwrap()));
    }
    assert!(
        blobs.len() > 4,
        "journal and results were written: {blobs:?}"
    );
    for (name, bytes) in &blobs {
        let text = String::from_utf8_lossy(bytes);
        for s in secrets {
            assert!(!text.contains(s), "{name} contains a secret");
        }
    }
}

#[test]
fn admin_secret_and_app_tokens_of_every_hash_open_sessions() {
    let h = secret_sandbox();
    let partner = h.partner_id().to_string();
    let dir = tempfile::tempdir().unwrap();
    let mut runs: Vec<(String, Vec<(&str, &str)>)> = vec![(
        "admin".into(),
        vec![
            ("KALTURA_PARTNER_ID", &partner),
            ("KALTURA_ADMIN_SECRET", ADMIN_SECRET),
        ],
    )];
    for (id, hash) in [
        ("tok-sha1", "SHA1"),
        ("tok-md5", "MD5"),
        ("tok-sha256", "SHA256"),
        ("tok-sha512", "SHA512"),
    ] {
        runs.push((
            id.into(),
            vec![
                ("KALTURA_PARTNER_ID", &partner),
                ("KALTURA_APP_TOKEN_ID", id),
                ("KALTURA_APP_TOKEN", TOKEN),
                ("KALTURA_APP_TOKEN_HASH_TYPE", hash),
            ],
        ));
    }
    for (name, env) in &runs {
        let file = csv(
            dir.path(),
            &format!("{name}.csv"),
            &[format!("1,R,location,by-{name},,,,")],
        );
        let out = run(cmd(&h, &[file.to_str().unwrap()], env));
        assert_eq!(code(&out), 0, "{name}: {}", text(&out));
    }
    let names = by_system_name(&all_resources(&h).0);
    for (name, _) in &runs {
        assert_eq!(names.get(&format!("by-{name}")), Some(&1), "{name}");
    }
    assert_eq!(h.stats().calls["apptoken.startsession"], 4);
    assert_eq!(h.stats().calls["session.startwidgetsession"], 4);
}

#[test]
fn wrong_credentials_stop_before_anything_is_written() {
    let h = secret_sandbox();
    let partner = h.partner_id().to_string();
    let dir = tempfile::tempdir().unwrap();
    let file = csv(dir.path(), "r.csv", &["1,R,location,r-1,,,,".into()]);
    for env in [
        vec![
            ("KALTURA_PARTNER_ID", partner.as_str()),
            ("KALTURA_ADMIN_SECRET", "wrong-secret"),
        ],
        vec![
            ("KALTURA_PARTNER_ID", partner.as_str()),
            ("KALTURA_APP_TOKEN_ID", "tok-sha1"),
            ("KALTURA_APP_TOKEN", "wrong-token"),
        ],
    ] {
        let out = run(cmd(&h, &[file.to_str().unwrap()], &env));
        assert_eq!(code(&out), 2, "{}", text(&out));
        assert!(
            text(&out).contains("cannot open a session"),
            "{}",
            text(&out)
        );
        assert!(
            !text(&out).contains("wrong-"),
            "the rejected secret is not echoed"
        );
    }
    let out = run(cmd(&h, &[file.to_str().unwrap()], &[]));
    assert_eq!(code(&out), 2);
    assert!(text(&out).contains("no credentials"), "{}", text(&out));
    assert_eq!(all_resources(&h).1, 0);
    assert!(
        !dir.path().join("r.csv.kbulk-journal").exists(),
        "no journal left behind"
    );
}

#[test]
fn no_secret_appears_in_any_output_journal_or_results_file() {
    let h = secret_sandbox();
    let partner = h.partner_id().to_string();
    let ks = h.admin_ks().unwrap();
    let rows = [
        "1,Fine,location,fine,,,,".to_string(),
        "1,Bad,projector,bad,,,,".to_string(),
        "2,Ghost,camera,ghost,,,,".to_string(),
    ];
    type Case<'a> = (&'a str, Vec<(&'a str, &'a str)>, Vec<&'a str>);
    let cases: Vec<Case> = vec![
        (
            "admin",
            vec![
                ("KALTURA_PARTNER_ID", &partner),
                ("KALTURA_ADMIN_SECRET", ADMIN_SECRET),
            ],
            vec![],
        ),
        (
            "token",
            vec![
                ("KALTURA_PARTNER_ID", &partner),
                ("KALTURA_APP_TOKEN_ID", "tok-sha256"),
                ("KALTURA_APP_TOKEN", TOKEN),
                ("KALTURA_APP_TOKEN_HASH_TYPE", "SHA256"),
            ],
            vec!["--format", "json"],
        ),
        ("ks-flag", vec![], vec!["--ks", &ks]),
        (
            "bogus-ks",
            vec![],
            vec!["--ks", "bogus-ks-value-0123456789", "--retries", "0"],
        ),
    ];
    for (name, env, extra) in cases {
        let dir = tempfile::tempdir().unwrap();
        let file = csv(
            dir.path(),
            "s.csv",
            &rows
                .iter()
                .map(|r| r.replace("fine", name))
                .collect::<Vec<_>>(),
        );
        let mut args = vec![file.to_str().unwrap(), "--skip-invalid"];
        args.extend(extra);
        let out = run(cmd(&h, &args, &env));
        assert!(matches!(code(&out), 1 | 3), "{name}: {}", text(&out));
        assert_no_secret(
            dir.path(),
            &out,
            &[ADMIN_SECRET, TOKEN, &ks, "bogus-ks-value-0123456789"],
        );
    }
}
