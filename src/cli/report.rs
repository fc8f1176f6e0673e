//! `kbulk check --report FILE.html`: one self-contained HTML page (no network, no external
//! assets) with a summary by file, code and impact, a chart of findings per file, and a table of
//! findings that can be filtered and sorted, each with its source snippet.
//!
//! Findings are streamed into the page as they are reported (a JSON array inside a
//! `<script type="application/json">`), so memory does not grow with their number; only the
//! counts per file and per code are kept, and past `--report-max` findings the page lists no more
//! rows but still counts them.
use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use kbulk::diag::{Counts, Diagnostic};
use kbulk::formats::FileReport;

use super::CliError;
use super::render;

/// Findings listed in the page by default (all of them are counted).
pub const DEFAULT_MAX_ROWS: u64 = 20_000;

/// The report being written.
pub struct HtmlReport {
    path: PathBuf,
    out: BufWriter<File>,
    max_rows: u64,
    rows: u64,
    /// Rows listed for the file being checked.
    listed: u64,
    files: Vec<FileSummary>,
    codes: BTreeMap<&'static str, CodeSummary>,
}

struct FileSummary {
    name: String,
    format: String,
    records: u64,
    counts: Counts,
    listed: u64,
}

#[derive(Default)]
struct CodeSummary {
    impact: &'static str,
    severity: &'static str,
    count: u64,
}

impl HtmlReport {
    /// Creates `path` and writes the start of the page.
    pub fn create(path: &Path, max_rows: u64) -> Result<HtmlReport, CliError> {
        let file = File::create(path).map_err(|e| CliError::io(path.display(), e))?;
        let mut report = HtmlReport {
            path: path.to_path_buf(),
            out: BufWriter::new(file),
            max_rows,
            rows: 0,
            listed: 0,
            files: Vec::new(),
            codes: BTreeMap::new(),
        };
        report
            .out
            .write_all(HEAD.as_bytes())
            .and_then(|()| {
                report
                    .out
                    .write_all(b"<script type=\"application/json\" id=\"rows\">[")
            })
            .map_err(|e| CliError::io(path.display(), e))?;
        Ok(report)
    }

    /// Adds one finding of the file being checked (its snippet re-read from `source` on disk);
    /// [`HtmlReport::file`] closes the file.
    pub fn finding(&mut self, d: &Diagnostic, source: &Path) -> Result<(), CliError> {
        let index = self.files.len();
        let code = self.codes.entry(d.code.name).or_default();
        code.impact = d.code.impact.as_str();
        code.severity = d.code.severity.as_str();
        code.count += 1;
        if self.rows < self.max_rows {
            self.row(index, d, source)
                .map_err(|e| CliError::io(self.path.display(), e))?;
            self.rows += 1;
            self.listed += 1;
        }
        Ok(())
    }

    /// Closes one checked file, after its findings.
    pub fn file(&mut self, report: &FileReport, counts: Counts) {
        self.files.push(FileSummary {
            name: report.file.to_string(),
            format: report
                .detection
                .format
                .map_or("not classified".into(), |f| f.describe().to_string()),
            records: report.records,
            counts,
            listed: std::mem::take(&mut self.listed),
        });
    }

    fn row(&mut self, file: usize, d: &Diagnostic, source: &Path) -> io::Result<()> {
        let primary = d.primary();
        let snippet = render::snippet(d, source);
        let row = serde_json::json!([
            file,
            d.code.name,
            d.severity.as_str(),
            d.code.impact.as_str(),
            d.message,
            primary.map(|l| l.at.line),
            primary.map(|l| l.at.column),
            d.row,
            d.help,
            d.server_message,
            snippet.as_ref().map(|s| s.0),
            snippet.map(|s| s.1),
        ]);
        if self.rows > 0 {
            self.out.write_all(b",\n")?;
        }
        write_script_json(&mut self.out, &row)
    }

