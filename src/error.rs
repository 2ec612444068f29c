//! The library's one error type. Every variant carries enough context (file, line, field,
//! parameter) for the binary to print a message a user can act on without a backtrace.

use std::path::PathBuf;

/// Result alias used throughout the library.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in samestory's pipeline.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A record could not be read: bad JSON, bad UTF-8, a missing or mistyped field.
    #[error("{path}:{line}: {field}: {reason}")]
    Parse {
        /// File the record came from (`-` for stdin).
        path: String,
        /// 1-based line number (0 when the error concerns the whole file).
        line: u64,
        /// Field concerned, or `record` when it is the record as a whole.
        field: String,
        /// What is wrong, in words.
        reason: String,
    },
    /// An input cannot be read as a whole: it holds no article, or is compressed in a format
    /// we do not read.
    #[error("{path}: {reason}")]
    Input {
        /// The input concerned (`-` for stdin).
        path: String,
        /// What is wrong, in words.
        reason: String,
    },
    /// Reading or writing a file failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file concerned.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A parameter is out of range or inconsistent with another.
    #[error("invalid parameter {name}: {reason}")]
    InvalidParam {
        /// Flag or field name.
        name: String,
        /// Why it is rejected.
        reason: String,
    },
}

impl Error {
    /// Builds an [`Error::Io`] for `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io { path: path.into(), source }
    }

    /// Builds an [`Error::InvalidParam`].
    pub fn param(name: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::InvalidParam { name: name.into(), reason: reason.into() }
    }

    /// Builds an [`Error::Parse`].
    pub fn parse(
        path: impl Into<String>,
        line: u64,
        field: impl Into<String>,
        reason: impl Into<String>,
    ) -> Self {
        Error::Parse { path: path.into(), line, field: field.into(), reason: reason.into() }
    }

    /// Builds an [`Error::Input`].
    pub fn input(path: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::Input { path: path.into(), reason: reason.into() }
    }

    /// True when the error is a broken pipe on output, which a CLI should treat as a quiet exit.
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, Error::Io { source, .. } if source.kind() == std::io::ErrorKind::BrokenPipe)
    }
}
