//! Lint: named rules over loaded specs, each with a level (allow, warn, deny) that
//! `[lint]` in agentc.toml can change, like clippy's lints.
//!
//! Input: loaded specs and the targets of the run. Output: diagnostics whose code
//! is the rule's name, pointing at the file, line and column, with a help line.
//! `build` runs the rules whose level is `deny` and fails on their findings.
//! `over-budget` needs rendered files, so it lives in [`budget`] and the commands
//! run it over what they render; its name and level are kept here with the rest.

pub mod budget;

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use toml::de::DeTable;

use crate::diag::span::{Key, locate};
use crate::diag::{Code, Diagnostic, Diagnostics, Severity, did_you_mean};
use crate::load::Loaded;
use crate::spec::Spec;
use crate::target::Target;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Allow,
    Warn,
    Deny,
}

/// The level of every rule in force (the defaults, `[lint]` over them).
pub type Levels = BTreeMap<Code, Level>;

pub struct Rule {
    /// The rule's name is its code's (`empty-role`).
    pub code: Code,
    pub level: Level,
    pub summary: &'static str,
}

pub const RULES: &[Rule] = &[
    Rule {
        code: Code::MissingDescription,
        level: Level::Warn,
        summary: "the spec has no `description`, so coordinators get a derived one",
    },
    Rule {
        code: Code::ShortDescription,
        level: Level::Warn,
        summary: "the description is under 40 characters",
    },
    Rule {
        code: Code::NoTriggerPhrase,
        level: Level::Warn,
        summary: "the description never says when to use the agent (no trigger phrase or example)",
    },
    Rule {
        code: Code::EmptyRole,
        level: Level::Warn,
        summary: "the spec has no `role`",
    },
    Rule {
        code: Code::EmptyItem,
        level: Level::Warn,
        summary: "a list holds an empty item",
    },
    Rule {
        code: Code::DuplicateItem,
        level: Level::Warn,
        summary: "a list holds the same item twice",
    },
    Rule {
        code: Code::WillAndWillNot,
        level: Level::Deny,
        summary: "the same item is under both `will` and `will_not`",
    },
    Rule {
        code: Code::UnmappableTool,
        level: Level::Warn,
        summary: "no selected target can express a tool",
    },
    Rule {
        code: Code::NameFileMismatch,
        level: Level::Warn,
        summary: "the agent's name differs from its file name",
    },
    Rule {
        code: Code::SectionRepeatsField,
        level: Level::Warn,
        summary: "a free section is titled like a structured field",
    },
    Rule {
        code: Code::OverBudget,
        level: Level::Warn,
        summary: "a rendered file is over its target's budget (`[budget.<target>]`, copilot's 30000 characters)",
    },
];

impl Rule {
    pub fn name(&self) -> &'static str {
        self.code.as_str()
    }
}

/// The levels in force: the defaults with `[lint]` of agentc.toml over them.
pub fn levels(
    config: &BTreeMap<String, Level>,
    config_file: Option<&Path>,
) -> Result<Levels, Diagnostics> {
    let mut levels: Levels = RULES.iter().map(|r| (r.code, r.level)).collect();
    let mut diags = Diagnostics::default();
    for (name, level) in config {
        match RULES.iter().find(|r| r.name() == name) {
            Some(rule) => {
                levels.insert(rule.code, *level);
            }
            None => {
                let mut d = Diagnostic::error(
                    Code::UnknownLint,
                    format!("unknown lint rule `{name}` in `[lint]`"),
                );
                if let Some(p) = config_file {
                    d = d.at(p);
                }
                d = match did_you_mean(name, RULES.iter().map(Rule::name)) {
                    Some(s) => d.help(format!("did you mean `{s}`?")),
                    None => d.help("`agentc lint --list` shows the rules"),
                };
                diags.push(d);
            }
        }
    }
    if diags.is_empty() {
        Ok(levels)
    } else {
        Err(diags)
    }
}

