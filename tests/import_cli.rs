//! `agentc import` and `agentc convert` of legacy files, through the real binary.

use std::path::Path;
use std::process::{Command, Output};

fn agentc(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_agentc"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("agentc runs")
}

fn write(dir: &Path, rel: &str, bytes: &[u8]) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(p, bytes).expect("write");
}

const GOOD: &str = "---\nname: good\ndescription: Good one.\nauthor: @me\n---\n\nYou are good.\n";

#[test]
fn a_bad_file_fails_alone_and_the_report_names_it() {
    let tmp = tempfile::tempdir().expect("tmp");
    let d = tmp.path();
    write(d, "old/good.md", GOOD.as_bytes());
    write(d, "old/nested/other.txt", b"---\nname: other\n---\nHi.\n");
    write(d, "old/empty.md", b"");
    write(d, "old/latin1.md", b"caf\xe9\n");
    write(d, "old/ignored.json", b"{}");
    let out = agentc(d, &["import", "old"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("imported  old/good.md -> agents/good.toml with 2 warnings"),
        "{stderr}"
    );
    assert!(
        stderr.contains("imported  old/nested/other.txt -> agents/other.toml"),
        "{stderr}"
    );
    assert!(
        stderr.contains("failed    old/empty.md: the file is empty (old/empty.md:1:1)"),
        "{stderr}"
    );
    assert!(
        stderr.contains("failed    old/latin1.md: not UTF-8 text"),
        "{stderr}"
    );
    assert!(
        stderr.contains("4 files: 2 imported, 0 unchanged, 2 failed"),
        "{stderr}"
    );
    let spec = std::fs::read_to_string(d.join("agents/good.toml")).expect("written");
    assert!(
        spec.contains("author = \"@me\"") && spec.contains("from old/good.md"),
        "{spec}"
    );
    let build = agentc(d, &["build", "-t", "claude"]);
    assert_eq!(
        build.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&build.stderr)
    );
}

#[test]
fn existing_specs_need_force_and_identical_ones_are_unchanged() {
    let tmp = tempfile::tempdir().expect("tmp");
    let d = tmp.path();
    write(d, "a.md", GOOD.as_bytes());
    assert_eq!(agentc(d, &["import", "a.md"]).status.code(), Some(0));
    let again = agentc(d, &["import", "a.md"]);
    assert!(String::from_utf8_lossy(&again.stderr).contains("unchanged a.md"));
    write(d, "agents/good.toml", b"name = \"good\"\n");
    let clash = agentc(d, &["import", "a.md"]);
    let stderr = String::from_utf8_lossy(&clash.stderr);
    assert_eq!(clash.status.code(), Some(1));
    assert!(stderr.contains("already exists"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(d.join("agents/good.toml")).expect("kept"),
        "name = \"good\"\n"
    );
    assert_eq!(
        agentc(d, &["import", "a.md", "--force"]).status.code(),
        Some(0)
    );
    assert!(
        std::fs::read_to_string(d.join("agents/good.toml"))
            .expect("written")
            .contains("You are good.")
    );
}

#[test]
fn two_inputs_for_one_name_both_fail_naming_each_other() {
    let tmp = tempfile::tempdir().expect("tmp");
    let d = tmp.path();
    write(d, "x/a.md", GOOD.as_bytes());
    write(d, "x/b.md", GOOD.as_bytes());
    let out = agentc(d, &["--format", "json", "import", "x", "-o", "specs"]);
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(json["ok"], false);
    assert_eq!(json["totals"]["failed"], 2);
    let msg = json["files"][0]["error"]["message"]
        .as_str()
        .expect("message");
    assert!(msg.contains("x/a.md") && msg.contains("x/b.md"), "{msg}");
    assert!(!d.join("specs/good.toml").exists());
}

#[test]
fn stdout_prints_the_spec_and_json_reports_warnings_with_locations() {
    let tmp = tempfile::tempdir().expect("tmp");
    let d = tmp.path();
    write(d, "a.md", GOOD.as_bytes());
    let out = agentc(d, &["import", "a.md", "--stdout"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    let spec: agentc::spec::Spec = toml::from_str(&text).expect("valid TOML spec");
    assert_eq!(spec.author.as_deref(), Some("@me"));
    assert!(!d.join("agents").exists());
    let json = agentc(d, &["--format", "json", "import", "a.md", "-o", "o"]);
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).expect("json");
    assert_eq!(v["files"][0]["status"], "imported");
    assert_eq!(v["files"][0]["warnings"][1]["code"], "recovered-value");
    assert_eq!(v["files"][0]["warnings"][1]["line"], 4);
}

#[test]
fn convert_takes_legacy_files() {
    let tmp = tempfile::tempdir().expect("tmp");
    let d = tmp.path();
    write(d, "a.md", GOOD.as_bytes());
    let out = agentc(d, &["convert", "a.md", "-t", "xml"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("author: '@me'") && text.contains("<role>\nYou are good.\n</role>"),
        "{text}"
    );
    let gpt = agentc(d, &["convert", "a.md", "-t", "gpt"]);
    assert_eq!(gpt.status.code(), Some(0));
    let bad = agentc(d, &["convert", "missing.md", "-t", "gpt"]);
    assert_eq!(bad.status.code(), Some(1));
    write(d, "x.toml", b"name = \"x\"\n");
    let spec = agentc(d, &["import", "x.toml"]);
    assert_eq!(spec.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&spec.stderr).contains("already a canonical spec"));
}

#[test]
fn specs_go_to_the_projects_first_source_folder() {
    let tmp = tempfile::tempdir().expect("tmp");
    let d = tmp.path();
    write(d, "agentc.toml", b"sources = [\"specs\"]\n");
    write(d, "sub/a.md", GOOD.as_bytes());
    let out = agentc(&d.join("sub"), &["import", "a.md"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(d.join("specs/good.toml").is_file());
}