    /// Writes the summary, the script and the end of the page, and flushes it to disk.
    pub fn finish(mut self, files: u64, records: u64, total: Counts) -> Result<(), CliError> {
        let path = self.path.clone();
        let err = |e| CliError::io(path.display(), e);
        let counted = total.errors + total.warnings + total.notes;
        let meta = serde_json::json!({
            "files": self.files.iter().map(|f| serde_json::json!({
                "name": f.name,
                "format": f.format,
                "records": f.records,
                "errors": f.counts.errors,
                "warnings": f.counts.warnings,
                "notes": f.counts.notes,
                "listed": f.listed,
            })).collect::<Vec<_>>(),
            "codes": self.codes.iter().map(|(name, c)| serde_json::json!({
                "code": name, "impact": c.impact, "severity": c.severity, "count": c.count,
            })).collect::<Vec<_>>(),
            "summary": {
                "files": files, "records": records, "errors": total.errors,
                "warnings": total.warnings, "notes": total.notes,
                "findings": counted, "listed": self.rows,
            },
            "version": env!("CARGO_PKG_VERSION"),
        });
        self.out
            .write_all(b"]</script>\n<script type=\"application/json\" id=\"meta\">")
            .map_err(err)?;
        write_script_json(&mut self.out, &meta).map_err(err)?;
        self.out.write_all(b"</script>\n<script>").map_err(err)?;
        self.out.write_all(SCRIPT.as_bytes()).map_err(err)?;
        self.out
            .write_all(b"</script>\n</body>\n</html>\n")
            .map_err(err)?;
        self.out.flush().map_err(err)?;
        self.out.get_ref().sync_all().map_err(err)
    }
}

/// JSON that cannot end the `<script>` element it sits in: every `<` is written as `\u003c`
/// (still the same JSON value), so `</script>` or `<!--` in a message or snippet stays text.
fn write_script_json(out: &mut dyn Write, value: &serde_json::Value) -> io::Result<()> {
    let text = serde_json::to_string(value).map_err(io::Error::other)?;
    let mut rest = text.as_str();
    while let Some(i) = rest.find('<') {
        out.write_all(&rest.as_bytes()[..i])?;
        out.write_all(b"\\u003c")?;
        rest = &rest[i + 1..];
    }
    out.write_all(rest.as_bytes())
}

