//! agentc: a compiler for AI subagent prompts.
//!
//! The architecture is the folder tree; dependencies run one way (a test reads
//! the `use crate::` lines and keeps it so):
//!
//! - `support`, `diag`: the file system, YAML, XML text, tokens; diagnostics.
//! - `spec`, `ir`, `artifact`, `target`: data.
//! - `load` → `lower` → `resolve` → `render` → `emit`: the stages, one entry
//!   function each; they import data and support only.
//! - `lint`: named rules over loaded specs and rendered files.
//! - `pipeline`: the one compile, chaining the stages into a [`pipeline::Sink`].
//! - `project`: `agentc.toml` and the files a build reads.
//! - `workspace`, `build`, `bundle`, `import`, `stats`, `watch`,
//!   `translation`: what the commands do, without printing.
//! - `fuzzing`: the fuzz targets' checks (for `fuzz/` and its seed replay).
//! - `cli`: arguments and the terminal; nothing else imports it.

//!
//! The library's public surface is the compile API and the types it speaks
//! in: [`workspace`] (a project opened), [`pipeline`] (the compile), [`spec`]
//! and [`ir`] (the agent), [`load`], [`lower`] and [`import`] (specs in),
//! [`render`], [`target`] and [`artifact`] (outputs), [`diag`] (problems) and
//! [`support`] (YAML and text, which the tests and fuzz targets use to read
//! outputs back). Everything else is the binary's own.

// Diagnostics are returned on cold paths only; boxing them would cost clarity for nothing.
#![allow(clippy::result_large_err)]

pub mod artifact;
pub mod diag;
pub mod import;
pub mod ir;
pub mod load;
pub mod lower;
pub mod pipeline;
pub mod render;
pub mod spec;
pub mod support;
pub mod target;
pub mod workspace;

/// The fuzz targets' checks, for `fuzz/` and the tests that replay its seeds.
#[doc(hidden)]
pub mod fuzzing;

pub(crate) mod build;
pub(crate) mod bundle;
pub(crate) mod cli;
pub(crate) mod emit;
pub(crate) mod lint;
pub(crate) mod project;
pub(crate) mod resolve;
pub(crate) mod stats;
pub(crate) mod translation;
pub(crate) mod watch;

#[cfg(test)]
mod layering;

use clap::Parser;

/// Runs agentc with the process arguments and returns the exit code.
pub fn run() -> i32 {
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return clap_error(&e),
    };
    let json = cli.global.format == cli::Format::Json;
    let code = match cli::run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            if json {
                let d = diag::Diagnostic::error(diag::Code::Io, format!("{e:#}"));
                json_line(serde_json::json!({ "ok": false, "diagnostics": [d.to_json()] }));
            }
            1
        }
    };
    // `--format json` prints one JSON value for every command: one that had
    // nothing to say still says whether it succeeded.
    if json && !cli::ui::PRINTED.load(std::sync::atomic::Ordering::Relaxed) {
        json_line(serde_json::json!({ "ok": code == 0, "diagnostics": [] }));
    }
    code
}

/// The command line could not be parsed (or asked for help or the version):
/// the text on stderr or stdout as clap prints it, or with `--format json`
/// one JSON value on stdout (the text of help and version in it, a usage
/// error as a failure), the text on stderr.
fn clap_error(e: &clap::Error) -> i32 {
    use clap::error::ErrorKind;
    let code = match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => 0,
        _ => 2,
    };
    if !asks_for_json(std::env::args_os().skip(1)) {
        let _ = e.print();
        return code;
    }
    let text = e.render().to_string();
    let value = match e.kind() {
        ErrorKind::DisplayHelp => serde_json::json!({ "ok": true, "help": text }),
        ErrorKind::DisplayVersion => serde_json::json!({ "ok": true, "version": text.trim() }),
        _ => {
            eprint!("{text}");
            let message = text
                .lines()
                .next()
                .unwrap_or("")
                .trim_start_matches("error: ");
            let d = diag::Diagnostic::error(diag::Code::Usage, message.to_string())
                .help("run `agentc --help` for the commands and their options");
            serde_json::json!({ "ok": false, "diagnostics": [d.to_json()] })
        }
    };
    json_line(value);
    code
}

/// Whether a command line that clap could not parse asked for `--format json`.
fn asks_for_json(args: impl Iterator<Item = std::ffi::OsString>) -> bool {
    let args: Vec<String> = args.map(|a| a.to_string_lossy().into_owned()).collect();
    args.iter().any(|a| a == "--format=json")
        || args
            .windows(2)
            .any(|w| w[0] == "--format" && w[1] == "json")
}

fn json_line(value: serde_json::Value) {
    let _ = cli::ui::out(&format!("{value}\n"));
}

/// The command line's definition, for tests that walk every subcommand.
#[doc(hidden)]
pub fn command() -> clap::Command {
    <cli::Cli as clap::CommandFactory>::command()
}
