//! Where a template or target expression went wrong: a diagnostic pointing at
//! the project's target file (a field, a check, the path) or template file and
//! line, or, for a built-in, naming the target.

use std::path::PathBuf;
use std::sync::Arc;

use super::Renderer;
use crate::diag::span::{self, Key};
use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::target::Target;

impl Renderer {
    /// The error of an expression that did not compile (`None`: it compiles now,
    /// which cannot happen for the same source and environment).
    pub(super) fn compile_error(
        &self,
        target: &Target,
        what: &str,
        e: Option<minijinja::Error>,
    ) -> Diagnostics {
        let e = e.unwrap_or_else(|| {
            minijinja::Error::new(minijinja::ErrorKind::InvalidOperation, "does not compile")
        });
        self.template_error(target, what, e)
    }

    pub(super) fn template_error(
        &self,
        target: &Target,
        what: &str,
        e: minijinja::Error,
    ) -> Diagnostics {
        // An expression (a field, a check, the path) or a missing template is the
        // target file's fault; anything else lies in the template named by the error.
        let in_target = what == "path"
            || what == "check"
            || what == "final_newline"
            || what.starts_with("field")
            || e.kind() == minijinja::ErrorKind::TemplateNotFound;
        if in_target && let Some(at) = target_file(target, &self.key_of(target, what)) {
            return Diagnostics(vec![
                at.apply(Diagnostic::error(Code::Template, message(target, what, &e))),
            ]);
        }
        let file = e
            .name()
            .and_then(|n| self.templates_dir.as_ref().map(|d| d.join(n)))
            .filter(|p| p.is_file());
        // A template's own error is the same for every target that renders it
        // (five share `agent.md.j2`): said once, without the target's name.
        let mut d = Diagnostic::error(Code::Template, message_of_template(what, &e));
        if let Some(file) = file {
            d = d.at(&file);
            if let (Some(line), Ok(text)) = (e.line(), crate::support::fs::read_text(&file)) {
                let text: Arc<str> = Arc::from(text);
                let start = text
                    .split_inclusive('\n')
                    .take(line.saturating_sub(1))
                    .map(str::len)
                    .sum();
                let end = text[start..].find('\n').map_or(text.len(), |i| start + i);
                d = d.span(&text, start..end);
            }
        } else {
            d = self.help_with_overrides(d);
        }
        Diagnostics(vec![d])
    }

    /// An error in a built-in template, in a project that replaces built-in
    /// templates with files of its own (`templates eject`): the likely cause is
    /// one of those, written for another version of agentc (a macro that takes
    /// fewer arguments than the built-ins now pass). The help names them.
    fn help_with_overrides(&self, d: Diagnostic) -> Diagnostic {
        let Some(dir) = &self.templates_dir else {
            return d;
        };
        // Read as rendering reads them (`env::load`: inside the folder, regular files).
        let own: Vec<String> = super::builtin_templates()
            .into_iter()
            .filter(|(name, builtin)| {
                super::env::load(Some(dir), name).is_ok_and(|t| t.is_some_and(|t| t != *builtin))
            })
            .map(|(name, _)| format!("`templates/{name}`"))
            .collect();
        if own.is_empty() {
            return d;
        }
        d.help(format!(
            "the error is in a built-in template, and the project replaces built-in templates with its own ({}); \
             one written for another version of agentc may no longer fit the built-ins that use it: \
             compare it with the current one (`agentc templates eject --force` in a scratch project)",
            own.join(", ")
        ))
    }

    /// Where in a target file `what` (as `template_error` names it) is set.
    fn key_of<'t>(&self, target: &'t Target, what: &str) -> Vec<Key<'t>> {
        if let Some(i) = target
            .fields
            .iter()
            .position(|f| what == format!("field `{}`", f.key))
        {
            return vec![Key::K("fields"), Key::I(i), Key::K("value")];
        }
        match what {
            "path" => vec![Key::K("path")],
            "check" => vec![Key::K("checks")],
            "final_newline" => vec![Key::K("final_newline")],
            _ => vec![Key::K("template")],
        }
    }
}

fn message(target: &Target, what: &str, e: &minijinja::Error) -> String {
    format!("target `{}`: {}", target.name, message_of_template(what, e))
}

fn message_of_template(what: &str, e: &minijinja::Error) -> String {
    let mut msg = format!("{what}: {}", e.kind());
    if let Some(detail) = e.detail() {
        msg.push_str(&format!(": {detail}"));
    }
    if let (Some(name), Some(line)) = (e.name(), e.line()) {
        msg.push_str(&format!(" (in {name} line {line})"));
    }
    msg
}

/// A place in a project's target file.
pub(super) struct TargetAt {
    file: PathBuf,
    source: Option<(Arc<str>, std::ops::Range<usize>)>,
}

impl TargetAt {
    pub(super) fn apply(self, d: Diagnostic) -> Diagnostic {
        let d = d.at(&self.file);
        match self.source {
            Some((text, span)) => d.span(&text, span),
            None => d,
        }
    }
}

/// The project file that defines `target`, and the span of `keys` in it when the
/// file sets them; `None` for a built-in target.
pub(super) fn target_file(target: &Target, keys: &[Key]) -> Option<TargetAt> {
    let crate::target::Origin::Project(file) = &target.origin else {
        return None;
    };
    let text = crate::support::fs::read_text(file).unwrap_or_default();
    let span = span::find(&text, keys);
    let text: Arc<str> = Arc::from(text);
    Some(TargetAt {
        file: file.clone(),
        source: span.map(|s| (text, s)),
    })
}
