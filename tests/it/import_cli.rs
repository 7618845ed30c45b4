//! `agentc import` and `agentc convert` of legacy files, through the real binary.

use crate::support::Test;

const GOOD: &str = "---\nname: good\ndescription: Good one.\nauthor: @me\n---\n\nYou are good.\n";

#[test]
fn a_bad_file_fails_alone_and_the_report_names_it() {
    let d = Test::new();
    d.write("old/good.md", GOOD.as_bytes());
    d.write("old/nested/other.txt", b"---\nname: other\n---\nHi.\n");
    d.write("old/empty.md", b"");
    d.write("old/latin1.md", b"caf\xe9\n");
    d.write("old/ignored.json", b"{}");
    let out = d.run_args(["import", "old"]);
    let stderr = out.stderr.clone();
    assert_eq!(out.code, 1, "{stderr}");
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
    let spec = std::fs::read_to_string(d.path("agents/good.toml")).expect("written");
    assert!(
        spec.contains("author = \"@me\"") && spec.contains("from old/good.md"),
        "{spec}"
    );
    let build = d.run_args(["build", "-t", "claude"]);
    assert_eq!(build.code, 0, "{}", build.stderr);
}

#[test]
fn existing_specs_need_force_and_identical_ones_are_unchanged() {
    let d = Test::new();
    d.write("a.md", GOOD.as_bytes());
    assert_eq!(d.run_args(["import", "a.md"]).code, 0);
    let again = d.run_args(["import", "a.md"]);
    assert!(again.stderr.contains("unchanged a.md"));
    d.write("agents/good.toml", b"name = \"good\"\n");
    let clash = d.run_args(["import", "a.md"]);
    let stderr = clash.stderr.clone();
    assert_eq!(clash.code, 1);
    assert!(stderr.contains("already exists"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(d.path("agents/good.toml")).expect("kept"),
        "name = \"good\"\n"
    );
    assert_eq!(d.run_args(["import", "a.md", "--force"]).code, 0);
    assert!(
        std::fs::read_to_string(d.path("agents/good.toml"))
            .expect("written")
            .contains("You are good.")
    );
}

#[test]
fn two_inputs_for_one_name_both_fail_naming_each_other() {
    let d = Test::new();
    d.write("x/a.md", GOOD.as_bytes());
    d.write("x/b.md", GOOD.as_bytes());
    let out = d.run_args(["--format", "json", "import", "x", "-o", "specs"]);
    assert_eq!(out.code, 1);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    assert_eq!(json["ok"], false);
    assert_eq!(json["totals"]["failed"], 2);
    let msg = json["files"][0]["error"]["message"]
        .as_str()
        .expect("message");
    assert!(msg.contains("x/a.md") && msg.contains("x/b.md"), "{msg}");
    assert!(!d.path("specs/good.toml").exists());
}

#[test]
fn stdout_prints_the_spec_and_json_reports_warnings_with_locations() {
    let d = Test::new();
    d.write("a.md", GOOD.as_bytes());
    let out = d.run_args(["import", "a.md", "--stdout"]);
    assert_eq!(out.code, 0);
    let text = out.stdout.clone();
    let spec: agentc::spec::Spec = toml::from_str(&text).expect("valid TOML spec");
    assert_eq!(spec.author.as_deref(), Some("@me"));
    assert!(!d.path("agents").exists());
    let json = d.run_args(["--format", "json", "import", "a.md", "-o", "o"]);
    let v: serde_json::Value = serde_json::from_str(&json.stdout).expect("json");
    assert_eq!(v["files"][0]["status"], "imported");
    assert_eq!(v["files"][0]["warnings"][1]["code"], "recovered-value");
    assert_eq!(v["files"][0]["warnings"][1]["line"], 4);
}

#[test]
fn convert_takes_legacy_files() {
    let d = Test::new();
    d.write("a.md", GOOD.as_bytes());
    let out = d.run_args(["convert", "a.md", "-t", "xml"]);
    assert_eq!(out.code, 0, "{}", out.stderr.clone());
    let text = out.stdout.clone();
    assert!(
        text.contains("author: '@me'") && text.contains("<role>\nYou are good.\n</role>"),
        "{text}"
    );
    let gpt = d.run_args(["convert", "a.md", "-t", "gpt"]);
    assert_eq!(gpt.code, 0);
    let bad = d.run_args(["convert", "missing.md", "-t", "gpt"]);
    assert_eq!(bad.code, 1);
    d.write("x.toml", b"name = \"x\"\n");
    let spec = d.run_args(["import", "x.toml"]);
    assert_eq!(spec.code, 1);
    assert!(spec.stderr.contains("already a canonical spec"));
}

#[test]
fn specs_go_to_the_projects_first_source_folder() {
    let d = Test::new();
    d.write("agentc.toml", b"sources = [\"specs\"]\n");
    d.write("sub/a.md", GOOD.as_bytes());
    let out = d.run_in("sub", ["import", "a.md"]);
    assert_eq!(out.code, 0, "{}", out.stderr.clone());
    assert!(d.path("specs/good.toml").is_file());
}

/// Import gives sections their kinds, writes them into the spec, and reports
/// the sections it could not classify: counted in the summary, listed with -v
/// and in the JSON report.
#[test]
fn import_reports_sections_with_no_kind() {
    let d = Test::new();
    d.write(
        "a.md",
        b"---\nname: a\ndescription: A.\n---\n\nYou are a.\n\n## Capabilities\n\n- x\n\n## Miscellany\n\nSome words.\n\n## Overview\n\n1. one\n2. two\n3. three\n",
    );
    let out = d.run_args(["import", "a.md", "--stdout"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout
            .contains("title = \"Capabilities\"\nkind = \"expertise\"\n")
            && out.stdout.contains("title = \"Miscellany\"\nbody")
            && out
                .stdout
                .contains("title = \"Overview\"\nkind = \"workflow\"\n"),
        "{}",
        out.stdout
    );
    assert!(
        out.stderr
            .contains("; 2 of 3 sections classified, 1 with no kind (-v lists them)"),
        "{}",
        out.stderr
    );
    let verbose = d.run_args(["import", "a.md", "--stdout", "-v"]);
    assert!(
        verbose
            .stderr
            .contains("1 of 3 sections with no kind: \"Miscellany\""),
        "{}",
        verbose.stderr
    );
    let json = d.run_args(["import", "a.md", "--stdout", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(json.stderr.trim()).expect("JSON");
    assert_eq!(v["files"][0]["sections"], 3);
    assert_eq!(
        v["files"][0]["unclassified"],
        serde_json::json!(["Miscellany"])
    );
    assert_eq!(v["totals"]["unclassified"], 1);
}

/// A tool usage with only a purpose, or only when to use it, imports with the
/// text it has (from Claude Markdown and from the XML form), and the spec does
/// not spell out the other as an empty string.
#[test]
fn a_tool_usage_missing_a_text_imports_without_an_empty_key() {
    let markdown = "---\nname: t\ndescription: Use it for t.\n---\n\nYou are t.\n\n\
                    ## Tool Usage\n\n### Bash\n\n- Purpose: Run the tests.\n\n\
                    ### Read\n\n- When to use: Before an edit.\n";
    let xml = "---\nname: t\ndescription: Use it for t.\n---\n\n<role>You are t.</role>\n\n\
               <tool_usage>\n  <tool name=\"Bash\">\n    <purpose>Run the tests.</purpose>\n  </tool>\n\
               \x20 <tool name=\"Read\">\n    <when_to_use>Before an edit.</when_to_use>\n  </tool>\n</tool_usage>\n";
    for (file, text) in [("t.md", markdown), ("t.xml.md", xml)] {
        let t = Test::new().file(file, text);
        let out = t.run_args(["import", file, "--stdout"]);
        out.status(0);
        let spec = &out.stdout;
        let want = "[[tool_usage]]\ntool = \"Bash\"\npurpose = \"Run the tests.\"\n\n\
                    [[tool_usage]]\ntool = \"Read\"\nwhen_to_use = \"Before an edit.\"\n";
        assert!(spec.contains(want), "{file}:\n{spec}");
        assert!(!spec.contains("= \"\""), "{file}:\n{spec}");
    }
}
