//! The `--format json` shapes of docs/json.md, checked against the real binary.
//!
//! The tables of docs/json.md are the expectation: for each command, the keys
//! at the top level must be exactly the documented ones, and every documented key
//! (`a`, `a.b`, `a[].b`) must hold a value of its documented type. Changing a
//! shape without changing the doc fails here, and so does the reverse.

use std::collections::{BTreeMap, BTreeSet};

use crate::support::{Output, Test, spec};
use serde_json::Value;

/// docs/json.md: section heading → [(key path, type)].
fn documented() -> BTreeMap<String, Vec<(String, String)>> {
    let text = include_str!("../../docs/json.md");
    let mut out: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    let mut section = String::new();
    for line in text.lines() {
        if let Some(h) = line.strip_prefix("## ") {
            section = h.trim_matches('`').to_string();
        } else if let Some(row) = line.strip_prefix("| `") {
            let cells: Vec<&str> = row.split('|').map(str::trim).collect();
            let key = cells[0].trim_end_matches('`').to_string();
            out.entry(section.clone())
                .or_default()
                .push((key, cells[1].to_string()));
        }
    }
    out
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_u64() || n.is_i64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// The values at `path` (`a.b`, `a[].b`, `[].a`) under `v`.
fn values_at<'v>(v: &'v Value, path: &str) -> Vec<&'v Value> {
    let mut current = vec![v];
    for part in path.split('.') {
        let (key, each) = match part.strip_suffix("[]") {
            Some(k) => (k, true),
            None => (part, false),
        };
        let mut next = Vec::new();
        for c in current {
            let value = if key.is_empty() { Some(c) } else { c.get(key) };
            let Some(value) = value else {
                panic!("no `{key}` (of `{path}`) in {c}");
            };
            if each {
                next.extend(
                    value
                        .as_array()
                        .unwrap_or_else(|| panic!("`{path}`: {value} is not an array")),
                );
            } else {
                next.push(value);
            }
        }
        current = next;
    }
    current
}

/// Checks one command's JSON against its documented section; each documented
/// array path must have at least one element somewhere, so its keys are checked.
fn check(section: &str, out: &Output) {
    let docs = documented();
    let keys = docs
        .get(section)
        .unwrap_or_else(|| panic!("docs/json.md has no section `{section}`"));
    let json: Value = serde_json::from_str(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{section}: stdout is not one JSON value: {e}\n{}",
            out.show()
        )
    });
    let top: BTreeSet<&str> = keys
        .iter()
        .map(|(k, _)| k.split(['.', '[']).next().unwrap_or(""))
        .collect();
    if let Some(obj) = json.as_object() {
        let found: BTreeSet<&str> = obj.keys().map(String::as_str).collect();
        assert_eq!(
            found, top,
            "{section}: top-level keys differ from docs/json.md"
        );
    } else {
        assert!(
            json.is_array() && top == BTreeSet::from([""]),
            "{section}: {json}"
        );
    }
    for (path, ty) in keys {
        let values = values_at(&json, path);
        assert!(
            !values.is_empty(),
            "{section}: nothing at `{path}` to check; extend the test project"
        );
        let allowed: Vec<&str> = ty.split(" or ").collect();
        for v in values {
            assert!(
                allowed.contains(&type_name(v)),
                "{section}: `{path}` is {} ({v}), documented as {ty}",
                type_name(v)
            );
        }
    }
}

fn check_diagnostics(out: &Output) {
    let json: Value = serde_json::from_str(&out.stdout).expect("JSON");
    let diags = json["diagnostics"].as_array().expect("diagnostics");
    assert!(!diags.is_empty(), "{}", out.show());
    let wrapped = serde_json::json!({ "diagnostics": diags });
    let docs = documented();
    for (key, ty) in &docs["Diagnostics"] {
        for v in values_at(&wrapped, &format!("diagnostics[].{key}")) {
            assert!(
                ty.split(" or ").any(|t| t == type_name(v)),
                "`{key}`: {v} is not {ty}"
            );
        }
    }
}

/// A project whose build has warnings (a translation, a lint finding) and files.
fn project() -> Test {
    Test::new()
        .file("agents/a.toml", spec("a"))
        .file(
            "agents/b.toml",
            format!(
                "{}tools = [\"Read\", \"Nope\"]\ncolor = \"chartreuse\"\n",
                spec("b")
            ),
        )
        .file("agentc.toml", "[budget.gpt]\nmax_tokens = 5\n")
}

#[test]
fn build_and_check_shapes() {
    let t = project();
    let built = t.run_args(["build", "--format", "json"]);
    built.status(0);
    check("agentc build", &built);
    check_diagnostics(&built);
    t.write("dist/gpt/a.md", "edited\n");
    t.remove("dist/claude/b.md");
    let checked = t.run_args(["check", "--format", "json"]);
    checked.status(1);
    check("agentc check", &checked);
}

#[test]
fn failure_shape() {
    let t = Test::new().file("agents/a.toml", "name = \"a\"\ntool = []\n");
    let out = t.run_args(["build", "--format", "json"]);
    out.status(1);
    check("Failure", &out);
    check_diagnostics(&out);
}

#[test]
fn lint_shape() {
    let out = project().run_args(["lint", "--format", "json"]);
    out.status(0);
    check("agentc lint", &out);
    check_diagnostics(&out);
}

#[test]
fn import_shape() {
    let t = Test::new()
        .file(
            "old/a.md",
            "---\nname: a\ndescription: Use it: now\n---\n\nYou are a.\n",
        )
        .file("old/bad.md", "---\nname: [\n---\n");
    let out = t.run_args(["import", "old", "--format", "json"]);
    check("agentc import", &out);
}

#[test]
fn stats_shape() {
    let out = project().run_args(["stats", "--format", "json"]);
    out.status(0);
    check("agentc stats", &out);
    check_diagnostics(&out);
}

#[test]
fn targets_shape() {
    let out = Test::new().run_args(["targets", "--format", "json"]);
    out.status(0);
    check("agentc targets", &out);
}

#[test]
fn bundle_and_bundle_check_shapes() {
    let t = project();
    let out = t.run_args(["bundle", "--format", "json"]);
    out.status(0);
    check("agentc bundle", &out);
    t.write(
        "agents/a.toml",
        spec("a").replace("You are a.", "You are A."),
    );
    let out = t.run_args([
        "check",
        "--bundle",
        "agentc-bundle.json",
        "--format",
        "json",
    ]);
    out.status(1);
    check("agentc check --bundle FILE", &out);
}

/// The checker fails on an undocumented key, a missing one and a wrong type.
#[test]
fn the_checker_catches_a_changed_shape() {
    let output = |stdout: &str| Output {
        args: Vec::new(),
        code: 0,
        stdout: stdout.to_string(),
        stderr: String::new(),
        tree: BTreeMap::new(),
    };
    let good = r#"{"ok": true, "files": 1, "diagnostics": []}"#;
    check("agentc lint", &output(good));
    for bad in [
        r#"{"ok": true, "files": 1, "diagnostics": [], "new": 1}"#,
        r#"{"ok": true, "diagnostics": []}"#,
        r#"{"ok": true, "files": "1", "diagnostics": []}"#,
    ] {
        let caught = std::panic::catch_unwind(|| check("agentc lint", &output(bad)));
        assert!(caught.is_err(), "{bad} passed");
    }
}
