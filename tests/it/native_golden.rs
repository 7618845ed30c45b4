//! Native tool targets: golden files for every agent in `agents/` × every native
//! target (insta snapshots, reviewed by eye), and every output checked against
//! its tool's rules by `validate_native` with a real parser of its format.

use std::path::{Path, PathBuf};

use agentc::artifact::Layout;
use agentc::pipeline::Compiled;

use crate::support::validate_native::validate_native;
use crate::support::{library, repo, targets};

fn agents() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(repo().join("agents"))
        .expect("agents/ exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    files
}

fn compile(sources: Vec<PathBuf>, targets: &[&str]) -> Compiled {
    library::compile(sources, targets, Layout::Native, false, None)
}

/// Every agent × every native target: its file passes the tool's rules and
/// matches its snapshot (`snapshots/native/<target>__<agent>.snap`).
#[test]
fn every_native_target_matches_its_snapshots() {
    let natives = targets::native();
    assert!(!natives.is_empty());
    for target in natives {
        golden(target);
    }
}

fn golden(target: &str) {
    for file in agents() {
        let stem = file
            .file_stem()
            .expect("a file name")
            .to_string_lossy()
            .into_owned();
        let c = compile(vec![file], &[target]);
        assert!(!c.failed(), "{target} × {stem}: {:?}", c.diags);
        // The agent's own file; a target's project files have snapshots of their own.
        let own: Vec<_> = c
            .artifacts
            .iter()
            .filter(|a| !a.is_project_file())
            .collect();
        assert_eq!(own.len(), 1, "{target} × {stem}");
        assert_eq!(
            c.artifacts.len() - 1,
            targets::project_files(target),
            "{target} × {stem}"
        );
        let a = own[0];
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

/// The snapshot name of a project file: `<target>__project__<its path, `/` as `_`>`.
fn project_snapshot(target: &str, path: &Path) -> String {
    let flat = path.to_string_lossy().replace(['/', '\\'], "_");
    format!("{target}__project__{flat}")
}

/// The files a target writes once per build (a plugin's manifest, a marketplace),
/// built from every agent in `agents/`: each passes the tool's rules and matches
/// its snapshot, and none names an agent.
#[test]
fn every_project_file_matches_its_snapshot() {
    let with_files: Vec<&str> = targets::native()
        .into_iter()
        .filter(|t| targets::project_files(t) > 0)
        .collect();
    for target in with_files {
        let c = compile(agents(), &[target]);
        assert!(!c.failed(), "{target}: {:?}", c.diags);
        let files: Vec<_> = c.artifacts.iter().filter(|a| a.is_project_file()).collect();
        assert_eq!(files.len(), targets::project_files(target), "{target}");
        for a in files {
            let problems = validate_native(target, &a.path, &a.content);
            assert!(
                problems.is_empty(),
                "{target}: {problems:#?}\n{}",
                a.content
            );
            let snapshot = format!("path: {}\n\n{}", a.path.display(), a.content);
            let mut settings = insta::Settings::clone_current();
            settings.set_snapshot_path("snapshots/native");
            settings.set_prepend_module_to_snapshot(false);
            settings.bind(|| insta::assert_snapshot!(project_snapshot(target, &a.path), snapshot));
        }
    }
}

/// Every native snapshot belongs to an agent and a native target that exist.
#[test]
fn no_native_snapshot_is_orphaned() {
    let mut expected: Vec<String> = Vec::new();
    for target in targets::native() {
        if targets::project_files(target) > 0 {
            let c = compile(agents(), &[target]);
            for a in c.artifacts.iter().filter(|a| a.is_project_file()) {
                expected.push(format!("{}.snap", project_snapshot(target, &a.path)));
            }
        }
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
    let mut on_disk: Vec<String> = std::fs::read_dir(repo().join("tests/it/snapshots/native"))
        .expect("tests/it/snapshots/native exists")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".snap"))
        .collect();
    on_disk.sort();
    assert_eq!(on_disk, expected);
}

#[test]
fn roo_collects_every_agent_into_one_roomodes() {
    let c = compile(agents(), &["roo"]);
    assert!(!c.failed(), "{:?}", c.diags);
    assert_eq!(c.artifacts.len(), 1, "one file for all agents");
    let a = &c.artifacts[0];
    assert_eq!(a.path, Path::new(".roomodes"));
    assert_eq!(
        validate_native("roo", &a.path, &a.content),
        Vec::<String>::new()
    );
    let doc = agentc::support::yaml::parse(&a.content).expect("yaml");
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
    let natives = targets::native();
    let c = compile(agents(), &natives);
    assert!(!c.failed(), "{:?}", c.diags);
    // One file per agent, an aggregate target's one file for all of them, and
    // each target's project files.
    let want: usize = natives
        .iter()
        .map(|t| {
            let own = if targets::is_aggregate(t) {
                1
            } else {
                agents().len()
            };
            own + targets::project_files(t)
        })
        .sum();
    assert_eq!(c.artifacts.len(), want);
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
