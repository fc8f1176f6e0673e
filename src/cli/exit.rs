//! Exit codes and operational errors of the binary (data problems are diagnostics, not errors).
use std::process::ExitCode;

/// The outcome of a successful run, mapped to a documented exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// 0: nothing wrong was found (warnings allowed unless `--strict`).
    Clean,
    /// 1: the input has data problems (errors, or warnings under `--strict`; for `submit`, rows
    /// refused by the check or failed on the server).
    DataProblems,
    /// 3: a submission did not finish every row (not sent, given up after transient failures, or
    /// in doubt); `kbulk submit --resume` continues it.
    Incomplete,
    /// 130: a submission was interrupted (SIGINT or SIGTERM); `--resume` continues it.
    Interrupted,
}

impl Exit {
    /// The process exit code.
    pub fn code(self) -> u8 {
        match self {
            Exit::Clean => 0,
            Exit::DataProblems => 1,
            Exit::Incomplete => 3,
            Exit::Interrupted => 130,
        }
    }
}

/// An operational failure: I/O, configuration, HTTP. Exit code 2.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum CliError {
    /// A file or directory could not be read or written.
    #[error("{path}: {source}")]
    #[diagnostic(code(kbulk::io))]
    Io {
        /// The path involved.
        path: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The arguments are valid for clap but make no sense together.
    #[error("{0}")]
    #[diagnostic(code(kbulk::usage))]
    Usage(String),
    /// A submission could not go on (journal, session, configuration).
    #[error(transparent)]
    #[diagnostic(transparent)]
    Submit(Box<kbulk::submit::SubmitError>),
    /// Any other operational failure, with its message.
    #[error("{0}")]
    #[diagnostic(code(kbulk::failed))]
    Failed(String),
}

impl CliError {
    /// Wraps an I/O error with the path it concerns.
    pub fn io(path: impl std::fmt::Display, source: std::io::Error) -> Self {
        CliError::Io {
            path: path.to_string(),
            source,
        }
    }
}

/// Turns the outcome of a subcommand into the process exit code, printing an operational error.
pub fn finish(outcome: Result<Exit, CliError>) -> ExitCode {
    match outcome {
        Ok(exit) => ExitCode::from(exit.code()),
        Err(CliError::Io { source, .. }) if source.kind() == std::io::ErrorKind::BrokenPipe => {
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("{:?}", miette::Report::new(err));
            ExitCode::from(2)
        }
    }
}
