//! Media entries end to end: an XML file (URL content, categories, a recording's second stream
//! listed before its first, an update by referenceId, a delete), a local file uploaded in
//! chunks, an interrupted upload resumed without re-sending its chunks, and faults with zero
//! duplicates.
use std::time::Duration;

use kbulk::sandbox::FaultConfig;
use kbulk::submit::journal::{Journal, RowId, UploadEntry};
use kbulk::submit::plan::Uploaded;
use kbulk::submit::upload::{Job, Uploader};
use kbulk::submit::{self, RowStatus};

use super::*;

/// Every entry, listed 500 at a time.
pub(super) fn entries(h: &SandboxHandle) -> Vec<Value> {
    list_all(h, "baseEntry")
}

fn add_entry(h: &SandboxHandle, reference: &str) -> String {
    let e = api(
        h,
        "media",
        "add",
        json!({"entry": {"objectType": "KalturaMediaEntry", "mediaType": 1, "name": "old",
               "referenceId": reference}}),
    );
    e["id"].as_str().expect("entry added").to_string()
}

fn calls(h: &SandboxHandle, name: &str) -> u64 {
    h.stats().calls.get(name).copied().unwrap_or(0)
}

pub(super) fn item(body: &str) -> String {
    format!("    <item>\n{body}    </item>\n")
}

pub(super) fn xml(dir: &Path, name: &str, items: &[String]) -> PathBuf {
    let path = dir.join(name);
    let text = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<mrss>\n  <channel>\n{}  </channel>\n</mrss>\n",
        items.concat()
    );
    std::fs::write(&path, text).unwrap();
    path
}

pub(super) fn url_item(reference: &str, extra: &str) -> String {
    item(&format!(
        "      <action>add</action>\n      <type>1</type>\n      <referenceId>{reference}</referenceId>\n\
               <name>{reference}</name>\n{extra}      <media><mediaType>1</mediaType></media>\n\
         <contentAssets><content><urlContentResource url=\"https://cdn.example.com/{reference}.mp4\"/></content></contentAssets>\n"
    ))
}

#[test]
fn xml_adds_links_parents_updates_and_deletes() {
    let h = sandbox(FaultConfig::default());
    let existing = add_entry(&h, "existing-1");
    let doomed = add_entry(&h, "doomed");
    let dir = tempfile::tempdir().unwrap();
    let file = xml(
        dir.path(),
        "e.xml",
        &[
            // The second stream comes first in the file: it waits for its parent.
            item(
                "      <action>add</action>\n      <type>1</type>\n      <parentReferenceId>rec-cam1</parentReferenceId>\n\
                 <name>camera 2</name>\n      <media><mediaType>1</mediaType></media>\n\
                 <contentAssets><content><urlContentResource url=\"https://cdn.example.com/cam2.mp4\"/></content></contentAssets>\n",
            ),
            url_item(
                "rec-cam1",
                "      <tags><tag>a</tag><tag>b</tag></tags>\n      <categories><categoryId>31</categoryId><categoryId>32</categoryId></categories>\n      <startDate>2027-05-01T09:00:00</startDate>\n",
            ),
            item(
                "      <type>1</type>\n      <referenceId>existing-1</referenceId>\n      <name>Renamed</name>\n\
                 <media><mediaType>1</mediaType></media>\n",
            ),
            item(&format!(
                "      <action>delete</action>\n      <entryId>{doomed}</entryId>\n"
            )),
            url_item("existing-1", ""),
        ],
    );
    let dry = run(submit_cmd(&h, &[file.to_str().unwrap(), "--dry-run"]));
    assert_eq!(code(&dry), 0, "{}", text(&dry));
    let plan = String::from_utf8_lossy(&dry.stdout);
    assert!(
        plan.contains("wave 1  ") && plan.contains("\"parentEntryId\":\"{row 2}\""),
        "the second stream waits for row 2: {plan}"
    );
    assert!(plan.contains("media.addContent") && plan.contains("\"entryId\":\"{1:result:id}\""));
    assert_eq!(entries(&h).len(), 2, "a dry run creates nothing");

    let out = run(submit_cmd(&h, &[file.to_str().unwrap()]));
    assert_eq!(
        code(&out),
        1,
        "one row is refused by the planner: {}",
        text(&out)
    );

    let all = entries(&h);
    let with_ref =
        |r: &str| -> Vec<&Value> { all.iter().filter(|e| e["referenceId"] == r).collect() };
    let cam1 = with_ref("rec-cam1");
    assert_eq!(cam1.len(), 1);
    assert_eq!(cam1[0]["status"], 2, "content added: READY");
    assert_eq!(cam1[0]["tags"], "a,b");
    assert_eq!(cam1[0]["startDate"], 1_809_162_000);
    assert_eq!(cam1[0]["categoriesIds"], "31,32");
    let cam2: Vec<&Value> = all.iter().filter(|e| e["name"] == "camera 2").collect();
    assert_eq!(cam2.len(), 1);
    assert_eq!(
        cam2[0]["parentEntryId"], cam1[0]["id"],
        "second stream points at the first"
    );
    let updated = with_ref("existing-1");
    assert_eq!(
        updated.len(),
        1,
        "updated in place, and the explicit add refused"
    );
    assert_eq!(updated[0]["id"], existing.as_str());
    assert_eq!(updated[0]["name"], "Renamed");
    assert!(with_ref("doomed").is_empty(), "deleted");
    assert_eq!(all.len(), 3);

    let (header, rows) = results_csv(&dir.path().join("e.xml.results.csv"));
    assert_eq!(header[0], "record");
    assert!(rows[0][0].starts_with("<item>") && rows[0][0].contains("rec-cam1"));
    let status: Vec<&str> = rows.iter().map(|r| r[1].as_str()).collect();
    assert_eq!(status, ["2", "2", "2", "2", "1"]);
    assert_eq!(rows[1][2], cam1[0]["id"].as_str().unwrap());
    assert_eq!(rows[1][3], "2", "objectStatus: READY after its content");
    assert_eq!(rows[3][2], doomed);
    assert_eq!(rows[4][3], "REFERENCE_ID_EXISTS");
}

