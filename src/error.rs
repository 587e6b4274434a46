//! The errors a run can end with. Each names what the user can act on: the file, the
//! line, the offending value. Exit codes: 1 for all of these, 2 for wrong usage.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A file named on the command line (or recognised in a folder) that cannot be read.
    #[error("{}", render_input(path, *line, message))]
    Input {
        path: PathBuf,
        line: Option<u32>,
        message: String,
    },
    #[error("settings {path}: {message}")]
    Config { path: PathBuf, message: String },
    /// Options that contradict each other or values that make no sense.
    #[error("{0}")]
    Usage(String),
    /// The output could not be built.
    #[error("{0}")]
    Render(String),
    /// `--strict` and there were warnings.
    #[error("{0} warning(s) and --strict is set")]
    Strict(usize),
    #[error(transparent)]
    Invariant(#[from] crate::aging::InvariantError),
    #[error("cannot write {path}: {source}")]
    Output {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

fn render_input(path: &std::path::Path, line: Option<u32>, message: &str) -> String {
    match line {
        Some(l) => format!("{}:{l}: {message}", path.display()),
        None => format!("{}: {message}", path.display()),
    }
}

impl Error {
    /// The process exit code for this error.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Usage(_) | Error::Config { .. } => 2,
            _ => 1,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
