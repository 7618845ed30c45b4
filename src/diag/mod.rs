//! One diagnostic type for every stage: a code, the file, a byte span in it, a
//! message and an optional help line.
//!
//! Stages collect diagnostics instead of stopping at the first problem; the
//! command line (`cli::ui`) prints them, rendered here like a compiler
//! (`error[code]: …`, `--> file:line:col`, the line and a caret) or as JSON
//! objects for `--format json`.

mod code;
pub mod span;

pub use code::{Code, Loss};
pub use span::line_col;

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use codespan_reporting::diagnostic::{Diagnostic as CsDiagnostic, Label, Severity as CsSeverity};
use codespan_reporting::files::SimpleFile;
use codespan_reporting::term;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

/// A problem found in an input, with where it is.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    pub severity: Severity,
    /// A stable, greppable code such as `unknown-key` or `invalid-name`.
    pub code: Code,
    pub message: String,
    pub path: Option<PathBuf>,
    /// The source text the span points into, shared between the diagnostics of one file.
    pub source: Option<Arc<str>>,
    pub span: Option<Range<usize>>,
    pub help: Option<String>,
    /// The agent and target a translation diagnostic is about.
    pub subject: Option<(String, String)>,
    /// What a translation diagnostic says was lost.
    pub loss: Option<Loss>,
}

impl Diagnostic {
    pub fn error(code: Code, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Error,
            code,
            message: message.into(),
            path: None,
            source: None,
            span: None,
            help: None,
            subject: None,
            loss: None,
        }
    }

    pub fn warning(code: Code, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Warning,
            ..Self::error(code, message)
        }
    }

    /// A translation warning: what `target` cannot express of `agent` (the
    /// translation report groups them by agent and target).
    pub fn translation(agent: &str, target: &str, loss: Loss, what: &str) -> Self {
        let mut d = Self::warning(Code::Translation, format!("`{agent}` → `{target}`: {what}"))
            .about(agent, target);
        d.loss = Some(loss);
        d
    }

    pub fn at(mut self, path: &Path) -> Self {
        self.path = Some(path.to_path_buf());
        self
    }

    /// Points the diagnostic at `span` of `source` (the text of its file).
    pub fn span(mut self, source: &Arc<str>, span: Range<usize>) -> Self {
        let end = span.end.min(source.len());
        let start = span.start.min(end);
        self.source = Some(source.clone());
        self.span = Some(start..end);
        self
    }

    /// Says which agent and target the diagnostic is about (for grouped reports).
    pub fn about(mut self, agent: &str, target: &str) -> Self {
        self.subject = Some((agent.to_string(), target.to_string()));
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// One-based line and column (in characters) of the span's start.
    pub fn line_col(&self) -> Option<(usize, usize)> {
        let (source, span) = (self.source.as_deref()?, self.span.as_ref()?);
        Some(line_col(source, span.start))
    }

    /// `file:line:col`, or as much of it as is known.
    pub fn location(&self) -> Option<String> {
        let path = self.path.as_ref()?.display().to_string();
        Some(match self.line_col() {
            Some((line, col)) => format!("{path}:{line}:{col}"),
            None => path,
        })
    }

    /// Renders the diagnostic like a compiler, with colour when `color` is set.
    pub fn render(&self, color: bool) -> String {
        let severity = match self.severity {
            Severity::Error => CsSeverity::Error,
            Severity::Warning => CsSeverity::Warning,
        };
        let mut cs = CsDiagnostic::new(severity)
            .with_code(self.code.as_str())
            .with_message(&self.message);
        if let Some(help) = &self.help {
            cs = cs.with_notes(vec![format!("help: {help}")]);
        }
        let name = self
            .path
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        let source = self.source.clone().unwrap_or_else(|| Arc::from(""));
        if let Some(span) = &self.span {
            cs = cs.with_labels(vec![Label::primary((), span.clone())]);
        } else if !name.is_empty() {
            let notes = std::iter::once(format!("in {name}"))
                .chain(cs.notes.clone())
                .collect();
            cs.notes = notes;
        }
        let file = SimpleFile::new(name, &*source);
        let config = term::Config {
            chars: term::Chars::ascii(),
            ..term::Config::default()
        };
        let mut out = Vec::new();
        let rendered = if color {
            let styles = term::Styles::default();
            let mut writer = term::termcolor::Ansi::new(&mut out);
            let mut styled = term::StylesWriter::new(&mut writer, &styles);
            term::emit_to_write_style(&mut styled, &config, &file, &cs)
        } else {
            term::emit_to_io_write(&mut out, &config, &file, &cs)
        };
        match rendered {
            Ok(()) => String::from_utf8_lossy(&out).into_owned(),
            // The span no longer fits the file: fall back to a one-line form.
            Err(_) => format!("{}: {}\n", self.code, self.message),
        }
    }

    /// The machine-readable form used by `--format json`.
    pub fn to_json(&self) -> serde_json::Value {
        let (line, column) = match self.line_col() {
            Some((l, c)) => (Some(l), Some(c)),
            None => (None, None),
        };
        serde_json::json!({
            "severity": self.severity,
            "code": self.code,
            "message": self.message,
            "file": self.path.as_ref().map(|p| p.display().to_string()),
            "line": line,
            "column": column,
            "help": self.help,
            "agent": self.subject.as_ref().map(|s| &s.0),
            "target": self.subject.as_ref().map(|s| &s.1),
            "loss": self.loss.map(Loss::as_str),
        })
    }
}

