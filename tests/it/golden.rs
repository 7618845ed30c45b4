//! Golden files: every agent in `agents/` × every prompt target (the native
//! ones: native_golden.rs), one insta snapshot each
//! (`tests/it/snapshots/<agent>__<target>.snap`). A changed snapshot is
//! read and reviewed (`cargo insta review`), never blindly accepted.

use std::collections::BTreeSet;
use std::ffi::OsStr;
use std::path::PathBuf;

use agentc::artifact::{Artifact, Layout};
use agentc::diag::{Diagnostics, Loss};
use agentc::load::Loaded;

use crate::support::{Test, library, repo, targets};

fn agents() -> Vec<Loaded> {
    let mut diags = Diagnostics::default();
    let files = agentc::load::discover(&[repo().join("agents")], &mut diags);
    let loaded = agentc::load::load(&files, &mut diags);
    assert!(
        diags.is_empty(),
        "the dogfood agents must load without diagnostics: {diags:?}"
    );
    assert!(loaded.len() >= 3, "agents/ holds {} specs", loaded.len());
    loaded
}

/// Every (agent, target, artifact), rendered through the library.
fn render_all() -> Vec<(String, String, Artifact)> {
    let mut out = Vec::new();
    for l in agents() {
        let agent = agentc::lower::lower(&l.spec);
        // The native tool targets have native_golden.rs.
        for target in targets::prompt() {
            let rendered = library::render(&agent, target, None, Layout::Dist, &l.path)
                .unwrap_or_else(|d| panic!("{} × {target}: {d:?}", agent.name));
            // The warnings the dogfood agents have: release-notes-writer is
            // built R1-style for deepseek, which leaves its examples out; for
            // claude, the keys and tool names Claude Code does not read
            // (checked one by one in claude_frontmatter_carries_what_claude_code_reads).
            let unexpected: Vec<_> = rendered
                .warnings
                .iter()
                .filter(|w| !w.message.contains("examples left out: R1-style"))
                .filter(|w| {
                    target != "claude"
                        || !matches!(w.loss, Some(Loss::DroppedField | Loss::RenamedTool))
                })
                .collect();
            assert!(
                unexpected.is_empty(),
                "{} × {target}: {unexpected:?}",
                agent.name
            );
            let artifact = rendered
                .artifact
                .unwrap_or_else(|| panic!("{} is skipped for {target}", agent.name));
            out.push((agent.name.clone(), target.to_string(), artifact));
        }
    }
    out
}

#[test]
fn every_agent_for_every_target_matches_its_snapshot() {
    let all = render_all();
    assert_eq!(all.len(), agents().len() * targets::prompt().len());
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.bind(|| {
        for (agent, target, artifact) in &all {
            insta::assert_snapshot!(format!("{agent}__{target}"), artifact.content);
        }
    });
}

