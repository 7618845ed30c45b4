//! The terminal: colour, progress, summaries, diagnostics as text or JSON.
//! Everything a command prints goes through here.

use std::io::{IsTerminal, Write};

use anyhow::{Context, Result};

use super::{ColorChoice, Format, Global};
use std::collections::HashMap;

use crate::diag::{Code, Diagnostic, Diagnostics};

/// How many times a warning is printed in full before its repeats are counted.
const REPEATS: usize = 2;

/// Whether to colour a stream: `--color always|never`, else `NO_COLOR` unset and a terminal.
fn colour(choice: ColorChoice, terminal: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && terminal,
    }
}

/// A one-line progress indicator on stderr (see [`Ui::progress`]).
pub struct Progress {
    label: &'static str,
    total: usize,
    on: bool,
    last: Option<std::time::Instant>,
}

impl Progress {
    /// Shows `done` of the total, at most every 50 ms.
    pub fn tick(&mut self, done: usize) {
        if !self.on || self.last.is_some_and(|t| t.elapsed().as_millis() < 50) {
            return;
        }
        self.last = Some(std::time::Instant::now());
        eprint!("\r\x1b[2K{} {done}/{}", self.label, self.total);
    }

    /// Clears the line, so what follows starts clean.
    pub fn finish(&self) {
        if self.on && self.last.is_some() {
            eprint!("\r\x1b[2K");
        }
    }
}

/// Where a command ended: success, or failure with its exit code.
pub type Exit = i32;

pub struct Ui {
    pub global: Global,
    /// Colour on stderr: `--color`, `NO_COLOR`, and whether stderr is a terminal.
    pub color: bool,
    /// Running in CI (`CI` set, and not `false` or `0`): no progress, no per-file lines.
    pub ci: bool,
}

impl Ui {
    pub fn new(global: Global) -> Ui {
        let color = colour(global.color, std::io::stderr().is_terminal());
        let ci = std::env::var("CI").is_ok_and(|v| !matches!(v.trim(), "" | "false" | "0"));
        Ui { global, color, ci }
    }

    pub fn json(&self) -> bool {
        self.global.format == Format::Json
    }

    /// Colour on stdout, by the same rules as on stderr.
    pub fn stdout_color(&self) -> bool {
        colour(self.global.color, std::io::stdout().is_terminal())
    }

    /// Whether to print a line per file: not when quiet, and not in CI unless `-v`.
    pub fn chatty(&self) -> bool {
        !self.global.quiet && (!self.ci || self.global.verbose)
    }

    /// A progress line on stderr for `total` items, drawn only for a person
    /// watching: stderr is a terminal, more than 200 items, not CI, not quiet, not JSON.
    pub fn progress(&self, label: &'static str, total: usize) -> Progress {
        let on = total > 200
            && std::io::stderr().is_terminal()
            && !self.ci
            && !self.global.quiet
            && !self.json();
        Progress {
            label,
            total,
            on,
            last: None,
        }
    }

    /// Prints diagnostics to stderr (human) — JSON output carries them instead.
    /// Translation warnings come last, as one report grouped by agent and target.
    pub fn diagnostics(&self, diags: &Diagnostics) {
        if self.json() {
            return;
        }
        let mut err = std::io::stderr().lock();
        // A warning said again (same code and message, another file) is
        // printed twice in full, then counted (`-v` prints each).
        let mut said: HashMap<(Code, &str), usize> = HashMap::new();
        let mut more: Vec<((Code, &str), Vec<String>)> = Vec::new();
        for d in diags.iter() {
            let grouped = !d.is_error() && crate::translation::is_translation(d);
            if grouped || (self.global.quiet && !d.is_error()) {
                continue;
            }
            if !d.is_error() && !self.global.verbose {
                let key = (d.code, d.message.as_str());
                let n = said.entry(key).or_default();
                *n += 1;
                if *n > REPEATS {
                    let at = d.location().unwrap_or_default();
                    match more.iter_mut().find(|(k, _)| *k == key) {
                        Some((_, list)) => list.push(at),
                        None => more.push((key, vec![at])),
                    }
                    continue;
                }
            }
            let _ = write!(err, "{}", d.render(self.color));
        }
        for ((code, message), at) in &more {
            let shown: Vec<&str> = at.iter().take(3).map(String::as_str).collect();
            let _ = writeln!(
                err,
                "warning[{code}]: {} more like `{message}` ({}{}); -v prints each\n",
                at.len(),
                shown.join(", "),
                if at.len() > 3 { ", …" } else { "" }
            );
        }
        if !self.global.quiet {
            let warnings = Diagnostics(diags.iter().filter(|d| !d.is_error()).cloned().collect());
            let _ = write!(
                err,
                "{}",
                crate::translation::human(&warnings, self.global.verbose)
            );
        }
    }

    /// With `--format json`, one JSON value on stdout (pretty for a person's
    /// terminal is not needed: one line).
    pub fn json_out(&self, value: serde_json::Value) -> Result<()> {
        out(&format!("{value}\n"))
    }

    /// With `--format json`, a failure's one JSON value on stdout: `ok: false`
    /// and the diagnostics (the human form printed them on stderr instead).
    pub fn fail_json(&self, diags: &Diagnostics) {
        if self.json() {
            let _ = out(&format!(
                "{}\n",
                serde_json::json!({ "ok": false, "diagnostics": json_diags(diags) })
            ));
        }
    }

    /// A one-line summary on stderr, unless quiet; a failure's `error:` in red.
    pub fn summary(&self, line: &str) {
        if self.global.quiet || self.json() {
            return;
        }
        match line.strip_prefix("error:") {
            Some(rest) if self.color => eprintln!("\x1b[1;31merror\x1b[0m:{rest}"),
            _ => eprintln!("{line}"),
        }
    }
}

/// Whether anything was written to stdout: with `--format json`, a command that
/// printed nothing gets the one value it owes from [`crate::run`].
pub static PRINTED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Writes to stdout; a closed pipe is not an error.
pub fn out(text: &str) -> Result<()> {
    PRINTED.store(true, std::sync::atomic::Ordering::Relaxed);
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|_| stdout.flush())
    {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(e).context("cannot write to stdout"),
    }
}

pub(crate) fn json_diags(diags: &Diagnostics) -> Vec<serde_json::Value> {
    diags.iter().map(Diagnostic::to_json).collect()
}

/// The value, or `None` after printing the diagnostics (as text or JSON).
pub(crate) fn reported<T>(ui: &Ui, result: Result<T, Diagnostics>) -> Option<T> {
    match result {
        Ok(v) => Some(v),
        Err(d) => {
            ui.diagnostics(&d);
            ui.fail_json(&d);
            None
        }
    }
}

pub(crate) fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
