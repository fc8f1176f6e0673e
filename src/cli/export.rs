//! `kbulk export apps`: pages through the App Registry's `list` (delta sync from a watermark),
//! writes App JSON Lines or App CSV that `check` and `submit` read back unchanged, and prints the
//! new `updatedAt` watermark. Also the App Registry flags `submit` and `check --against` share.
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::PathBuf;
use std::time::Duration;

use kbulk::formats::app::writer::{CsvWriter, write_jsonl};
use kbulk::formats::csv::table_writer::TableCsvWriter;
use kbulk::record::App;
use kbulk::record::app::Existing;
use kbulk::record::{JsonRecord, Record, RecordData, category, category_user, user};
use kbulk::source::{Origin, Span};
use kbulk::submit::auth::{Credentials, Secret, redact};
use kbulk::submit::client::Client;
use kbulk::submit::export::{self as api_export, Listed};
use kbulk::submit::registry::{self, Registry};
use kbulk::submit::retry::RetryPolicy;

use super::{CliError, Exit};

/// Where the App Registry is: a region or a base URL.
#[derive(Debug, Clone, clap::Args)]
pub struct RegistryArgs {
    /// App Registry region: nvp1 (the default, https://app-registry.nvp1.ovp.kaltura.com/api/v1),
    /// irp2 (EU) or frp2 (DE). The contract gives no host for irp2 and frp2: with them, give
    /// --app-registry-url too.
    #[arg(long, value_name = "REGION", env = "KALTURA_APP_REGISTRY_REGION",
          value_parser = clap::builder::PossibleValuesParser::new(registry::REGIONS))]
    pub region: Option<String>,
    /// App Registry base URL (`https://.../api/v1`, e.g. the sandbox's); wins over --region.
    #[arg(
        long = "app-registry-url",
        visible_alias = "url",
        value_name = "URL",
        env = "KALTURA_APP_REGISTRY_URL"
    )]
    pub url: Option<String>,
}

impl RegistryArgs {
    /// The base URL to use: --app-registry-url, else the region's (nvp1 by default; the other
    /// regions have no documented host and need the URL).
    pub fn base(&self) -> Result<String, CliError> {
        if let Some(u) = self.url.clone().filter(|u| !u.is_empty()) {
            return Ok(u);
        }
        let region = self.region.as_deref().unwrap_or(registry::REGIONS[0]);
        registry::region_url(region).map_err(CliError::Usage)
    }
}

/// What `kbulk export` can export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportWhat {
    /// App Registry applications.
    Apps,
    /// Categories (`category.list`), as updates by categoryId: a category CSV.
    Categories,
    /// Users (`user.list`, group users left out), as add-or-update by userId: a user CSV.
    Users,
    /// Category users (entitlements), listed per category: a category-user CSV.
    CategoryUsers,
    /// Category entries, listed per category, as the moderation that keeps each one
    /// (active → 7, rejected → 8; pending ones are left out): a category-entry CSV.
    CategoryEntries,
}

/// The file formats of an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    /// JSON Lines: apps as App JSON Lines (one App object per line, as the service returns
    /// it), the other kinds as kbulk JSON Lines.
    Jsonl,
    /// CSV: App CSV (a header of App fields, nested fields as dotted names), or the kind's
    /// Kaltura CSV.
    Csv,
}

/// Options of `kbulk export`.
#[derive(Debug, clap::Args)]
#[command(after_long_help = "\
Lists every app whose updatedAt is at or after --since (all apps without it), 5000 per page, and \
writes them to --output (stdout by default). The newest updatedAt seen is printed as \
`watermark: TIMESTAMP` (on stdout with --output, on stderr otherwise): pass it as --since next \
time to fetch only what changed. The files read back with `kbulk check` and `kbulk submit` as \
they are; submitting an unchanged export changes nothing.

