//! Diagnostics: what went wrong in the user's project, where, and what to do about it.
//!
//! Promises: every [`Diagnostic`] displays as `path:line:col: message` (line and column
//! 1-based, columns counted in characters), and [`BuildError`] displays every collected
//! diagnostic, one per line, so the user sees all problems of a build at once.

use std::fmt;
use std::path::PathBuf;

use ruff_source_file::LineIndex;
use ruff_text_size::TextSize;

/// One problem in one source file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// The file as the user knows it (relative to the project root when it is inside it).
    pub path: PathBuf,
    pub line: usize,
    pub column: usize,
    /// What is wrong and, after ` — `, what to write instead.
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.path.display(),
            self.line,
            self.column,
            self.message
        )
    }
}

/// Why a build failed.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// Problems in the user's Python code (all of them, in file order).
    #[error("{}", list(.0))]
    Diagnostics(Vec<Diagnostic>),
    /// The entry file cannot be read.
    #[error("cannot read {path}: {source} — check the path given for main.py")]
    Entry {
        path: PathBuf,
        source: std::io::Error,
    },
    /// `stdlib.json` / `stdlib.bin` are unusable.
    #[error("the bundled standard library assets are unusable: {0} — rebuild them with runtime/build-assets.sh")]
    Assets(String),
    /// The runtime template cannot be assembled into a canister.
    #[error("the runtime template is unusable: {0} — rebuild it with runtime/build-assets.sh")]
    Template(String),
    /// The assembled module breaks a rule the IC checks at install time (every problem
    /// found, one per line). Never the user's Python, except for too many or too long
    /// method names.
    #[error("the canister module would be rejected by the Internet Computer:\n{}\n— if this is about the method count or names, export fewer or shorter methods; otherwise the runtime template is wrong: rebuild it with runtime/build-assets.sh and report the problem", .0.join("\n"))]
    Rejected(Vec<String>),
    /// The generated Candid did not parse back (a compiler bug, never the user's fault).
    #[error("internal error: the generated Candid interface does not parse back: {0}")]
    Candid(String),
}

impl BuildError {
    /// The user-code diagnostics, if that is what this error is.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        match self {
            BuildError::Diagnostics(d) => d,
            _ => &[],
        }
    }
}

fn list(diags: &[Diagnostic]) -> String {
    diags
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

/// A source file's text and what is needed to turn byte offsets into positions.
pub struct SourceText {
    pub display_path: PathBuf,
    pub text: String,
    index: LineIndex,
}

impl SourceText {
    pub fn new(display_path: PathBuf, text: String) -> Self {
        let index = LineIndex::from_source_text(&text);
        SourceText {
            display_path,
            text,
            index,
        }
    }

    /// A diagnostic at byte `offset` of this file.
    pub fn diagnostic(&self, offset: TextSize, message: impl Into<String>) -> Diagnostic {
        let lc = self.index.line_column(offset, &self.text);
        Diagnostic {
            path: self.display_path.clone(),
            line: lc.line.get(),
            column: lc.column.get(),
            message: message.into(),
        }
    }
}
