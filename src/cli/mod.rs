//! The command line: raw arguments in, validated settings out, one call into the
//! library, diagnostics on stderr, the exit code. Nothing is read before the arguments
//! and the settings file are known to make sense.

mod args;
mod settings;

use crate::commands::{self, Diagnostics};
use crate::error::Error;
use clap::Parser;
use std::io::{IsTerminal, Write};
use std::process::ExitCode;

/// Diagnostics to stderr, prefixed so they stand apart from data in a mixed stream.
struct Stderr {
    quiet: bool,
}

impl Diagnostics for Stderr {
    fn warning(&mut self, message: &str) {
        let _ = writeln!(std::io::stderr().lock(), "sverka: warning: {message}");
    }
    fn note(&mut self, message: &str) {
        if !self.quiet {
            let _ = writeln!(std::io::stderr().lock(), "sverka: {message}");
        }
    }
}

/// Runs sverka with the process's arguments and returns its exit code.
pub fn run() -> ExitCode {
    let cli = match args::Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            // Help and version go to stdout with code 0; usage errors to stderr with 2.
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    // Completions and the manual page describe the arguments: no settings, no inputs.
    match &cli.command {
        args::Cmd::Completions { shell } => {
            let mut cmd = <args::Cli as clap::CommandFactory>::command();
            let mut out = std::io::stdout().lock();
            clap_complete::generate(*shell, &mut cmd, "sverka", &mut out);
            return ExitCode::SUCCESS;
        }
        args::Cmd::Man { command } => {
            let cmd = <args::Cli as clap::CommandFactory>::command();
            let page = match command {
                None => cmd,
                Some(name) => match cmd.find_subcommand(name) {
                    // The page `sverka(1)` refers to as `sverka-report(1)`.
                    Some(sub) => sub.clone().name(format!("sverka-{name}")),
                    None => {
                        let _ = writeln!(
                            std::io::stderr().lock(),
                            "sverka: error: no command {name:?}: report, match, tasks, review, inspect, init, completions or man"
                        );
                        return ExitCode::from(2);
                    }
                },
            };
            let mut out = std::io::stdout().lock();
            return match clap_mangen::Man::new(page).render(&mut out) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
                Err(e) => {
                    let _ = writeln!(std::io::stderr().lock(), "sverka: error: {e}");
                    ExitCode::from(1)
                }
            };
        }
        _ => {}
    }
    let quiet = cli.global.quiet;
    let terminal_width = if std::io::stdout().is_terminal() {
        comfy_table::Table::new().width().or(Some(120))
    } else {
        None
    };
    let result = settings::command(cli, terminal_width)
        .and_then(|cmd| commands::run(&cmd, &mut Stderr { quiet }));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let prefix = match e {
                Error::Invariant(_) => "sverka: BUG",
                _ => "sverka: error",
            };
            let _ = writeln!(std::io::stderr().lock(), "{prefix}: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}