Authentication: an ADMIN KS (--ks or KALTURA_KS; ANALYTICS_BASE is enough for listing), or \
--service-url, --partner-id and --admin-secret (KALTURA_SERVICE_URL, KALTURA_PARTNER_ID, \
KALTURA_ADMIN_SECRET) to open an ADMIN session with session.start.

Examples:
  kbulk export apps --region nvp1 --format csv -o apps.csv
  kbulk export apps --since 2026-06-14T00:00:00Z -o delta.jsonl
  kbulk export apps --url http://127.0.0.1:8080/api/v1 > apps.jsonl

categories, users, category-users and category-entries page through the Kaltura API's list \
(500 per page; memberships and assignments category by category, as categoryUser.list needs a \
filter) at --service-url, and write the kind's Kaltura CSV (--format csv) or kbulk JSON Lines. \
The rows say what keeps each object as it is (categories: update by categoryId; users and \
category users: add or update; category entries: activate or reject), so submitting an \
unchanged export changes nothing. --since does not apply to them.
  kbulk export categories --service-url https://www.kaltura.com --format csv -o cats.csv
  kbulk export category-users --format csv -o members.csv")]
pub struct ExportArgs {
    /// What to export.
    #[arg(value_enum)]
    pub what: ExportWhat,
    /// Only apps updated at or after this ISO 8601 instant (the last export's watermark).
    #[arg(long, value_name = "WATERMARK")]
    pub since: Option<String>,
    /// Output format (default: CSV when --output ends in `.csv`, else JSON Lines).
    #[arg(long, value_enum)]
    pub format: Option<ExportFormat>,
    /// Write to this file instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Apps per list call (1 to 5000).
    #[arg(long, value_name = "N", default_value_t = registry::MAX_PAGE as u32,
          value_parser = clap::value_parser!(u32).range(1..=5000))]
    pub page_size: u32,
    /// The KS (or how to open a session).
    #[command(flatten)]
    pub session: KsArgs,
    /// Where the App Registry is.
    #[command(flatten)]
    pub registry: RegistryArgs,
    /// Seconds allowed for one request.
    #[arg(long, value_name = "SECS", default_value_t = 120)]
    pub timeout: u64,
}

impl ExportArgs {
    /// The format asked for, or the one the output file's extension names (`.csv`: CSV).
    fn file_format(&self) -> ExportFormat {
        self.format.unwrap_or_else(|| {
            let csv = self
                .output
                .as_deref()
                .and_then(|p| p.extension())
                .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
            if csv {
                ExportFormat::Csv
            } else {
                ExportFormat::Jsonl
            }
        })
    }
}

/// How the App Registry commands (`export`, `check --against`) get their KS: as is, or from an
/// ADMIN session opened with the partner's admin secret on the Kaltura service.
#[derive(Debug, Clone, clap::Args)]
#[command(next_help_heading = "App Registry session")]
pub struct KsArgs {
    /// The KS sent to the App Registry as `Authorization: Bearer` (an ADMIN KS).
    #[arg(long, value_name = "KS", env = "KALTURA_KS", hide_env_values = true)]
    pub ks: Option<String>,
    /// Without --ks: the Kaltura service URL where session.start opens an ADMIN session.
    #[arg(long, value_name = "URL", env = "KALTURA_SERVICE_URL")]
    pub service_url: Option<String>,
    /// Without --ks: the partner id of that session.
    #[arg(long, value_name = "ID", env = "KALTURA_PARTNER_ID")]
    pub partner_id: Option<i64>,
    /// Without --ks: the partner's admin secret for session.start. Never printed.
    #[arg(
        long,
        value_name = "SECRET",
        env = "KALTURA_ADMIN_SECRET",
        hide_env_values = true
    )]
    pub admin_secret: Option<String>,
}

