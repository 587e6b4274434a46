//! Inputs: the files and folders named on the command line, expanded, sorted and read.
//!
//! Folders are read recursively, hidden files and folders skipped. Files are sorted by
//! path so that naming the same inputs in another order gives the same output. A file
//! named on the command line must be readable; inside a folder a file of no known format
//! is skipped with a warning, but a recognised file that cannot be read fails the run:
//! a register silently missing a statement is worse than none.

use crate::formats::{self, Detected, FileRead, Format};
use crate::model::{FileId, Sources, Warning};
use std::io::Read;
use std::path::{Path, PathBuf};

/// How much of a file is read to tell its format.
const HEAD: usize = 1 << 20;

/// The largest file read whole (lists, XML, workbooks): 4 GiB. A bank statement is read
/// as a stream and has no size limit.
pub const MAX_WHOLE_FILE: u64 = 4 << 30;

/// What happened to one file.
#[derive(Debug)]
pub enum Outcome {
    Read(FileRead),
    /// Inside a folder and of no format sverka reads: skipped with a warning.
    Skipped(String),
    /// Inside a folder and one of sverka's own files (a saved report, the overrides,
    /// rates, managers or calendar file): left out with a note, never read as an input.
    Ignored(String),
    /// Cannot be read: the run fails (after `inspect` has listed everything).
    Failed {
        line: Option<u32>,
        message: String,
    },
}

/// One input file and what reading it gave.
#[derive(Debug)]
pub struct Loaded {
    pub file: FileId,
    pub path: PathBuf,
    /// Named on the command line (as opposed to found in a folder).
    pub named: bool,
    pub outcome: Outcome,
}

/// All inputs read.
#[derive(Debug)]
pub struct Inputs {
    pub sources: Sources,
    pub files: Vec<Loaded>,
}

impl Inputs {
    /// The first file that could not be read, as an error.
    pub fn first_failure(&self) -> Option<crate::Error> {
        self.files.iter().find_map(|f| match &f.outcome {
            Outcome::Failed { line, message } => Some(crate::Error::Input {
                path: f.path.clone(),
                line: *line,
                message: message.clone(),
            }),
            _ => None,
        })
    }

    /// Every warning: the readers' ones and the skipped files, in file order. A file
    /// with documents it could not read ends with a count of them.
    pub fn warnings(&self) -> Vec<Warning> {
        let mut out = Vec::new();
        for f in &self.files {
            match &f.outcome {
                Outcome::Read(r) => {
                    out.extend(r.warnings.iter().cloned());
                    if r.skipped > 0 {
                        out.push(Warning::file(
                            f.file,
                            format!(
                                "{} of {} document(s) could not be read and are left out of the \
                                 register (each is named above with its line): correct them in the \
                                 export, or run with --strict to stop on them",
                                r.skipped,
                                r.read_count() + r.skipped
                            ),
                        ));
                    }
                }
                Outcome::Skipped(why) => out.push(Warning::file(f.file, why.clone())),
                Outcome::Failed { .. } | Outcome::Ignored(_) => {}
            }
        }
        out
    }
}

/// Lists the files under the inputs: (path, named on the command line), sorted, unique.
pub fn expand(inputs: &[PathBuf]) -> crate::Result<Vec<(PathBuf, bool)>> {
    let mut files: Vec<(PathBuf, bool)> = Vec::new();
    for input in inputs {
        let meta = std::fs::metadata(input).map_err(|source| crate::Error::Io {
            path: input.clone(),
            source,
        })?;
        if meta.is_dir() {
            walk(input, &mut files)?;
        } else {
            files.push((input.clone(), true));
        }
    }
    files.sort();
    // The same file named twice, or named and found in a folder, is read once.
    files.dedup_by(|b, a| {
        if a.0 == b.0 {
            a.1 |= b.1;
            true
        } else {
            false
        }
    });
    Ok(files)
}

fn is_hidden(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with('.'))
}

