//! The whole corpus (`../shared/corpus`, 202 real agent files): every file imports
//! without error; rendering to `claude` and importing again gives the identical
//! spec; the rendered body equals the original up to whitespace normalisation; and
//! every frontmatter key and value is kept, with no exemption. Values Claude Code's
//! docs do not list (a model such as `fable`, a colour such as `magenta`) are kept as
//! written with a translation warning; those warnings are counted.
//!
//! It also measures the classifier: the share of the imported body (role and
//! free sections, in characters) that sits in a section with a kind must be at
//! least 90%.

use std::collections::BTreeMap;

use crate::support::import::{corpus_files, normalise, render, split};
use crate::support::shared;
use agentc::support::text::normalize as text;
use serde_json::Value;

fn tool_list(v: &Value) -> Vec<String> {
    match v {
        Value::String(s) => s
            .split(',')
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
            .collect(),
        Value::Array(a) => a
            .iter()
            .map(|t| t.as_str().unwrap_or_default().to_string())
            .collect(),
        _ => Vec::new(),
    }
}

fn same_value(key: &str, original: &Value, rendered: &Value) -> bool {
    match (key, original, rendered) {
        ("tools", o, r) => tool_list(o) == tool_list(r),
        ("description", Value::String(o), Value::String(r)) => {
            text(&o.replace("\\n", "\n")) == text(r)
        }
        (_, Value::String(o), Value::String(r)) => text(o) == text(r),
        (_, Value::Number(n), Value::String(r)) => n.to_string() == *r,
        (_, o, r) => o == r,
    }
}

#[test]
fn corpus_imports_and_round_trips_through_claude() {
    let Some(dir) = shared("corpus") else {
        return;
    };
    let mut files = Vec::new();
    corpus_files(&dir, &mut files);
    files.sort();
    let mut warnings: BTreeMap<&str, usize> = BTreeMap::new();
    let mut translation: BTreeMap<String, usize> = BTreeMap::new();
    let (mut imported, mut with_warnings, mut lifted, mut sections) = (0, 0, 0, 0);
    let mut failures = Vec::new();
    // Characters of body (role + sections) and of sections with a kind;
    // the heaviest unclassified headings, for the report.
    let (mut body_chars, mut classified_chars) = (0usize, 0usize);
    let mut unclassified: BTreeMap<String, usize> = BTreeMap::new();
    let mut by_kind: BTreeMap<&str, usize> = BTreeMap::new();
    for path in &files {
        let original = std::fs::read_to_string(path).expect("corpus file is UTF-8");
        let i = match agentc::import::import(path, &original) {
            Ok(i) => i,
            Err(e) => {
                failures.push(format!("{}: import failed: {}", path.display(), e.message));
                continue;
            }
        };
        imported += 1;
        with_warnings += usize::from(!i.warnings.is_empty());
        for w in &i.warnings {
            *warnings.entry(w.code.as_str()).or_default() += 1;
        }
        sections += i.spec.sections.len();
        body_chars += i.spec.role.as_deref().map_or(0, |r| r.chars().count());
        for sec in &i.spec.sections {
            let n = sec.title.chars().count() + sec.body.chars().count();
            body_chars += n;
            match sec.kind {
                Some(k) => {
                    classified_chars += n;
                    *by_kind.entry(k.name()).or_default() += 1;
                }
                None => *unclassified.entry(sec.title.to_lowercase()).or_default() += n,
            }
        }
        lifted += usize::from(agentc::lower::lower(&i.spec).is_structured());
        let (rendered, drops) = render(&i.spec, "claude");
        let again = agentc::import::import(path, &rendered)
            .expect("the rendered file imports")
            .spec;
        for d in &drops {
            *translation.entry(d.message.clone()).or_default() += 1;
        }
        let expected = i.spec.clone();
        if again != expected {
            failures.push(format!(
                "{}: the claude round trip changed the spec",
                path.display()
            ));
        }
        let (orig_fm, orig_body) = split(&original);
        let (new_fm, new_body) = split(&rendered);
        if normalise(&orig_body) != normalise(&new_body) {
            failures.push(format!("{}: the rendered body differs", path.display()));
        }
        let (Ok(Value::Object(o)), Ok(Value::Object(r))) = (
            agentc::support::yaml::parse(&orig_fm),
            agentc::support::yaml::parse(&new_fm),
        ) else {
            failures.push(format!(
                "{}: a frontmatter is not a YAML mapping",
                path.display()
            ));
            continue;
        };
        for (k, v) in &o {
            // An empty `tools` means all tools to Claude Code, as no `tools` does:
            // it is imported as all tools and written as no `tools`.
            let all_tools = k == "tools" && tool_list(v).is_empty() && !r.contains_key(k);
            let kept = all_tools || r.get(k).is_some_and(|rv| same_value(k, v, rv));
            if !kept {
                failures.push(format!(
                    "{}: frontmatter `{k}` = {v} was not kept",
                    path.display()
                ));
            }
        }
    }
    eprintln!(
        "corpus: {} files, {imported} imported, {} failed, {with_warnings} with warnings, {lifted} with lifted fields, {sections} free sections",
        files.len(),
        files.len() - imported
    );
    eprintln!("corpus warnings by kind: {warnings:?}");
    eprintln!("corpus translation warnings (claude): {translation:?}");
    let share = classified_chars as f64 * 100.0 / body_chars.max(1) as f64;
    eprintln!(
        "corpus classified: {classified_chars} of {body_chars} body characters ({share:.1}%) in a section with a kind"
    );
    eprintln!("corpus sections by kind: {by_kind:?}");
    let mut heaviest: Vec<(&String, &usize)> = unclassified.iter().collect();
    heaviest.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    eprintln!(
        "corpus unclassified ({} headings), heaviest: {:?}",
        unclassified.len(),
        &heaviest[..heaviest.len().min(20)]
    );
    assert_eq!(files.len(), 202, "the corpus holds 202 agent files");
    assert!(
        share >= 90.0,
        "only {share:.1}% of the corpus body is in a classified section"
    );
    assert!(
        failures.is_empty(),
        "{} problems:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