/// Runs every rule whose level is at least `min` over the specs.
pub fn lint(loaded: &[Loaded], targets: &[&Target], levels: &Levels, min: Level) -> Diagnostics {
    use rayon::prelude::*;
    // Specs are linted in parallel; findings come out in the order of `loaded`.
    let each: Vec<Diagnostics> = loaded
        .par_iter()
        .map(|l| {
            let mut out = Diagnostics::default();
            let mut ctx = Ctx {
                loaded: l,
                doc: std::cell::OnceCell::new(),
                levels,
                min,
                out: &mut out,
            };
            check_description(&mut ctx);
            check_lists(&mut ctx);
            check_tools(&mut ctx, targets);
            check_names(&mut ctx);
            out
        })
        .collect();
    let mut out = Diagnostics::default();
    for d in each {
        out.extend(d);
    }
    out
}

struct Ctx<'a> {
    loaded: &'a Loaded,
    /// The spec's syntax tree, parsed on the first finding (to place it).
    doc: std::cell::OnceCell<toml::Spanned<DeTable<'a>>>,
    levels: &'a Levels,
    min: Level,
    out: &'a mut Diagnostics,
}

impl Ctx<'_> {
    fn spec(&self) -> &Spec {
        &self.loaded.spec
    }

    /// Reports a finding of `rule` at the value found by `path` (or the file).
    fn report(&mut self, rule: Code, path: &[Key], message: String, help: &str) {
        let level = self.levels.get(&rule).copied().unwrap_or(Level::Allow);
        if level == Level::Allow || level < self.min {
            return;
        }
        let mut d = Diagnostic::warning(rule, message)
            .at(&self.loaded.path)
            .help(help);
        if level == Level::Deny {
            d.severity = Severity::Error;
        }
        let source: &str = &self.loaded.source;
        let doc = self
            .doc
            .get_or_init(|| DeTable::parse_recoverable(source).0);
        let span = locate(doc.get_ref(), path).unwrap_or(0..0);
        d = d.span(&self.loaded.source, span);
        self.out.push(d);
    }
}

const TRIGGER_WORDS: &[&str] = &[
    "use ",
    "when",
    "proactively",
    "<example>",
    "must be used",
    "invoke",
    "call ",
    "for ",
];

fn check_description(c: &mut Ctx) {
    match c.spec().description.clone() {
        None => c.report(
            Code::MissingDescription,
            &[Key::K("name")],
            format!("`{}` has no description", c.spec().name),
            "add `description = \"Use this agent when …\"`: coordinators read it to decide when to delegate",
        ),
        Some(d) => {
            if d.trim().chars().count() < 40 {
                c.report(
                    Code::ShortDescription,
                    &[Key::K("description")],
                    format!("the description is only {} characters", d.trim().chars().count()),
                    "say what the agent does and when to use it, in a sentence or two",
                );
            }
            let lower = d.to_lowercase();
            if !TRIGGER_WORDS.iter().any(|w| lower.contains(w)) {
                c.report(
                    Code::NoTriggerPhrase,
                    &[Key::K("description")],
                    "the description never says when to use the agent".into(),
                    "start with \"Use this agent when …\" or add an `<example>` block",
                );
            }
        }
    }
    if c.spec().role.as_deref().is_none_or(|r| r.trim().is_empty()) {
        c.report(
            Code::EmptyRole,
            &[Key::K("name")],
            "the agent has no role".into(),
            "add `role = \"You are …\"`: the identity the prompt starts with",
        );
    }
}

