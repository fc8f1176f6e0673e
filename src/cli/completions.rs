//! `kbulk completions` and `kbulk man`: shell completions and the man page, generated from the
//! same clap definition as the parser so they never drift from it.
use std::io::Write;

use clap::CommandFactory;
use clap_complete::Shell;

use super::{Cli, CliError, Exit};

/// Options of `kbulk completions`.
#[derive(Debug, clap::Args)]
#[command(after_help = "Install, for example:\n  \
    kbulk completions bash > ~/.local/share/bash-completion/completions/kbulk\n  \
    kbulk completions zsh  > \"${fpath[1]}/_kbulk\"\n  \
    kbulk completions fish > ~/.config/fish/completions/kbulk.fish\n  \
    kbulk completions powershell >> $PROFILE")]
pub struct CompletionsArgs {
    /// The shell to write completions for.
    #[arg(value_enum)]
    pub shell: Shell,
}

/// Options of `kbulk man`.
#[derive(Debug, clap::Args)]
#[command(after_help = "Install, for example:\n  \
    mkdir -p ~/.local/share/man/man1 && kbulk man > ~/.local/share/man/man1/kbulk.1")]
pub struct ManArgs {}

/// Writes the completion script for `args.shell` to stdout.
pub fn completions(args: &CompletionsArgs) -> Result<Exit, CliError> {
    let mut cmd = Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "kbulk", &mut out);
    write_stdout(&out)
}

/// Writes the roff man page of `kbulk` (all subcommands in one page) to stdout.
pub fn man(_args: &ManArgs) -> Result<Exit, CliError> {
    let cmd = Cli::command();
    let mut out = Vec::new();
    let man = clap_mangen::Man::new(cmd.clone());
    man.render(&mut out)
        .map_err(|e| CliError::io("man page", e))?;
    // One page for the whole tool: each subcommand's synopsis, options and help follow the
    // top-level page, as `git help`-less tools such as ripgrep ship it.
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        let name = format!("kbulk {}", sub.get_name());
        let sub = sub
            .clone()
            .display_name(name.clone())
            .bin_name(name.clone());
        writeln!(out, ".SH \"{}\"", name.to_uppercase())
            .map_err(|e| CliError::io("man page", e))?;
        let page = clap_mangen::Man::new(sub);
        page.render_synopsis_section(&mut out)
            .and_then(|()| page.render_description_section(&mut out))
            .and_then(|()| page.render_options_section(&mut out))
            .map_err(|e| CliError::io("man page", e))?;
    }
    write_stdout(&out)
}

fn write_stdout(bytes: &[u8]) -> Result<Exit, CliError> {
    let stdout = std::io::stdout();
    let mut lock = stdout.lock();
    lock.write_all(bytes)
        .and_then(|()| lock.flush())
        .map_err(|e| CliError::io("stdout", e))?;
    Ok(Exit::Clean)
}
