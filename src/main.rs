//! The `kbulk` command line: parses arguments, runs one subcommand, owns output and exit codes.
mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
