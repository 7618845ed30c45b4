//! `agentc stats` and the `over-budget` lint rule through the real binary.

use crate::support::{Test, spec, targets};
use serde_json::Value;

/// A project whose `bare` target (the `gpt` family) writes the agent's role and
/// nothing else, so the exact token count can be checked by hand.
fn bare(role: &str, config: &str) -> Test {
    Test::new()
        .file(
            "agents/a.toml",
            format!(
                "name = \"a\"\ndescription = \"Use this agent when a test needs an agent named a.\"\nrole = \"{role}\"\n"
            ),
        )
        .file(
            "targets/bare.toml",
            "extends = \"gpt\"\ndescription = \"the role alone\"\ntemplate = \"bare.j2\"\npath = \"{{ name }}.txt\"\nnative_path = \"prompts/bare/{{ name }}.txt\"\n",
        )
        .file("templates/bare.j2", "{{ agent.role }}")
        .file("agentc.toml", config)
}

fn json(out: &crate::support::Output) -> Value {
    serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("not JSON: {e}\n{}", out.show()))
}

fn row<'a>(j: &'a Value, target: &str) -> &'a Value {
    j["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r["target"] == target)
        .unwrap_or_else(|| panic!("no row for {target}: {j}"))
}

/// "You are a code reviewer.\n" splits into the pre-tokens "You", " are", " a",
/// " code", " reviewer", ".\n"; each is one entry of both vocabularies (checked
/// in tiktoken-rs's `assets/*.tiktoken`: o200k_base ids 3575, 553, 261, 3490,
/// 95699, 558; cl100k_base ids 2675, 527, 264, 2082, 56614, 627): 6 tokens.
#[test]
fn gpt_counts_are_exact_in_both_encodings() {
    let t = bare(
        "You are a code reviewer.",
        "targets = [\"bare\", \"claude\"]\n",
    );
    for (args, encoding) in [
        (vec!["stats", "--format", "json"], "o200k_base"),
        (
            vec!["stats", "--format", "json", "--encoding", "cl100k_base"],
            "cl100k_base",
        ),
    ] {
        let out = t.run_args(args);
        out.status(0);
        let j = json(&out);
        assert_eq!(j["encoding"], encoding);
        let r = row(&j, "bare");
        assert_eq!(r["characters"], 25);
        assert_eq!(r["lines"], 1);
        assert_eq!(
            r["tokens"],
            serde_json::json!({ "count": 6, "exact": true, "encoding": encoding })
        );
        let c = row(&j, "claude");
        assert_eq!(c["tokens"]["exact"], false);
        assert_eq!(c["tokens"]["encoding"], "estimate");
        let chars = c["characters"].as_u64().unwrap();
        assert_eq!(c["tokens"]["count"].as_u64().unwrap(), chars.div_ceil(4));
    }
}

#[test]
fn the_table_labels_estimates_and_totals_add_up() {
    let t = Test::new()
        .file("agents/reviewer.toml", spec("reviewer"))
        .file("agents/planner.toml", spec("planner"));
    let out = t.run_args(["stats"]);
    out.status(0);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert!(lines[0].starts_with("agent "), "{}", out.stdout);
    // A row per file (one per agent and target, one per aggregate target for
    // both), then a total per target and the overall one.
    let (files, n) = (targets::files(2), targets::count());
    let rows: Vec<&str> = lines[1..=files].to_vec();
    assert!(
        rows.iter().all(|l| !l.starts_with("total")),
        "{}",
        out.stdout
    );
    for l in &rows {
        let tokens = l.split_whitespace().last().unwrap();
        let estimated = !l.contains(" gpt ");
        assert_eq!(tokens.starts_with('~'), estimated, "{l}");
    }
    assert!(
        lines[files + 1].starts_with("total ") && lines[files + n].starts_with("total "),
        "{}",
        out.stdout
    );
    assert!(
        lines[files + n + 1].starts_with("total ") && lines[files + n + 1].contains(" all "),
        "{}",
        out.stdout
    );
    out.stdout_has("~ estimate: characters / 4")
        .stdout_has("gpt tokens counted exactly with o200k_base");
    out.stderr_has(&format!("measured 2 agents × {n} targets: {files} files, "));

    let j = json(&t.run_args(["stats", "--format", "json"]));
    let rows = j["rows"].as_array().unwrap();
    assert_eq!(rows.len(), targets::files(2));
    let sum = |rows: &mut dyn Iterator<Item = &Value>, key: &str| -> u64 {
        rows.map(|r| {
            let v = &r[key];
            v["count"].as_u64().or(v.as_u64()).unwrap()
        })
        .sum()
    };
    let all = &j["totals"]["all"];
    for key in ["characters", "lines", "tokens"] {
        let want = if key == "tokens" {
            &all[key]["count"]
        } else {
            &all[key]
        };
        assert_eq!(sum(&mut rows.iter(), key), want.as_u64().unwrap(), "{key}");
        let per_target: u64 = j["totals"]["targets"]
            .as_object()
            .unwrap()
            .values()
            .map(|t| t[key]["count"].as_u64().or(t[key].as_u64()).unwrap())
            .sum();
        assert_eq!(per_target, want.as_u64().unwrap(), "{key} per target");
    }
    assert_eq!(all["files"], targets::files(2));
    assert_eq!(all["tokens"]["exact"], false);
    assert_eq!(j["totals"]["targets"]["gpt"]["tokens"]["exact"], true);
    let gpt: u64 = rows
        .iter()
        .filter(|r| r["target"] == "gpt")
        .map(|r| r["tokens"]["count"].as_u64().unwrap())
        .sum();
    assert_eq!(j["totals"]["targets"]["gpt"]["tokens"]["count"], gpt);
}

