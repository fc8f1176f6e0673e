//! `kbulk explain`: the long explanation of a diagnostic code, or the table of all codes.
use std::io::Write;

use kbulk::codes::{all_codes, find_code, find_retired};

use super::{CliError, Exit};

/// Options of `kbulk explain`.
#[derive(Debug, clap::Args)]
#[command(
    after_long_help = "Examples:\n  kbulk explain resource::unknown-action\n  kbulk explain        (lists every code)"
)]
pub struct ExplainArgs {
    /// The code to explain (for example `resource::unknown-type`); omit it to list every code.
    pub code: Option<String>,
}

/// Runs `kbulk explain`.
pub fn run(args: &ExplainArgs) -> Result<Exit, CliError> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let w = |e| CliError::io("stdout", e);
    match &args.code {
        None => {
            for c in all_codes() {
                writeln!(
                    out,
                    "{:<36} {:<8} {:<9} {}",
                    c.name,
                    c.severity.as_str(),
                    c.impact.as_str(),
                    c.summary
                )
                .map_err(w)?;
            }
        }
        Some(name) => {
            if let Some(r) = find_retired(name.trim()) {
                writeln!(
                    out,
                    "{} (retired: no longer emitted)\n\nReplaced by {}.\n\n{}\n",
                    r.name,
                    r.replaced_by.join(", "),
                    textwrap(&format!("Why: {}.", r.why), 96)
                )
                .map_err(w)?;
                for new in r.replaced_by {
                    if let Some(c) = find_code(new) {
                        writeln!(
                            out,
                            "{:<24} {:<8} {:<9} {}",
                            c.name,
                            c.severity.as_str(),
                            c.impact.as_str(),
                            c.summary
                        )
                        .map_err(w)?;
                    }
                }
                return Ok(Exit::Clean);
            }
            let Some(c) = find_code(name.trim()) else {
                let near: Vec<_> = all_codes()
                    .into_iter()
                    .filter(|c| c.name.contains(name.trim()))
                    .map(|c| c.name)
                    .collect();
                let hint = if near.is_empty() {
                    "run `kbulk explain` to list every code".to_string()
                } else {
                    format!("did you mean: {}", near.join(", "))
                };
                return Err(CliError::Usage(format!("unknown code `{name}`; {hint}")));
            };
            writeln!(
                out,
                "{} ({}, {})\nOutcome: {}\n\n{}\n\n{}",
                c.name,
                c.severity.as_str(),
                c.impact.as_str(),
                c.impact.outcome(),
                c.summary,
                textwrap(c.explanation, 96)
            )
            .map_err(w)?;
        }
    }
    Ok(Exit::Clean)
}

fn textwrap(text: &str, width: usize) -> String {
    let mut out = String::new();
    let mut line = 0;
    for word in text.split_whitespace() {
        if line > 0 && line + 1 + word.len() > width {
            out.push('\n');
            line = 0;
        } else if line > 0 {
            out.push(' ');
            line += 1;
        }
        out.push_str(word);
        line += word.chars().count();
    }
    out
}