const HEAD: &str = r##"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>kbulk check report</title>
<style>
:root { --err:#c62828; --warn:#ef6c00; --note:#1565c0; --fg:#1d1d1f; --muted:#666; --line:#ddd; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); margin: 0; padding: 24px 32px; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 16px; margin: 28px 0 8px; }
.muted { color: var(--muted); }
.cards { display: flex; gap: 12px; flex-wrap: wrap; margin: 16px 0; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 10px 16px; min-width: 120px; }
.card b { display: block; font-size: 22px; }
.card.error b { color: var(--err); } .card.warning b { color: var(--warn); } .card.note b { color: var(--note); }
table { border-collapse: collapse; width: 100%; }
#findings { table-layout: fixed; }
#findings th:nth-child(1) { width: 22%; } #findings th:nth-child(2) { width: 6%; } #findings th:nth-child(3) { width: 7%; } #findings th:nth-child(4) { width: 7%; } #findings th:nth-child(5) { width: 16%; }
#findings td { overflow-wrap: anywhere; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: #f6f6f8; position: sticky; top: 0; }
#findings th { cursor: pointer; user-select: none; }
#findings th[data-dir="asc"]::after { content: " \25B2"; } #findings th[data-dir="desc"]::after { content: " \25BC"; }
.sev { font-weight: 600; } .sev.error { color: var(--err); } .sev.warning { color: var(--warn); } .sev.note { color: var(--note); }
.impact { border-radius: 4px; padding: 0 6px; font-size: 12px; background: #eee; white-space: nowrap; }
.impact.silent { background: #fde7e9; color: #8e0012; } .impact.job { background: #3a0010; color: #fff; } .impact.rejected { background: #fff0dc; color: #7a3b00; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; }
pre { background: #f6f6f8; border-radius: 6px; padding: 6px 8px; margin: 4px 0 0; overflow-x: auto; white-space: pre; }
.controls { display: flex; gap: 10px; flex-wrap: wrap; align-items: center; margin: 8px 0; }
.controls input { padding: 5px 8px; min-width: 260px; } .controls select { padding: 4px; }
.grid { display: grid; grid-template-columns: minmax(320px, 1fr) minmax(320px, 1fr); gap: 24px; }
svg text { font-size: 12px; fill: var(--fg); }
.help { color: var(--muted); } .server { color: #5d4037; }
</style>
</head>
<body>
<h1>kbulk check report</h1>
<div class="muted" id="generated"></div>
<div class="cards" id="cards"></div>
<div class="grid"><div><h2>Findings per file</h2><div id="chart"></div></div>
<div><h2>By impact</h2><table id="impacts"><thead><tr><th>impact</th><th>findings</th></tr></thead><tbody></tbody></table></div></div>
<h2>Files</h2>
<table id="files"><thead><tr><th>file</th><th>format</th><th>records</th><th>errors</th><th>warnings</th><th>notes</th></tr></thead><tbody></tbody></table>
<h2>By code</h2>
<table id="codes"><thead><tr><th>code</th><th>impact</th><th>severity</th><th>findings</th></tr></thead><tbody></tbody></table>
<h2>Findings</h2>
<div class="controls">
<input id="filter" type="search" placeholder="filter: code, message, file…" aria-label="filter findings">
<select id="severity" aria-label="severity"><option value="">every severity</option><option>error</option><option>warning</option><option>note</option></select>
<select id="impact" aria-label="impact"><option value="">every impact</option><option>rejected</option><option>silent</option><option>job</option><option>advice</option></select>
<span class="muted" id="shown"></span>
</div>
<table id="findings"><thead><tr><th data-key="file">file</th><th data-key="line">line</th><th data-key="severity">severity</th><th data-key="impact">impact</th><th data-key="code">code</th><th data-key="message">finding</th></tr></thead><tbody></tbody></table>
"##;

const SCRIPT: &str = r##"
"use strict";
window.kbulkErrors = [];
window.addEventListener("error", function (e) { window.kbulkErrors.push(String(e.message)); document.body.setAttribute("data-errors", window.kbulkErrors.join("; ")); });
(function () {
  var rows = JSON.parse(document.getElementById("rows").textContent);
  var meta = JSON.parse(document.getElementById("meta").textContent);
  var files = meta.files, s = meta.summary;
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    if (attrs) for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function cells(tr, values) { values.forEach(function (v) { tr.appendChild(el("td", null, v)); }); return tr; }
  document.getElementById("generated").textContent = "kbulk " + meta.version + " — " + s.files + " file" + (s.files === 1 ? "" : "s") + ", " + s.records + " records";
  var cards = document.getElementById("cards");
  [["errors", "error"], ["warnings", "warning"], ["notes", "note"], ["findings", ""], ["records", ""]].forEach(function (c) {
    var d = el("div", { "class": "card " + c[1] }); d.appendChild(el("b", null, s[c[0]])); d.appendChild(el("span", null, c[0])); cards.appendChild(d);
  });
  var ftb = document.querySelector("#files tbody");
  files.forEach(function (f) { ftb.appendChild(cells(el("tr"), [f.name, f.format, f.records, f.errors, f.warnings, f.notes])); });
  var ctb = document.querySelector("#codes tbody"), impacts = {};
  meta.codes.forEach(function (c) {
    var tr = el("tr"); var td = el("td"); td.appendChild(el("code", null, c.code)); tr.appendChild(td);
    var ti = el("td"); ti.appendChild(el("span", { "class": "impact " + c.impact }, c.impact)); tr.appendChild(ti);
    tr.appendChild(el("td", { "class": "sev " + c.severity }, c.severity)); tr.appendChild(el("td", null, c.count)); ctb.appendChild(tr);
    impacts[c.impact] = (impacts[c.impact] || 0) + c.count;
  });
  var itb = document.querySelector("#impacts tbody");
  Object.keys(impacts).sort().forEach(function (k) { var tr = el("tr"); var td = el("td"); td.appendChild(el("span", { "class": "impact " + k }, k)); tr.appendChild(td); tr.appendChild(el("td", null, impacts[k])); itb.appendChild(tr); });
  // The chart: one stacked bar per file (errors, warnings, notes), drawn as inline SVG.
  var NS = "http://www.w3.org/2000/svg", barH = 18, gap = 6, left = 200, width = 560;
  var max = 1; files.forEach(function (f) { max = Math.max(max, f.errors + f.warnings + f.notes); });
  var svg = document.createElementNS(NS, "svg");
  svg.setAttribute("width", width); svg.setAttribute("height", Math.max(1, files.length) * (barH + gap) + 4); svg.setAttribute("role", "img"); svg.setAttribute("aria-label", "findings per file");
  files.forEach(function (f, i) {
    var y = i * (barH + gap), x = left;
    var label = document.createElementNS(NS, "text"); label.setAttribute("x", 0); label.setAttribute("y", y + barH - 5);
    var name = f.name.length > 30 ? "…" + f.name.slice(-29) : f.name; label.textContent = name; svg.appendChild(label);
    [["errors", "#c62828"], ["warnings", "#ef6c00"], ["notes", "#1565c0"]].forEach(function (p) {
      var w = (width - left - 50) * f[p[0]] / max; if (w <= 0) return;
      var r = document.createElementNS(NS, "rect"); r.setAttribute("x", x); r.setAttribute("y", y); r.setAttribute("width", w); r.setAttribute("height", barH); r.setAttribute("fill", p[1]);
      var t = document.createElementNS(NS, "title"); t.textContent = f[p[0]] + " " + p[0]; r.appendChild(t); svg.appendChild(r); x += w;
    });
    var n = document.createElementNS(NS, "text"); n.setAttribute("x", x + 4); n.setAttribute("y", y + barH - 5); n.textContent = f.errors + f.warnings + f.notes; svg.appendChild(n);
  });
  document.getElementById("chart").appendChild(svg);
  // The findings table.
  var sevRank = { error: 0, warning: 1, note: 2 };
  var items = rows.map(function (r) {
    return { file: files[r[0]] ? files[r[0]].name : "", code: r[1], severity: r[2], impact: r[3], message: r[4], line: r[5] || 0, column: r[6], row: r[7], help: r[8], server: r[9], snippetLine: r[10], snippet: r[11] };
  });
  var tbody = document.querySelector("#findings tbody"), shown = document.getElementById("shown");
  items.forEach(function (it) {
    var tr = el("tr", { "class": "finding" });
    tr.appendChild(el("td", null, it.file));
    tr.appendChild(el("td", null, it.line ? it.line + ":" + it.column : ""));
    tr.appendChild(el("td", { "class": "sev " + it.severity }, it.severity));
    var ti = el("td"); ti.appendChild(el("span", { "class": "impact " + it.impact }, it.impact)); tr.appendChild(ti);
    var tc = el("td"); tc.appendChild(el("code", null, it.code)); tr.appendChild(tc);
    var tm = el("td"); tm.appendChild(el("div", null, (it.impact === "silent" ? "silent loss: " : "") + it.message));
    if (it.help) tm.appendChild(el("div", { "class": "help" }, "help: " + it.help));
    if (it.server) tm.appendChild(el("div", { "class": "server" }, "the server will report: " + it.server));
    if (it.row !== null && it.row !== undefined) tm.appendChild(el("div", { "class": "muted" }, "record " + it.row + " in the server's numbering"));
    if (it.snippet) {
      var lines = it.snippet.replace(/\n$/, "").split("\n"), first = it.snippetLine + 1;
      var width = String(first + lines.length).length;
      tm.appendChild(el("pre", null, lines.map(function (l, i) { var n = String(first + i); while (n.length < width) n = " " + n; return (first + i === it.line ? "▶" : " ") + n + " │ " + l; }).join("\n")));
    }
    tr.appendChild(tm);
    it.tr = tr; it.text = (it.file + " " + it.code + " " + it.message + " " + (it.help || "") + " " + (it.server || "")).toLowerCase();
    tbody.appendChild(tr);
  });
  var filter = document.getElementById("filter"), sevSel = document.getElementById("severity"), impSel = document.getElementById("impact");
  // The filter can come from the address (#filter=TEXT&severity=error&impact=silent), so a link can share a view.
  var params = new URLSearchParams(location.hash.slice(1));
  filter.value = params.get("filter") || ""; sevSel.value = params.get("severity") || ""; impSel.value = params.get("impact") || "";
  function apply() {
    var q = filter.value.trim().toLowerCase(), sv = sevSel.value, im = impSel.value, n = 0;
    items.forEach(function (it) {
      var ok = (!q || it.text.indexOf(q) >= 0) && (!sv || it.severity === sv) && (!im || it.impact === im);
      it.tr.style.display = ok ? "" : "none"; if (ok) n++;
    });
    var more = s.findings - s.listed;
    shown.textContent = n + " of " + items.length + " findings shown" + (more > 0 ? " (" + more + " more counted but not listed; raise --report-max)" : "");
    document.body.setAttribute("data-shown", n);
  }
  [filter, sevSel, impSel].forEach(function (c) { c.addEventListener("input", apply); c.addEventListener("change", apply); });
  document.querySelectorAll("#findings th").forEach(function (th) {
    th.addEventListener("click", function () {
      var key = th.getAttribute("data-key"), dir = th.getAttribute("data-dir") === "asc" ? "desc" : "asc";
      document.querySelectorAll("#findings th").forEach(function (o) { o.removeAttribute("data-dir"); });
      th.setAttribute("data-dir", dir);
      var sign = dir === "asc" ? 1 : -1;
      items.sort(function (a, b) {
        var x = a[key], y = b[key];
        if (key === "severity") { x = sevRank[x]; y = sevRank[y]; }
        if (key === "line") { x = a.file + "\u0000" + String(a.line).padStart(10, "0"); y = b.file + "\u0000" + String(b.line).padStart(10, "0"); }
        return x < y ? -sign : x > y ? sign : 0;
      });
      items.forEach(function (it) { tbody.appendChild(it.tr); });
    });
  });
  apply();
  document.body.setAttribute("data-ready", "1");
})();
"##;
