//! agentc: a compiler for AI subagent prompts.
//!
//! Pipeline (one module per stage, one entry function each):
//! `load` (TOML → `Spec`) → `lower` (`Spec` → `ir::Agent`) → `render` (IR ×
//! `target` → `Artifact`) → `emit` (artifacts → files, or a diff). `run` is the
//! edge: it parses the command line, runs a command and maps the result to an
//! exit code (0 ok, 1 invalid input or failed check, 2 usage error).

// Diagnostics are returned on cold paths only; boxing them would cost clarity for nothing.
#![allow(clippy::result_large_err)]

pub mod budget;
pub mod bundle;
pub mod cache;
pub mod cli;
pub mod config;
pub mod diagnostic;
pub mod emit;
pub mod filters;
pub mod import;
pub mod ir;
pub mod lint;
pub mod load;
pub mod lower;
pub mod pipeline;
pub mod render;
pub mod report;
pub mod resolve;
pub mod spec;
pub mod stats;
pub mod target;
pub mod tokens;
pub mod watch;
pub mod xmltext;
pub mod yaml;

use clap::Parser;

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
