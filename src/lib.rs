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

/// Reads a bundle's bytes as `check --bundle` does (for the fuzz target and
/// tests): the number of findings of the bundle compared with itself (0 for
/// any bundle that reads), or the message that rejects it.
#[doc(hidden)]
pub fn read_bundle(bytes: &[u8]) -> Result<usize, String> {
    let read = bundle::check::read(bytes)?;
    Ok(bundle::check::compare(&read.bundle, &read).len())
}

/// Runs agentc with the process arguments and returns the exit code.
pub fn run() -> i32 {
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => 0,
                _ => 2,
            };
        }
    };
    match cli::run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            1
        }
    }
}