#[test]
fn budgets_warn_and_fail_under_strict() {
    let t = bare(
        "You are a code reviewer.",
        "targets = [\"bare\"]\n[budget.bare]\nmax_tokens = 5\nmax_chars = 100\n",
    );
    let out = t.run_args(["stats"]);
    out.status(0)
        .stderr_has("warning[over-budget]: `a` for `bare` is 6 tokens; the `bare` budget is 5")
        .stderr_has("--> agents/a.toml:1:8")
        .stderr_has("help: shorten the prompt, or raise `[budget.bare] max_tokens` in agentc.toml")
        .stderr_has("; 1 over budget")
        .stdout_has(" 6 !\n");
    let out = t.run_args(["stats", "--strict"]);
    out.status(1).stderr_has("error[over-budget]");
    let j = json(&t.run_args(["stats", "--strict", "--format", "json"]));
    assert_eq!(j["ok"], false);
    assert_eq!(j["rows"][0]["over_budget"], true);
    assert_eq!(
        j["over_budget"][0],
        serde_json::json!({ "agent": "a", "target": "bare", "path": "bare/a.txt",
            "measure": "tokens", "value": 6, "max": 5, "exact": true, "builtin": false })
    );
    assert_eq!(j["diagnostics"][0]["severity"], "error");
    assert_eq!(j["diagnostics"][0]["line"], 1);
}

#[test]
fn copilot_limit_is_a_built_in_budget() {
    let long = "x".repeat(30_001);
    let t = Test::new().file(
        "agents/a.toml",
        format!(
            "{}sections = [{{ title = \"Long\", body = \"{long}\" }}]\n",
            spec("a")
        ),
    );
    let out = t.run_args(["stats", "-t", "copilot", "--format", "json"]);
    out.status(0);
    let j = json(&out);
    let f = &j["over_budget"][0];
    assert_eq!(
        (&f["measure"], &f["max"], &f["builtin"]),
        (&"characters".into(), &30_000.into(), &true.into())
    );
    assert!(
        j["diagnostics"][0]["message"]
            .as_str()
            .unwrap()
            .ends_with("; `copilot` takes at most 30000"),
        "{j}"
    );
}

#[test]
fn unknown_budget_target_is_an_error_with_a_suggestion() {
    let t = Test::new()
        .file("agents/a.toml", spec("a"))
        .file("agentc.toml", "[budget.claud]\nmax_tokens = 10\n");
    let out = t.run_args(["stats"]);
    out.status(1)
        .stderr_has("error[unknown-target]: `[budget.claud]` names an unknown target")
        .stderr_has("--> agentc.toml:1:")
        .stderr_has("did you mean `claude`?");
    let t = Test::new()
        .file("agents/a.toml", spec("a"))
        .file("agentc.toml", "[budget.gpt]\nmax_token = 10\n");
    t.run_args(["stats"])
        .status(1)
        .stderr_has("did you mean `max_tokens`?");
}

#[test]
fn over_budget_lint_rule() {
    let config = "targets = [\"bare\"]\n[budget.bare]\nmax_tokens = 5\n";
    let t = bare("You are a code reviewer.", config);
    let out = t.run_args(["lint", "--format", "json"]);
    out.status(0);
    let j = json(&out);
    let d: Vec<&Value> = j["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "over-budget")
        .collect();
    assert_eq!(d.len(), 1, "{j}");
    assert_eq!(d[0]["severity"], "warning");
    assert_eq!(
        d[0]["message"],
        "`a` for `bare` is 6 tokens; the `bare` budget is 5"
    );
    assert_eq!(
        (&d[0]["file"], &d[0]["line"], &d[0]["column"]),
        (&"agents/a.toml".into(), &1.into(), &8.into())
    );
    assert_eq!(
        (&d[0]["agent"], &d[0]["target"]),
        (&"a".into(), &"bare".into())
    );

    // deny: lint and build fail; allow: silent.
    t.write(
        "agentc.toml",
        format!("{config}[lint]\nover-budget = \"deny\"\n"),
    );
    t.run_args(["lint"])
        .status(1)
        .stderr_has("error[over-budget]: `a` for `bare` is 6 tokens");
    let out = t.run_args(["build"]);
    out.status(1)
        .stderr_has("error[over-budget]")
        .stderr_has("nothing was written");
    assert!(out.files_under("dist/").is_empty());
    t.write(
        "agentc.toml",
        format!("{config}[lint]\nover-budget = \"allow\"\n"),
    );
    let out = t.run_args(["lint"]);
    out.status(0);
    assert!(!out.stderr.contains("over-budget"), "{}", out.stderr);
    // Within budget: nothing.
    t.write(
        "agentc.toml",
        "targets = [\"bare\"]\n[budget.bare]\nmax_tokens = 6\n",
    );
    let out = t.run_args(["lint"]);
    assert!(!out.stderr.contains("over-budget"), "{}", out.stderr);
    let list = t.run_args(["lint", "--list"]);
    list.stdout_has("over-budget              warn");
}