fn walk(dir: &Path, out: &mut Vec<(PathBuf, bool)>) -> crate::Result<()> {
    let entries = std::fs::read_dir(dir).map_err(|source| crate::Error::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    for entry in entries {
        let entry = entry.map_err(|source| crate::Error::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        let path = entry.path();
        // Hidden files, and our own settings file kept beside the exports.
        if is_hidden(&path) || path.file_name().is_some_and(|n| n == "sverka.toml") {
            continue;
        }

        let file_type = entry.file_type().map_err(|source| crate::Error::Io {
            path: path.clone(),
            source,
        })?;
        if file_type.is_dir() {
            walk(&path, out)?;
        } else if file_type.is_file() || (file_type.is_symlink() && path.is_file()) {
            out.push((path, false));
        }
    }
    Ok(())
}

/// Reads every input file, on as many threads as there are cores (up to
/// [`crate::par::MAX_THREADS`]): the largest files first, so a big statement starts at once and the
/// lists are read beside it. What each file gives does not depend on the threads: the
/// results are put back in path order.
pub fn load(inputs: &[PathBuf]) -> crate::Result<Inputs> {
    let list = expand(inputs)?;
    let sources = Sources::new(list.iter().map(|(p, _)| p.clone()).collect());
    let mut order: Vec<(u64, usize)> = list
        .iter()
        .enumerate()
        .map(|(i, (p, _))| (std::fs::metadata(p).map_or(0, |m| m.len()), i))
        .collect();
    order.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let threads = crate::par::threads_for_tasks(list.len());
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut results: Vec<Option<crate::Result<Loaded>>> = (0..list.len()).map(|_| None).collect();
    let work = || {
        let mut done = Vec::new();
        loop {
            let k = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let Some(&(_, i)) = order.get(k) else {
                return done;
            };
            let (path, named) = &list[i];
            done.push((i, load_one(i as FileId, path.clone(), *named)));
        }
    };
    if threads <= 1 {
        for (i, r) in work() {
            results[i] = Some(r);
        }
    } else {
        std::thread::scope(|scope| {
            let handles: Vec<_> = (1..threads).map(|_| scope.spawn(work)).collect();
            let mut all = work();
            for h in handles {
                // A reader that panicked is a bug; let it surface as one.
                all.extend(h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)));
            }
            for (i, r) in all {
                results[i] = Some(r);
            }
        });
    }
    let mut files = Vec::with_capacity(list.len());
    for r in results {
        // Every index was handed out exactly once.
        files.push(r.expect("every file is read")?);
    }
    Ok(Inputs { sources, files })
}

/// Reads one file: the head tells the format; a statement is then read as a stream (a
/// year of them is gigabytes), anything else whole.
fn load_one(file: FileId, path: PathBuf, named: bool) -> crate::Result<Loaded> {
    let io = |source| crate::Error::Io {
        path: path.clone(),
        source,
    };
    let mut f = std::fs::File::open(&path).map_err(io)?;
    let meta = f.metadata().ok();
    let mut head = Vec::new();
    (&mut f)
        .take(HEAD as u64)
        .read_to_end(&mut head)
        .map_err(io)?;
    let mut outcome = if formats::detect(&head) == Detected::Known(Format::ClientBank) {
        // A regular file is read again from its start, in parts on all cores when big;
        // a pipe goes on from the bytes already taken.
        let read = if meta.as_ref().is_some_and(|m| m.is_file()) {
            drop((head, f));
            formats::clientbank::read_file(&path, file)
        } else {
            let stream = std::io::Cursor::new(head).chain(std::io::BufReader::new(f));
            formats::clientbank::read_from(stream, file)
        };
        match read {
            Ok(r) => Outcome::Read(r),
            Err(e) => Outcome::Failed {
                line: e.line,
                message: cannot_read(Format::ClientBank, &e.message),
            },
        }
    } else if let Some(size) = meta
        .as_ref()
        .map(|m| m.len())
        .filter(|&size| size > MAX_WHOLE_FILE)
    {
        too_big(&head, size, named)
    } else {
        let mut bytes = head;
        // Room for the whole file at once: growing by doubling would copy it and hold
        // two copies at the peak.
        let size = meta
            .as_ref()
            .and_then(|m| usize::try_from(m.len()).ok())
            .unwrap_or(0);
        bytes.reserve_exact((size + 1).saturating_sub(bytes.len()));
        f.read_to_end(&mut bytes).map_err(io)?;
        read_one(&bytes, file, named)
    };
    if let Outcome::Read(r) = &mut outcome {
        // The documents stay until the run ends: no spare capacity.
        r.documents.shrink_to_fit();
        // Files that do not say when they were exported (lists saved by hand) are as new
        // as their modification time.
        if r.exported.is_none() {
            r.exported = meta
                .as_ref()
                .and_then(|m| m.modified().ok())
                .map(|t| chrono::DateTime::<chrono::Local>::from(t).naive_local());
        }
    }
    Ok(Loaded {
        file,
        path,
        named,
        outcome,
    })
}