fn check_lists(c: &mut Ctx) {
    let spec = c.spec().clone();
    let mut lists: Vec<(Vec<Key>, &Vec<String>)> = Vec::new();
    for (key, list) in [
        ("tags", &spec.tags),
        ("tools", &spec.tools),
        ("model_compatibility", &spec.model_compatibility),
    ] {
        if let Some(list) = list {
            lists.push((vec![Key::K(key)], list));
        }
    }
    lists.push((vec![Key::K("triggers")], &spec.triggers));
    lists.push((vec![Key::K("expertise")], &spec.expertise));
    lists.push((vec![Key::K("success_metrics")], &spec.success_metrics));
    for (i, r) in spec.responsibilities.iter().enumerate() {
        lists.push((
            vec![Key::K("responsibilities"), Key::I(i), Key::K("actions")],
            &r.actions,
        ));
    }
    if let Some(b) = &spec.boundaries {
        lists.push((vec![Key::K("boundaries"), Key::K("will")], &b.will));
        lists.push((vec![Key::K("boundaries"), Key::K("will_not")], &b.will_not));
        lists.push((
            vec![Key::K("boundaries"), Key::K("escalation")],
            &b.escalation,
        ));
        for (i, item) in b.will.iter().enumerate() {
            if b.will_not.iter().any(|n| n.trim() == item.trim()) {
                c.report(
                    Code::WillAndWillNot,
                    &[Key::K("boundaries"), Key::K("will"), Key::I(i)],
                    format!("`{}` is under both `will` and `will_not`", item.trim()),
                    "keep it in one of them: contradictory instructions confuse the model",
                );
            }
        }
    }
    for (path, list) in lists {
        for (i, item) in list.iter().enumerate() {
            let mut at = path.clone();
            at.push(Key::I(i));
            if item.trim().is_empty() {
                c.report(Code::EmptyItem, &at, "empty list item".into(), "remove it");
            } else if list[..i].iter().any(|prev| prev.trim() == item.trim()) {
                c.report(
                    Code::DuplicateItem,
                    &at,
                    format!("`{}` is listed twice", item.trim()),
                    "remove the repeat",
                );
            }
        }
    }
}

fn check_tools(c: &mut Ctx, targets: &[&Target]) {
    let mappers: Vec<&crate::target::ToolMap> =
        targets.iter().filter_map(|t| t.tools.as_ref()).collect();
    if mappers.is_empty() {
        return;
    }
    let tools = c.spec().tools.clone().unwrap_or_default();
    for (i, tool) in tools.iter().enumerate() {
        if !mappers.iter().any(|m| m.name_of(tool).is_some()) {
            c.report(
                Code::UnmappableTool,
                &[Key::K("tools"), Key::I(i)],
                format!("no selected target can express tool `{tool}`"),
                "remove it, or add a mapping in a project `targets/<name>.toml`",
            );
        }
    }
}

fn check_names(c: &mut Ctx) {
    let stem = c
        .loaded
        .path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    if stem != c.spec().name {
        let name = c.spec().name.clone();
        c.report(
            Code::NameFileMismatch,
            &[Key::K("name")],
            format!("agent `{name}` is in `{stem}.toml`"),
            &format!("rename the file to `{name}.toml`, or the agent to `{stem}`"),
        );
    }
    let titles: Vec<(String, Option<crate::spec::Kind>)> = c
        .spec()
        .sections
        .iter()
        .map(|s| (s.title.clone(), s.kind))
        .collect();
    for (i, (title, kind)) in titles.iter().enumerate() {
        let field = crate::spec::Field::of_heading(title);
        let key = match field {
            Some(f) => Some(f.key()),
            None => title.trim().eq_ignore_ascii_case("role").then_some("role"),
        };
        if let Some(key) = key {
            // Kind-aware help: a section can keep its free form and still say
            // what it is, under a title the importer will not lift.
            let help = match field.map(|f| f.kind()).filter(|k| Some(*k) != *kind) {
                Some(k) => format!(
                    "move its content into `{key}`, or retitle the section and give it `kind = \"{k}\"`"
                ),
                None => format!("move its content into `{key}`, or retitle the section"),
            };
            c.report(
                Code::SectionRepeatsField,
                &[Key::K("sections"), Key::I(i), Key::K("title")],
                format!("section `{title}` repeats the structured field `{key}`"),
                &help,
            );
        }
    }
}