/// Every snapshot file belongs to an agent and target that still exist.
#[test]
fn no_snapshot_is_orphaned() {
    let expected: BTreeSet<String> = render_all()
        .iter()
        .map(|(a, t, _)| format!("{a}__{t}.snap"))
        .collect();
    let dir = repo().join("tests/it/snapshots");
    let on_disk: BTreeSet<String> = std::fs::read_dir(&dir)
        .expect("tests/it/snapshots exists")
        .map(|e| {
            e.expect("dir entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|n| n.ends_with(".snap"))
        .collect();
    assert_eq!(on_disk, expected);
}

/// What the snapshots are read for, checked on every render.
#[test]
fn outputs_are_clean() {
    for (agent, target, artifact) in render_all() {
        let what = format!("{agent} × {target}");
        let text = &artifact.content;
        assert!(!text.contains('\r'), "{what}: CR");
        assert!(
            text.ends_with('\n') && !text.ends_with("\n\n"),
            "{what}: not one final newline"
        );
        assert!(!text.starts_with('\n'), "{what}: leading blank line");
        assert!(!text.contains("\n\n\n"), "{what}: doubled blank line");
        for (i, line) in text.lines().enumerate() {
            assert_eq!(
                line,
                line.trim_end(),
                "{what}: trailing white space on line {}",
                i + 1
            );
        }
        // Template syntax may only come from the spec's own text.
        let source = std::fs::read_to_string(repo().join("agents").join(format!("{agent}.toml")))
            .expect("spec");
        for marker in ["{{", "{%", "{#", "%}", "#}"] {
            assert_eq!(
                text.matches(marker).count() > 0,
                source.contains(marker),
                "{what}: `{marker}`"
            );
        }
    }
}

/// The two targets with YAML frontmatter: it parses and names the agent.
#[test]
fn frontmatter_is_valid_yaml() {
    for (agent, target, artifact) in render_all() {
        let text = &artifact.content;
        let yaml = match (target.as_str(), text.strip_prefix("---\n")) {
            ("claude", Some(rest)) => rest.split_once("\n---\n").map(|(y, _)| y),
            ("xml", Some(rest)) => rest.split_once("\n---\n").map(|(y, _)| y),
            ("xml", None) => text
                .split_once("<frontmatter>\n")
                .and_then(|(_, r)| r.split_once("</frontmatter>"))
                .map(|(y, _)| y),
            ("claude", None) => panic!("{agent} × claude: no frontmatter"),
            _ => continue,
        };
        let yaml = yaml.unwrap_or_else(|| panic!("{agent} × {target}: unterminated frontmatter"));
        let yaml = agentc::support::xmltext::unescape(yaml);
        let map: serde_yaml::Mapping = serde_yaml::from_str(&yaml)
            .unwrap_or_else(|e| panic!("{agent} × {target}: {e}\n{yaml}"));
        assert_eq!(
            map.get("name").and_then(|v| v.as_str()),
            Some(agent.as_str()),
            "{agent} × {target}"
        );
    }
}

/// `agentc build` writes exactly what the library renders (and the snapshots hold).
#[test]
fn the_binary_writes_the_rendered_files() {
    let t = Test::new();
    let out_dir = t.path("out");
    let agents_dir = repo().join("agents");
    let args = [
        OsStr::new("build"),
        OsStr::new("-o"),
        out_dir.as_os_str(),
        agents_dir.as_os_str(),
    ];
    t.run_args(args).status(0);
    let all = render_all();
    for (agent, target, artifact) in &all {
        let path: PathBuf = out_dir.join(&artifact.path);
        let written =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{agent} × {target}: {e}"));
        assert!(
            written == artifact.content,
            "{agent} × {target}: {} differs",
            path.display()
        );
    }
}

/// Every text of the agent's body, as the IR holds it.
fn body_texts(agent: &agentc::ir::Agent) -> Vec<String> {
    let mut texts = vec![agent.role.clone(), agent.uncertainty_protocol.clone()];
    texts.extend(agent.triggers.iter().cloned());
    texts.extend(agent.expertise.iter().cloned());
    for r in &agent.responsibilities {
        texts.push(r.title.clone());
        texts.extend(r.actions.iter().cloned());
    }
    for t in &agent.tool_usage {
        texts.extend([t.tool.clone(), t.purpose.clone(), t.when_to_use.clone()]);
    }
    let b = &agent.boundaries;
    texts.extend(
        b.will
            .iter()
            .chain(&b.will_not)
            .chain(&b.escalation)
            .cloned(),
    );
    for f in &agent.output_formats {
        texts.extend([f.name.clone(), f.body.clone()]);
    }
    for e in &agent.examples {
        texts.extend([e.context.clone(), e.input.clone(), e.approach.clone()]);
        texts.extend(e.output.iter().chain(&e.commentary).cloned());
    }
    texts.extend(agent.success_metrics.iter().cloned());
    for s in &agent.sections {
        texts.extend([s.title.clone(), s.body.clone()]);
    }
    texts
}

/// Nothing of the spec's body is missing from any target: every line of every
/// text appears (indentation aside; XML text unescaped).
#[test]
fn no_text_of_a_spec_is_missing() {
    let agents: Vec<_> = agents()
        .iter()
        .map(|l| agentc::lower::lower(&l.spec))
        .collect();
    for (name, target, artifact) in render_all() {
        let agent = agents.iter().find(|a| a.name == name).expect("agent");
        let content = if target == "xml" {
            agentc::support::xmltext::unescape(&artifact.content)
        } else {
            artifact.content.clone()
        };
        // What a target writes otherwise, by design and reported: gpt names
        // each tool by its `tool_terms` word; an R1-style deepseek prompt has
        // no examples (a translation warning); plain prompts re-level headings.
        let mut left_out: Vec<String> = Vec::new();
        if targets::registry()
            .get(&target)
            .is_some_and(|t| t.options.contains_key("tool_terms"))
        {
            left_out.extend(agent.tool_usage.iter().map(|t| t.tool.clone()));
        }
        let r1 = agent
            .overrides
            .get(&target)
            .and_then(|o| o.rest.get("system_prompt"))
            .is_some_and(|v| v.as_bool() == Some(false));
        if r1 {
            for e in &agent.examples {
                left_out.extend([e.context.clone(), e.input.clone(), e.approach.clone()]);
                left_out.extend(e.output.iter().chain(&e.commentary).cloned());
            }
        }
        for text in body_texts(agent) {
            if left_out.contains(&text) {
                continue;
            }
            let lines = text
                .lines()
                .map(|l| l.trim().trim_start_matches('#').trim())
                .filter(|l| !l.is_empty());
            for line in lines {
                assert!(
                    content.contains(line),
                    "{name} × {target}: missing {line:?}"
                );
            }
        }
    }
}

/// The Claude Code frontmatter carries the agent's metadata as resolved.
#[test]
fn claude_frontmatter_carries_what_claude_code_reads() {
    for (name, target, artifact) in render_all() {
        if target != "claude" {
            continue;
        }
        let l = agents()
            .into_iter()
            .find(|l| l.spec.name == name)
            .expect("agent");
        let agent = agentc::lower::lower(&l.spec);
        let yaml = artifact.content["---\n".len()..]
            .split_once("\n---\n")
            .expect("frontmatter")
            .0;
        let map: serde_yaml::Mapping = serde_yaml::from_str(yaml).expect("YAML");
        let get = |k: &str| map.get(k).and_then(|v| v.as_str()).map(str::to_string);
        assert_eq!(
            get("description"),
            Some(agent.description.clone()),
            "{name}"
        );
        // Legacy tool names under their current ones (backend-architect's MultiEdit).
        let tools = agent
            .tools
            .as_ref()
            .map(|t| t.join(", ").replace("MultiEdit", "Edit"));
        assert_eq!(get("tools"), tools, "{name}");
        for key in [
            "version",
            "category",
            "author",
            "tags",
            "model_compatibility",
            "emoji",
        ] {
            assert!(map.get(key).is_none(), "{name}: `{key}` written");
        }
        // The extra keys Claude Code reads are carried as written.
        for (key, value) in agent.extra.iter().filter(|(k, _)| *k != "emoji") {
            let got = map
                .get(key.as_str())
                .unwrap_or_else(|| panic!("{name}: no extra `{key}`"));
            let want: serde_yaml::Value = serde_yaml::to_value(value).expect("extra value as YAML");
            assert_eq!(got, &want, "{name}: extra `{key}`");
        }
        // And what it leaves out is said, agent by agent (checked by hand
        // against the specs in agents/).
        let rendered = library::render(&agent, "claude", None, Layout::Dist, &l.path).unwrap();
        let said: Vec<&str> = rendered
            .warnings
            .iter()
            .map(|w| w.message.as_str())
            .collect();
        let prefix = format!("`{name}` → `claude`: ");
        let want: Vec<String> = match name.as_str() {
            "backend-architect" => vec![
                "legacy tool names written under their current names: `MultiEdit` as `Edit`",
                "Claude Code does not read `version`, `category`; not written (kept in the spec; `lossless = true` writes them)",
            ],
            "code-reviewer" => vec![
                "cannot carry extra keys; dropped [\"emoji\"]",
                "Claude Code does not read `tags`; not written (kept in the spec; `lossless = true` writes them)",
            ],
            "release-notes-writer" => vec![
                "Claude Code does not read `version`, `category`, `author`; not written (kept in the spec; `lossless = true` writes them)",
            ],
            other => panic!("a new agent in agents/: {other}; list what claude says of it"),
        }
        .into_iter()
        .map(|w| format!("{prefix}{w}"))
        .collect();
        assert_eq!(said, want, "{name}");
    }
}
