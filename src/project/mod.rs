//! The project: its root, its `agentc.toml` ([`config`]) and the files a build
//! reads ([`inputs`]), found by walking up from the working directory.

pub mod config;
pub mod inputs;

pub use config::{FILE_NAME, Project, check_targets};