/// Lints one spec text with the default levels.
#[cfg(test)]
fn lint_str(path: &Path, text: &str, targets: &[&Target]) -> Diagnostics {
    let mut diags = Diagnostics::default();
    let Some(l) = crate::load::load_str(path, text, &mut diags) else {
        return diags;
    };
    let levels: Levels = RULES.iter().map(|r| (r.code, r.level)).collect();
    lint(&[l], targets, &levels, Level::Warn)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(text: &str, file: &str) -> Vec<(String, Option<(usize, usize)>)> {
        lint_str(Path::new(file), text, &[])
            .iter()
            .map(|d| (d.code.to_string(), d.line_col()))
            .collect()
    }

    #[test]
    fn each_rule_fires_where_it_should() {
        let text = "name = \"a\"\ndescription = \"Short.\"\ntags = [\"x\", \"\", \"x\"]\n[boundaries]\nwill = [\"w\"]\nwill_not = [\"w\"]\n[[sections]]\ntitle = \"Examples\"\n";
        let found = codes(text, "b.toml");
        let want = [
            ("short-description", Some((2, 15))),
            ("no-trigger-phrase", Some((2, 15))),
            ("empty-role", Some((1, 8))),
            ("will-and-will-not", Some((5, 9))),
            ("empty-item", Some((3, 14))),
            ("duplicate-item", Some((3, 18))),
            ("name-file-mismatch", Some((1, 8))),
            ("section-repeats-field", Some((8, 9))),
        ];
        let want: Vec<(String, Option<(usize, usize)>)> =
            want.iter().map(|(c, l)| (c.to_string(), *l)).collect();
        assert_eq!(found, want);
    }

    #[test]
    fn a_section_titled_like_a_field_is_told_about_kinds() {
        let help = |kind: &str| {
            let text = format!("name = \"a\"\n[[sections]]\ntitle = \"Examples\"\n{kind}");
            let d = lint_str(Path::new("a.toml"), &text, &[]);
            let d = d
                .iter()
                .find(|d| d.code == "section-repeats-field")
                .cloned();
            d.and_then(|d| d.help).unwrap_or_default()
        };
        assert!(
            help("").ends_with("or retitle the section and give it `kind = \"examples\"`"),
            "{}",
            help("")
        );
        assert!(help("kind = \"examples\"\n").ends_with("or retitle the section"));
    }

    #[test]
    fn a_clean_spec_has_no_findings() {
        let text = "name = \"a\"\ndescription = \"Use this agent when a release is tagged, to write notes.\"\nrole = \"You write notes.\"\n";
        assert!(codes(text, "a.toml").is_empty());
        assert_eq!(
            codes("name = \"a\"\nrole = \"x\"\n", "a.toml")[0].0,
            "missing-description"
        );
    }

    #[test]
    fn levels_come_from_config() {
        let mut cfg = BTreeMap::new();
        cfg.insert("empty-role".to_string(), Level::Deny);
        let levels = levels(&cfg, None).unwrap();
        assert_eq!(levels[&Code::EmptyRole], Level::Deny);
        cfg.insert("empty-rol".to_string(), Level::Allow);
        let err = super::levels(&cfg, None).unwrap_err();
        assert_eq!(err.0[0].help.as_deref(), Some("did you mean `empty-role`?"));
    }

    #[test]
    fn deny_findings_are_errors() {
        let text = "name = \"a\"\n[boundaries]\nwill = [\"w\"]\nwill_not = [\"w\"]\n";
        let d = lint_str(Path::new("a.toml"), text, &[]);
        let deny: Vec<_> = d.iter().filter(|d| d.is_error()).map(|d| d.code).collect();
        assert_eq!(deny, ["will-and-will-not"]);
    }
}
