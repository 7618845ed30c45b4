//! One file per command: read the arguments, open the workspace, run the
//! feature, print what happened.

pub mod build;
pub mod bundle;
pub mod check;
pub mod convert;
pub mod import;
pub mod init;
pub mod lint;
pub mod schema;
pub mod stats;
pub mod targets;
pub mod templates;
