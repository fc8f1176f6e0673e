//! `kbulk sandbox`: placeholder wiring, replaced by the sandbox work.
use super::{CliError, Exit};

/// Options of `kbulk sandbox`.
#[derive(Debug, clap::Args)]
pub struct SandboxArgs {}

/// Runs the sandbox server.
pub fn run(_args: &SandboxArgs) -> Result<Exit, CliError> {
    Err(CliError::Failed(
        "the sandbox is being built on the sandbox branch".into(),
    ))
}