fn local_jsonl(dir: &Path, name: &str, items: &[(&str, &str)]) -> PathBuf {
    let path = dir.join(name);
    let lines: Vec<String> = items
        .iter()
        .map(|(reference, file)| {
            json!({"kind": "entry", "action": "add", "type": "1", "referenceId": reference,
                   "name": reference, "mediaType": "video", "categoryIds": [7],
                   "contentAssets": {"assets": [{"resource": {"resource": "localFile", "path": file}}]}})
            .to_string()
        })
        .collect();
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    path
}

fn media(dir: &Path, name: &str, len: usize) {
    let bytes: Vec<u8> = (0..len).map(|i| (i * 7 % 251) as u8).collect();
    std::fs::create_dir_all(dir.join(name).parent().unwrap()).unwrap();
    std::fs::write(dir.join(name), bytes).unwrap();
}

#[test]
fn a_local_file_is_uploaded_in_chunks() {
    let h = sandbox(FaultConfig::default());
    let dir = tempfile::tempdir().unwrap();
    media(dir.path(), "media/clip.bin", 10_000);
    let file = local_jsonl(dir.path(), "local.jsonl", &[("clip-1", "media/clip.bin")]);
    let out = run(submit_cmd(
        &h,
        &[
            file.to_str().unwrap(),
            "--chunk-size",
            "3000",
            "--format",
            "json",
        ],
    ));
    assert_eq!(code(&out), 0, "{}", text(&out));
    let lines: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    assert_eq!(
        calls(&h, "uploadtoken.upload"),
        4,
        "10,000 bytes in chunks of 3,000"
    );
    let all = entries(&h);
    assert_eq!(all.len(), 1);
    assert_eq!(all[0]["status"], 2);
    assert_eq!(all[0]["dataSize"], 10_000, "every byte arrived");
    assert_eq!(all[0]["categoriesIds"], "7");
    assert_eq!(lines.len(), 2, "one row, then the summary: {lines:?}");
    assert_eq!(lines[0]["type"], "row");
    assert_eq!(lines[0]["status"], "ok");
    assert_eq!(lines[0]["object_id"], all[0]["id"]);
    assert_eq!(lines[1]["type"], "summary");
    assert_eq!(lines[1]["done"], 1);
    let (header, rows) = results_csv(&dir.path().join("local.jsonl.results.csv"));
    assert_eq!(header[0], "record");
    assert!(rows[0][0].contains("clip-1"));
    assert_eq!(rows[0][2], all[0]["id"].as_str().unwrap());
}

