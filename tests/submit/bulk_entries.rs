//! Entry CSV via bulk (`media.bulkUploadAdd`): the same file `--via api` and `--via bulk` ends
//! with the same entries on the sandbox and equivalent results; the rows the engine skips
//! without a result (UPDATE) are reported as such.
use kbulk::sandbox::BulkFault;

use super::bulk::{bulk_cmd, bulk_sandbox};
use super::*;

const HEADER: &str = "*title,description,tags,url,contentType,referenceId,ownerId";

fn write(dir: &Path, name: &str, rows: &[String]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, format!("{HEADER}\n{}\n", rows.join("\n"))).unwrap();
    path
}

/// Entries as (referenceId, name, description, tags, mediaType, userId, status), sorted.
fn shape(h: &SandboxHandle) -> Vec<(String, String, String, String, i64, String, i64)> {
    let mut out: Vec<_> = super::entries::entries(h)
        .iter()
        .map(|e| {
            let s = |k: &str| e[k].as_str().unwrap_or_default().to_string();
            (
                s("referenceId"),
                s("name"),
                s("description"),
                s("tags"),
                e["mediaType"].as_i64().unwrap_or(-1),
                s("userId"),
                e["status"].as_i64().unwrap_or(-1),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn entry_csv_via_bulk_ends_like_via_api() {
    let dir = tempfile::tempdir().unwrap();
    let mut rows = vec![
        "Intro,First video,\"intro,demo\",https://cdn.example.com/intro.mp4,video,be-1,alice"
            .to_string(),
        "Podcast,Episode one,audio,https://cdn.example.com/ep1.mp3,audio,be-2,alice".to_string(),
        "Logo,,,https://cdn.example.com/logo.png,image,be-3,bob".to_string(),
    ];
    rows.extend(
        (0..40).map(|i| {
            format!("Clip {i},,clips,https://cdn.example.com/c{i}.mp4,video,be-c{i},alice")
        }),
    );
    let a = sandbox(FaultConfig::default());
    let b = bulk_sandbox(5, BulkFault::None);
    let api_file = write(dir.path(), "api.csv", &rows);
    let bulk_file = write(dir.path(), "bulk.csv", &rows);
    let out = run(submit_cmd(&a, &[api_file.to_str().unwrap()]));
    assert_eq!(code(&out), 0, "{}", text(&out));
    let out = run(bulk_cmd(
        &b,
        bulk_file.to_str().unwrap(),
        &["--max-records", "25"],
    ));
    assert_eq!(code(&out), 0, "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("43 done, 0 failed, 0 unfinished"),
        "{}",
        text(&out)
    );
    let jobs = api(
        &b,
        "bulkupload_bulk",
        "list",
        json!({"pager": {"pageSize": 500}}),
    );
    let jobs = jobs["objects"].as_array().unwrap();
    assert_eq!(jobs.len(), 2, "43 rows in jobs of at most 25");
    for j in jobs {
        assert_eq!(j["bulkUploadType"], "bulkUploadCsv.CSV", "{j}");
    }
    let (sa, sb) = (shape(&a), shape(&b));
    assert_eq!(sa.len(), 43);
    assert_eq!(sa, sb, "the same entries on both sandboxes");

    let (ha, ra) = results_csv(&dir.path().join("api.csv.results.csv"));
    let (hb, rb) = results_csv(&dir.path().join("bulk.csv.results.csv"));
    assert_eq!(ha, hb);
    let col = |n: &str| ha.iter().position(|c| c == n).unwrap();
    assert_eq!(ra.len(), rb.len());
    for (x, y) in ra.iter().zip(&rb) {
        assert_eq!(
            x[..=col("resultStatus")],
            y[..=col("resultStatus")],
            "{x:?} / {y:?}"
        );
        assert!(!y[col("objectId")].is_empty(), "{y:?}");
    }
}

#[test]
fn entry_rows_the_engine_skips_or_rejects_are_reported() {
    let h = bulk_sandbox(5, BulkFault::None);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("skip.csv");
    std::fs::write(
        &path,
        "*action,title,url,referenceId\n\
         1,Good,https://cdn.example.com/g.mp4,bs-1\n\
         2,Update,https://cdn.example.com/u.mp4,bs-1\n\
         1,No url,,bs-3\n",
    )
    .unwrap();
    let out = run(bulk_cmd(&h, path.to_str().unwrap(), &["--force"]));
    assert_eq!(code(&out), 1, "{}", text(&out));
    let (header, rows) = results_csv(&dir.path().join("skip.csv.results.csv"));
    let col = |n: &str| header.iter().position(|c| c == n).unwrap();
    assert_eq!(rows[0][col("resultStatus")], "2", "{:?}", rows[0]);
    assert_eq!(rows[1][col("resultStatus")], "1");
    assert_eq!(rows[1][col("objectStatus")], "NO_RESULT", "{:?}", rows[1]);
    assert_eq!(rows[2][col("resultStatus")], "1");
    assert_eq!(
        rows[2][col("errorDescription")],
        "Invalid url '' on line 3",
        "{:?}",
        rows[2]
    );
    assert_eq!(super::entries::entries(&h).len(), 1);
}
