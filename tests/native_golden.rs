//! Native tool targets: golden files for every agent in `agents/` × every native
//! target (insta snapshots, reviewed by eye), and every output checked against
//! its tool's rules by `validate_native` with a real parser of its format.

#[path = "support/validate_native.rs"]
mod validate_native;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use agentc::pipeline::{self, Compiled, Job};
use agentc::render::{Layout, Renderer};
use agentc::target::Registry;
use validate_native::{NATIVE, validate_native};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn agents() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("agents"))
        .expect("agents/ exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    files
}

fn compile(sources: Vec<PathBuf>, targets: &[&str], project_targets: Option<&Path>) -> Compiled {
    let registry = Registry::load(project_targets).expect("targets load");
    let renderer = Renderer::new(None, BTreeMap::new());
    let job = Job {
        sources,
        explicit_sources: true,
        targets: targets.iter().map(|t| t.to_string()).collect(),
        layout: Layout::Native,
        strict: false,
        lint: BTreeMap::new(),
        lint_min: None,
    };
    pipeline::compile(&job, &registry, &renderer)
}

fn golden(target: &str) {
    for file in agents() {
        let stem = file
            .file_stem()
            .expect("a file name")
            .to_string_lossy()
            .into_owned();
        let c = compile(vec![file], &[target], None);
        assert!(!c.failed(), "{target} × {stem}: {:?}", c.diags);
        assert_eq!(c.artifacts.len(), 1, "{target} × {stem}");
        let a = &c.artifacts[0];
        let problems = validate_native(target, &a.path, &a.content);
        assert!(
            problems.is_empty(),
            "{target} × {stem}: {problems:#?}\n{}",
            a.content
        );
        let snapshot = format!("path: {}\n\n{}", a.path.display(), a.content);
        let mut settings = insta::Settings::clone_current();
        settings.set_snapshot_path("snapshots/native");
        settings.set_prepend_module_to_snapshot(false);
        settings.bind(|| insta::assert_snapshot!(format!("{target}__{stem}"), snapshot));
    }
}

#[test]
fn golden_opencode() {
    golden("opencode");
}

#[test]
fn golden_copilot() {
    golden("copilot");
}

#[test]
fn golden_gemini_cli() {
    golden("gemini-cli");
}

#[test]
fn golden_qwen() {
    golden("qwen");
}

#[test]
fn golden_codex() {
    golden("codex");
}

#[test]
fn golden_cursor() {
    golden("cursor");
}

#[test]
fn golden_kiro() {
    golden("kiro");
}

#[test]
fn golden_roo() {
    golden("roo");
}

/// Every native snapshot belongs to an agent and a native target that exist.
#[test]
fn no_native_snapshot_is_orphaned() {
    let mut expected: Vec<String> = Vec::new();
    for target in NATIVE {
        for file in agents() {
            let stem = file
                .file_stem()
                .expect("a file name")
                .to_string_lossy()
                .into_owned();
            expected.push(format!("{target}__{stem}.snap"));
        }
    }
    expected.sort();
    let mut on_disk: Vec<String> = std::fs::read_dir(root().join("tests/snapshots/native"))
        .expect("tests/snapshots/native exists")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".snap"))
        .collect();
    on_disk.sort();
    assert_eq!(on_disk, expected);
}

#[test]
fn roo_collects_every_agent_into_one_roomodes() {
    let c = compile(agents(), &["roo"], None);
    assert!(!c.failed(), "{:?}", c.diags);
    assert_eq!(c.artifacts.len(), 1, "one file for all agents");
    let a = &c.artifacts[0];
    assert_eq!(a.path, Path::new(".roomodes"));
    assert_eq!(
        validate_native("roo", &a.path, &a.content),
        Vec::<String>::new()
    );
    let doc = agentc::yaml::parse(&a.content).expect("yaml");
    let slugs: Vec<&str> = doc["customModes"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|m| m["slug"].as_str().expect("a slug"))
        .collect();
    assert_eq!(
        slugs,
        ["backend-architect", "code-reviewer", "release-notes-writer"]
    );
}

#[test]
fn every_native_output_passes_its_tool_rules() {
    let c = compile(agents(), NATIVE, None);
    assert!(!c.failed(), "{:?}", c.diags);
    assert_eq!(c.artifacts.len(), 7 * agents().len() + 1);
    for a in &c.artifacts {
        let problems = validate_native(&a.target, &a.path, &a.content);
        assert!(
            problems.is_empty(),
            "{} {}: {problems:#?}",
            a.target,
            a.path.display()
        );
    }
}