#[test]
fn an_interrupted_upload_resumes_where_the_server_stopped() {
    let h = sandbox(FaultConfig::default());
    let dir = tempfile::tempdir().unwrap();
    media(dir.path(), "big.bin", 9_000);
    let path = dir.path().join("big.bin");
    // A previous run created the token and sent the first 2 of 3 chunks, then died.
    let token = api(
        &h,
        "uploadToken",
        "add",
        json!({"uploadToken": {"fileSize": 9000}}),
    );
    let token = token["id"].as_str().unwrap().to_string();
    let meta = std::fs::metadata(&path).unwrap();
    let mtime = meta
        .modified()
        .unwrap()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let client =
        kbulk::submit::client::Client::new(&h.base_url(), Duration::from_secs(10)).unwrap();
    let ks = Secret::new(h.admin_ks().unwrap());
    let bytes = std::fs::read(&path).unwrap();
    for at in [0usize, 3000] {
        let chunk = kbulk::submit::client::Chunk {
            token: &token,
            file_name: "big.bin",
            data: &bytes[at..at + 3000],
            resume_at: at as u64,
            final_chunk: false,
        };
        client.upload_chunk(&ks, &chunk).unwrap().unwrap();
    }
    let before = calls(&h, "uploadtoken.upload");
    let mut journal = Journal::open(&dir.path().join("j")).unwrap();
    let row = RowId { input: 1, row: 1 };
    let prior = UploadEntry {
        token_id: token.clone(),
        file_size: 9000,
        file_mtime: mtime,
        uploaded: 3000,
    };
    let retry = RetryPolicy::default();
    let uploader = Uploader {
        client: &client,
        ks: &ks,
        chunk_size: 3000,
        concurrency: 2,
        retry: &retry,
        sleep: &|_| {},
    };
    let done = uploader
        .run(
            &mut journal,
            vec![Job {
                row,
                path,
                prior: Some(prior),
            }],
        )
        .unwrap();
    assert_eq!(done[&row], Uploaded::Token(token.clone()), "the same token");
    assert_eq!(
        calls(&h, "uploadtoken.upload") - before,
        1,
        "only the missing chunk was sent"
    );
    assert_eq!(calls(&h, "uploadtoken.add"), 1, "no new token");
    let t = api(&h, "uploadToken", "get", json!({"uploadTokenId": token}));
    assert_eq!(
        (t["status"].as_i64(), t["uploadedFileSize"].as_i64()),
        (Some(2), Some(9000))
    );
    let saved = journal.upload(row).unwrap().unwrap();
    assert_eq!(saved.uploaded, 9000, "progress journaled");
}

