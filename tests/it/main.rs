//! The integration tests: one binary, one module per subject. The CLI tests run
//! the real `agentc` in a temp project through `support::Test`; the library
//! tests render and compile through `support::library`. Golden files are insta
//! snapshots under `snapshots/`; proptest keeps its failures next to the module
//! (`<module>.proptest-regressions`); fixtures live in `tests/fixtures/`.

mod support;

mod bad_input;
mod bundle;
mod bundle_integrity;
mod bundle_stream;
mod cache;
mod claude_target;
mod cli;
mod content_safety;
mod custom_target;
mod examples;
mod families;
mod faults;
mod flood;
mod fuzz_regressions;
mod golden;
mod hostile;
mod import_cli;
mod import_corpus;
mod import_fixtures;
mod import_roundtrip;
mod import_seeds;
mod invalid_specs;
mod json_every_command;
mod json_shapes;
mod migration;
mod native_corpus;
mod native_golden;
mod native_properties;
mod native_prose;
mod native_rules;
mod new_clients;
mod output;
mod project_files;
mod properties;
mod seed_xml;
mod stats_cli;
mod streaming;
mod watch;
