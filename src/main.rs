//! The `kbulk` command line: parses arguments, runs one subcommand, owns output and exit codes.
fn main() {}