/// Why a recognised file cannot be read, and what to do about it: the run stops rather
/// than print a register without the file.
fn cannot_read(format: Format, why: &str) -> String {
    let again = match format {
        Format::ClientBank => "export the statement from the bank client again",
        Format::CommerceMl | Format::EnterpriseData => "export it from 1C again",
        Format::Delimited | Format::Xlsx => "save the list again",
    };
    let how = if why.contains(" again") {
        String::new()
    } else {
        format!("{again}, or ")
    };
    format!(
        "cannot read this {}: {why}. The register is not printed without it: {how}move the file \
         out of the inputs to build the register without it",
        format.name()
    )
}

/// A file over [`MAX_WHOLE_FILE`] that is no statement: refused unread (skipped when it
/// was found in a folder and is of no format sverka reads).
fn too_big(head: &[u8], size: u64, named: bool) -> Outcome {
    let known = matches!(formats::detect(head), Detected::Known(_));
    let message = format!(
        "the file is {size} bytes, more than the {} GiB sverka reads whole (only bank statements \
         are read as a stream): export a shorter period or split the list",
        MAX_WHOLE_FILE >> 30
    );
    if named || known {
        Outcome::Failed {
            line: None,
            message,
        }
    } else {
        Outcome::Skipped(format!("{message}; skipped"))
    }
}

fn read_one(bytes: &[u8], file: FileId, named: bool) -> Outcome {
    let not_readable = |what: String| {
        if named {
            Outcome::Failed {
                line: None,
                message: what,
            }
        } else {
            Outcome::Skipped(format!("{what}; skipped"))
        }
    };
    if bytes.is_empty() {
        return not_readable("the file is empty".into());
    }
    match formats::detect(bytes) {
        Detected::Known(format) => match formats::read(format, bytes, file) {
            Ok(r) => Outcome::Read(r),
            Err(e) => Outcome::Failed {
                line: e.line,
                message: cannot_read(format, &e.message),
            },
        },
        Detected::Unsupported(what) => not_readable(format!("{what}: this format is not read yet")),
        Detected::Own(what) if named => Outcome::Failed {
            line: None,
            message: format!("{what}, not an input"),
        },
        Detected::Own(what) => Outcome::Ignored(format!("{what}: not an input, left out")),
        Detected::Unknown => not_readable(
            "not a format sverka reads (a 1CClientBankExchange statement, CommerceML or EnterpriseData XML, or a CSV/XLSX list with number, date, amount and counterparty columns)"
                .into(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A sparse file just over the limit: refused unread, with its size.
    #[test]
    fn a_file_over_the_whole_file_limit_is_refused_with_its_size() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("huge.csv");
        let f = std::fs::File::create(&path).unwrap();
        std::io::Write::write_all(&mut &f, "Номер;Дата;Контрагент;Сумма\n".as_bytes()).unwrap();
        f.set_len(MAX_WHOLE_FILE + 1).unwrap();
        drop(f);
        let inputs = load(std::slice::from_ref(&path)).unwrap();
        let e = inputs.first_failure().expect("refused").to_string();
        assert!(e.contains("huge.csv"), "{e}");
        assert!(e.contains(&format!("{} bytes", MAX_WHOLE_FILE + 1)), "{e}");
        assert!(e.contains("more than the 4 GiB"), "{e}");
        // Found in a folder and recognised as a list: still fails the run.
        let inputs = load(&[dir.path().to_path_buf()]).unwrap();
        assert!(inputs.first_failure().is_some());
    }
}
