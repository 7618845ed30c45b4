//! `build` renders and writes a chunk of agents at a time (memory bounded by a
//! chunk, not by the project): an aggregate file spans every chunk and lists its
//! agents in name order whatever the file order; an error in the last chunk still
//! leaves the tree untouched; a name used twice in different chunks is caught.

use std::path::Path;

use agentc::artifact::Layout;

use crate::support::targets::{self, dist_file};
use crate::support::{Test, library, spec};

/// More agents than one chunk holds, named in the opposite order of their files.
const AGENTS: usize = 150;

fn reversed(t: &Test) -> Vec<String> {
    (0..AGENTS)
        .map(|i| {
            let name = format!("agent-{:03}", AGENTS - i);
            t.write(&format!("agents/f{i:03}.toml"), spec(&name));
            name
        })
        .collect()
}

#[test]
fn an_aggregate_spanning_chunks_lists_agents_in_name_order() {
    let t = Test::new();
    let mut names = reversed(&t);
    t.run_args(["build", "-q", "-t", "roo"]).status(0);
    let text = t.read(&dist_file("roo", ""));
    let doc: serde_json::Value = serde_yaml::from_str(&text).unwrap();
    let slugs: Vec<&str> = doc["customModes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["slug"].as_str().unwrap())
        .collect();
    names.sort();
    assert_eq!(slugs, names);

    // The file equals the aggregate of the same entries rendered at once.
    let roo = targets::registry().get("roo").unwrap();
    let mut entries = Vec::new();
    for name in &names {
        let mut d = agentc::diag::Diagnostics::default();
        let l = agentc::load::load_str(Path::new("a.toml"), &spec(name), &mut d).unwrap();
        let agent = agentc::lower::lower(&l.spec);
        let r = library::render(&agent, "roo", None, Layout::Dist, Path::new("a.toml"));
        entries.push(r.unwrap().entry.unwrap());
    }
    let whole = library::renderer().aggregate(roo, &entries).unwrap();
    assert!(whole.content == text, "spooled file differs from the whole");
}

#[test]
fn an_error_in_the_last_chunk_writes_nothing() {
    let t = Test::new();
    reversed(&t);
    t.write("agents/zzz.toml", "name = \"broken\"\nrole = 3\n");
    let before = t.tree();
    let out = t.run_args(["build", "-t", "claude", "-t", "roo"]);
    out.status(1).stderr_has("zzz.toml");
    assert_eq!(t.tree(), before, "the tree is untouched, no staging left");
    assert!(!t.path("dist").exists());

    // Over an earlier build: still untouched, and nothing staged is left behind.
    t.remove("agents/zzz.toml");
    t.run_args(["build", "-q", "-t", "claude", "-t", "roo"])
        .status(0);
    t.write(
        "agents/f000.toml",
        spec("agent-150").replace("You are", "Now you are"),
    );
    t.write("agents/zzz.toml", "name = \"broken\"\nrole = 3\n");
    let before = t.tree();
    t.run_args(["build", "-q", "-t", "claude", "-t", "roo"])
        .status(1);
    assert_eq!(t.tree(), before);
}

#[test]
fn a_name_used_in_two_chunks_is_an_error_on_both_files() {
    let t = Test::new();
    reversed(&t);
    t.write("agents/zzz.toml", spec("agent-150"));
    let out = t.run_args(["build", "-t", "claude"]);
    out.status(1)
        .stderr_has("agent name `agent-150` is used by 2 files")
        .stderr_has("f000.toml")
        .stderr_has("zzz.toml");
    assert!(!t.path("dist").exists());
}