impl KsArgs {
    /// The KS: --ks, else an ADMIN session from --admin-secret (retried like submit's), else a
    /// usage error saying what to give.
    pub fn ks(&self) -> Result<Secret, CliError> {
        let nonempty = |v: &Option<String>| v.clone().filter(|s| !s.is_empty());
        if let Some(ks) = nonempty(&self.ks) {
            return Ok(Secret::new(ks));
        }
        let (Some(secret), Some(partner_id), Some(url)) = (
            nonempty(&self.admin_secret),
            self.partner_id,
            nonempty(&self.service_url),
        ) else {
            return Err(CliError::Usage(
                "the App Registry needs a KS: give --ks (or KALTURA_KS), or --service-url, \
                 --partner-id and --admin-secret (or their KALTURA_* variables) to open an \
                 ADMIN session"
                    .into(),
            ));
        };
        let client = Client::new(&url, Duration::from_secs(120)).map_err(CliError::Usage)?;
        let creds = Credentials::AdminSecret {
            partner_id,
            secret: Secret::new(secret),
            user_id: String::new(),
        };
        creds
            .session_with_retry(&client, &RetryPolicy::default(), &std::thread::sleep)
            .map_err(|e| CliError::Failed(redact(&e.to_string(), &creds.secrets())))
    }
}

/// Every app of the registry at `base`, for `check --against`.
pub fn existing(base: &str, ks: &Secret) -> Result<Existing, CliError> {
    let reg = Registry::new(base, Duration::from_secs(120)).map_err(CliError::Usage)?;
    let export = reg
        .export(
            ks,
            None,
            registry::MAX_PAGE,
            &RetryPolicy::default(),
            &std::thread::sleep,
        )
        .map_err(|e| CliError::Failed(format!("{base}: {e}")))?;
    let apps = export
        .apps
        .into_iter()
        .filter_map(|v| serde_json::from_value::<App>(v).ok())
        .collect();
    Ok(Existing {
        source: reg.base().to_string(),
        apps,
    })
}

/// Runs `kbulk export`.
pub fn run(args: &ExportArgs) -> Result<Exit, CliError> {
    let listed = match args.what {
        ExportWhat::Apps => None,
        ExportWhat::Categories => Some(Listed::Categories),
        ExportWhat::Users => Some(Listed::Users),
        ExportWhat::CategoryUsers => Some(Listed::CategoryUsers),
        ExportWhat::CategoryEntries => Some(Listed::CategoryEntries),
    };
    if let Some(listed) = listed {
        return run_api(args, listed);
    }
    if let Some(s) = &args.since
        && s.parse::<jiff::Timestamp>().is_err()
        && s.parse::<jiff::civil::Date>().is_err()
    {
        return Err(CliError::Usage(format!(
            "--since {s:?} is not an ISO 8601 instant (2026-06-14T00:00:00Z) or day"
        )));
    }
    let ks = args.session.ks()?;
    let base = args.registry.base()?;
    let reg =
        Registry::new(&base, Duration::from_secs(args.timeout.max(1))).map_err(CliError::Usage)?;
    let export = reg
        .export(
            &ks,
            args.since.as_deref(),
            args.page_size as usize,
            &RetryPolicy::default(),
            &std::thread::sleep,
        )
        .map_err(|e| CliError::Failed(format!("{base}: {e}")))?;
    let mut apps = Vec::with_capacity(export.apps.len());
    for v in &export.apps {
        let app: App = serde_json::from_value(v.clone()).map_err(|e| {
            CliError::Failed(format!("{base}: an app of the list is not an App: {e}"))
        })?;
        apps.push(app);
    }
    let write = |out: &mut dyn Write| -> io::Result<()> {
        match args.file_format() {
            ExportFormat::Jsonl => {
                for a in &apps {
                    write_jsonl(out, a)?;
                }
            }
            ExportFormat::Csv => {
                let mut w = CsvWriter::new(&mut *out);
                for a in &apps {
                    w.write(a)?;
                }
                w.finish()?;
            }
        }
        out.flush()
    };
    let watermark = export
        .watermark
        .or_else(|| args.since.clone())
        .unwrap_or_default();
    match &args.output {
        Some(path) => {
            let file = File::create(path).map_err(|e| CliError::io(path.display(), e))?;
            write(&mut BufWriter::new(file)).map_err(|e| CliError::io(path.display(), e))?;
            println!("exported {} apps to {}", apps.len(), path.display());
            println!("watermark: {watermark}");
        }
        None => {
            let stdout = io::stdout();
            write(&mut BufWriter::new(stdout.lock())).map_err(|e| CliError::io("stdout", e))?;
            eprintln!("exported {} apps", apps.len());
            eprintln!("watermark: {watermark}");
        }
    }
    Ok(Exit::Clean)
}