/// Accepted losses (`[accept]` in agentc.toml): each loss and the targets it
/// is accepted for (`*`: every target).
pub type Accept = std::collections::BTreeMap<Loss, Vec<String>>;

/// True when `accept` accepts the loss `d` reports, for its target.
pub fn accepts(accept: &Accept, d: &Diagnostic) -> bool {
    let (Some(loss), Some((_, target))) = (d.loss, &d.subject) else {
        return false;
    };
    accept
        .get(&loss)
        .is_some_and(|targets| targets.iter().any(|t| t == target || t == "*"))
}

/// The closest of `candidates` to `word`, if it is close enough to suggest.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| {
            let score = strsim::jaro_winkler(&word.to_lowercase(), &c.to_lowercase());
            (score, c)
        })
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// Diagnostics collected by a stage; errors and warnings kept in order of discovery.
#[derive(Debug, Default, Clone)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    pub fn push(&mut self, d: Diagnostic) {
        self.0.push(d);
    }

    pub fn extend(&mut self, other: Diagnostics) {
        self.0.extend(other.0);
    }

    pub fn has_errors(&self) -> bool {
        self.0.iter().any(Diagnostic::is_error)
    }

    pub fn error_count(&self) -> usize {
        self.0.iter().filter(|d| d.is_error()).count()
    }

    pub fn warning_count(&self) -> usize {
        self.0.len() - self.error_count()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter()
    }

    /// Drops repeats (a broken template fails the same way for every agent).
    pub fn dedup(&mut self) {
        let mut seen = std::collections::HashSet::new();
        self.0
            .retain(|d| seen.insert((d.code, d.message.clone(), d.path.clone(), d.span.clone())));
    }

    /// Turns every warning into an error (for `--strict`).
    pub fn escalate(&mut self) {
        for d in &mut self.0 {
            d.severity = Severity::Error;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        let keys = ["name", "tools", "tags", "description"];
        assert_eq!(did_you_mean("tool", keys), Some("tools"));
        assert_eq!(did_you_mean("descripton", keys), Some("description"));
        assert_eq!(did_you_mean("zzzzzz", keys), None);
    }

    #[test]
    fn renders_location_caret_and_help() {
        let src: Arc<str> = Arc::from("name = \"x\"\ntool = []\n");
        let d = Diagnostic::error(Code::UnknownKey, "unknown key `tool`")
            .at(Path::new("agents/x.toml"))
            .span(&src, 11..15)
            .help("did you mean `tools`?");
        let text = d.render(false);
        assert!(
            text.contains("error[unknown-key]: unknown key `tool`"),
            "{text}"
        );
        assert!(text.contains("agents/x.toml:2:1"), "{text}");
        assert!(text.contains("^^^^"), "{text}");
        assert!(text.contains("help: did you mean `tools`?"), "{text}");
        assert_eq!(d.location().as_deref(), Some("agents/x.toml:2:1"));
    }
}