#[test]
fn entries_under_faults_are_made_once() {
    const URLS: usize = 150;
    let h = sandbox(FaultConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let mut items: Vec<String> = (0..URLS)
        .map(|i| {
            url_item(
                &format!("u-{i}"),
                "      <categories><categoryId>5</categoryId></categories>\n",
            )
        })
        .collect();
    items.push(item(
        "      <action>add</action>\n      <type>1</type>\n      <parentReferenceId>u-0</parentReferenceId>\n\
         <name>second</name>\n      <media><mediaType>1</mediaType></media>\n",
    ));
    let file = xml(dir.path(), "f.xml", &items);
    for i in 0..4 {
        media(dir.path(), &format!("l{i}.bin"), 5_000);
    }
    let locals = local_jsonl(
        dir.path(),
        "f.jsonl",
        &[
            ("l-0", "l0.bin"),
            ("l-1", "l1.bin"),
            ("l-2", "l2.bin"),
            ("l-3", "l3.bin"),
        ],
    );
    let inputs = checked(&[&file, &locals]);
    h.set_faults(FaultConfig {
        seed: 5,
        fail_rate: 0.10,
        drop_rate: 0.10,
        ..FaultConfig::default()
    })
    .unwrap();
    let mut opts = options(&h, dir.path().join("f.journal"));
    opts.batch_size = 4;
    opts.chunk_size = 1_000;
    let result = submit::submit(&inputs, &opts, &mut |_| {}).expect("runs");
    let stats = h.stats();
    h.set_faults(FaultConfig::default()).unwrap();
    assert!(stats.dropped >= 3 && stats.failed >= 3, "{stats:?}");
    let (ok, failed, unfinished) = result.counts();
    // The second stream has no referenceId: if its add was dropped it is reported, never resent.
    let second = &result.inputs[0].rows[&(URLS as u64 + 1)];
    let unknown = second.code.as_deref() == Some("OUTCOME_UNKNOWN");
    assert_eq!(
        (ok, failed, unfinished),
        (URLS as u64 + 5 - u64::from(unknown), u64::from(unknown), 0),
        "{:?}",
        result.inputs
    );
    let all = entries(&h);
    for r in (0..URLS)
        .map(|i| format!("u-{i}"))
        .chain((0..4).map(|i| format!("l-{i}")))
    {
        let found: Vec<&Value> = all
            .iter()
            .filter(|e| e["referenceId"] == r.as_str())
            .collect();
        assert_eq!(found.len(), 1, "{r} exactly once");
        assert_eq!(found[0]["status"], 2, "{r} has its content");
    }
    let seconds = all.iter().filter(|e| e["name"] == "second").count();
    assert_eq!(seconds, 1, "the second stream was made once");
    let links = api(
        &h,
        "categoryEntry",
        "list",
        json!({"pager": {"pageSize": 500}}),
    );
    assert_eq!(links["totalCount"], URLS + 4, "one category link per entry");
    assert!(
        result.inputs[1]
            .rows
            .values()
            .all(|r| r.status == RowStatus::Ok),
        "local files uploaded and attached"
    );
}

#[test]
fn a_run_that_stops_mid_upload_resumes_without_resending_chunks() {
    let h = sandbox(FaultConfig::default());
    let dir = tempfile::tempdir().unwrap();
    media(dir.path(), "rec.bin", 10_000);
    let file = local_jsonl(dir.path(), "rec.jsonl", &[("rec-1", "rec.bin")]);
    let path = file.to_str().unwrap();
    // 503s and no retries: the first run stops part way through the upload.
    h.set_faults(FaultConfig {
        seed: 9,
        fail_rate: 0.2,
        ..FaultConfig::default()
    })
    .unwrap();
    let first = run(submit_cmd(
        &h,
        &[path, "--chunk-size", "1000", "--retries", "0"],
    ));
    h.set_faults(FaultConfig::default()).unwrap();
    assert_eq!(code(&first), 3, "incomplete: {}", text(&first));
    let sent = calls(&h, "uploadtoken.upload");
    assert!(
        (1..10).contains(&sent),
        "stopped mid-upload after {sent} chunks"
    );
    assert!(
        entries(&h).is_empty(),
        "no entry before its file is complete"
    );

    let out = run(submit_cmd(&h, &[path, "--chunk-size", "1000", "--resume"]));
    assert_eq!(code(&out), 0, "{}", text(&out));
    assert_eq!(calls(&h, "uploadtoken.upload"), 10, "each chunk sent once");
    assert_eq!(
        calls(&h, "uploadtoken.add"),
        1,
        "the journaled token was reused"
    );
    let all = entries(&h);
    assert_eq!(all.len(), 1);
    assert_eq!(
        (all[0]["status"].as_i64(), all[0]["dataSize"].as_i64()),
        (Some(2), Some(10_000))
    );
}

#[test]
fn an_entry_csv_is_submitted_and_echoed() {
    let h = sandbox(FaultConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("e.csv");
    std::fs::write(
        &path,
        "*title,description,tags,url,contentType,category,referenceId,ownerId\n\
         Intro,First,\"intro,demo\",https://cdn.example.com/intro.mp4,video,Training>Basics,csv-1,alice\n\
         Podcast,Episode,audio,https://cdn.example.com/ep1.mp3,audio,Podcasts,csv-2,alice\n",
    )
    .unwrap();
    let out = run(submit_cmd(&h, &[path.to_str().unwrap()]));
    assert_eq!(code(&out), 0, "{}", text(&out));
    let all = entries(&h);
    assert_eq!(all.len(), 2);
    let intro = all.iter().find(|e| e["referenceId"] == "csv-1").unwrap();
    assert_eq!(intro["categories"], "Training>Basics");
    assert_eq!(intro["userId"], "alice");
    assert_eq!(intro["tags"], "intro,demo");
    let podcast = all.iter().find(|e| e["referenceId"] == "csv-2").unwrap();
    assert_eq!(podcast["mediaType"], 5, "audio");
    let (header, rows) = results_csv(&dir.path().join("e.csv.results.csv"));
    assert_eq!(
        header[..2],
        ["*title", "description"],
        "the header as written"
    );
    assert_eq!(rows[0][..3], ["Intro", "First", "intro,demo"]);
    assert_eq!(rows[0][8], "2");
    assert_eq!(rows[0][9], intro["id"].as_str().unwrap());
}