/// `kbulk export categories|users|category-users|category-entries`: the Kaltura API's lists.
fn run_api(args: &ExportArgs, listed: Listed) -> Result<Exit, CliError> {
    if args.since.is_some() {
        return Err(CliError::Usage(
            "--since applies to `kbulk export apps` only".into(),
        ));
    }
    let url = args
        .session
        .service_url
        .clone()
        .filter(|u| !u.is_empty())
        .ok_or_else(|| {
            CliError::Usage("--service-url (or KALTURA_SERVICE_URL) is required".into())
        })?;
    let ks = args.session.ks()?;
    let client =
        Client::new(&url, Duration::from_secs(args.timeout.max(1))).map_err(CliError::Usage)?;
    let exported = api_export::export(
        &client,
        &ks,
        listed,
        &RetryPolicy::default(),
        &std::thread::sleep,
    )
    .map_err(|e| CliError::Failed(redact(&format!("{url}: {e}"), &[ks.expose()])))?;
    let spec = match listed {
        Listed::Categories => &category::SPEC,
        Listed::Users => &user::SPEC,
        Listed::CategoryUsers => &category_user::SPEC,
        Listed::CategoryEntries => &category_user::ENTRY_SPEC,
    };
    let records: Vec<Record> = exported
        .records
        .into_iter()
        .enumerate()
        .map(|(i, data): (usize, RecordData)| Record {
            origin: Origin {
                file: "export".into(),
                span: Span::default(),
                line: i as u64 + 2,
                row: i as u64 + 1,
                raw: None,
            },
            data,
        })
        .collect();
    let write = |out: &mut dyn Write| -> io::Result<()> {
        match args.file_format() {
            ExportFormat::Jsonl => {
                for r in &records {
                    serde_json::to_writer(&mut *out, &JsonRecord::from(r))?;
                    out.write_all(b"\n")?;
                }
            }
            ExportFormat::Csv => {
                let mut w = TableCsvWriter::new(spec, &mut *out);
                let mut lost = Vec::new();
                for r in &records {
                    w.write(&r.data, &r.origin, &mut lost)?;
                }
                w.finish()?;
                if let Some(d) = lost.first() {
                    return Err(io::Error::other(format!(
                        "a value cannot be written to the CSV: {}; export with --format jsonl",
                        d.message
                    )));
                }
            }
        }
        out.flush()
    };
    let what = match listed {
        Listed::Categories => "categories",
        Listed::Users => "users",
        Listed::CategoryUsers => "category users",
        Listed::CategoryEntries => "category entries",
    };
    match &args.output {
        Some(path) => {
            let file = File::create(path).map_err(|e| CliError::io(path.display(), e))?;
            write(&mut BufWriter::new(file)).map_err(|e| CliError::io(path.display(), e))?;
            println!("exported {} {what} to {}", records.len(), path.display());
        }
        None => {
            let stdout = io::stdout();
            write(&mut BufWriter::new(stdout.lock())).map_err(|e| CliError::io("stdout", e))?;
            eprintln!("exported {} {what}", records.len());
        }
    }
    for s in &exported.skipped {
        eprintln!("not exported: {s}");
    }
    Ok(Exit::Clean)
}
