//! The translation report: what each target could not express of each agent,
//! grouped by agent and target, for `build` and `check` to print or list as JSON.
//!
//! Pure: it reads diagnostics with code `translation` (warnings, or errors under
//! `--strict`) and the agent and target they are `about`.

use serde_json::{Value, json};

use crate::diag::{Code, Diagnostic, Diagnostics};

/// The translation diagnostics of one agent for one target, in order.
#[derive(Debug)]
pub struct Group<'a> {
    pub agent: &'a str,
    pub target: &'a str,
    pub items: Vec<&'a Diagnostic>,
}

/// Whether `d` belongs in the translation report.
pub fn is_translation(d: &Diagnostic) -> bool {
    d.code == Code::Translation && d.subject.is_some()
}

/// The translation diagnostics grouped by agent, then target (sorted).
pub fn groups(diags: &Diagnostics) -> Vec<Group<'_>> {
    // Indexed by pair: a large project has tens of thousands of them.
    let mut by_pair: std::collections::BTreeMap<(&str, &str), Vec<&Diagnostic>> =
        Default::default();
    for d in diags.iter().filter(|d| is_translation(d)) {
        if let Some((agent, target)) = &d.subject {
            by_pair.entry((agent, target)).or_default().push(d);
        }
    }
    by_pair
        .into_iter()
        .map(|((agent, target), items)| Group {
            agent,
            target,
            items,
        })
        .collect()
}

/// What was lost, without the `agent` → `target` prefix the group shows.
fn what<'a>(g: &Group, d: &'a Diagnostic) -> &'a str {
    let prefix = format!("`{}` → `{}`: ", g.agent, g.target);
    d.message
        .strip_prefix(prefix.as_str())
        .unwrap_or(&d.message)
}

/// The report as text: a heading, then one block per agent and target.
pub fn human(groups: &[Group]) -> String {
    if groups.is_empty() {
        return String::new();
    }
    let total: usize = groups.iter().map(|g| g.items.len()).sum();
    let mut text = format!(
        "translation report: {total} item(s) for {} agent × target pair(s)\n",
        groups.len()
    );
    for g in groups {
        text.push_str(&format!(
            "  {} → {} ({})\n",
            g.agent,
            g.target,
            g.items.len()
        ));
        for d in &g.items {
            text.push_str(&format!("    - {}\n", what(g, d)));
        }
    }
    text
}

/// The report as JSON: one object per agent and target.
pub fn to_json(groups: &[Group]) -> Vec<Value> {
    groups
        .iter()
        .map(|g| {
            let items: Vec<&str> = g.items.iter().map(|d| what(g, d)).collect();
            json!({ "agent": g.agent, "target": g.target, "count": items.len(), "items": items })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    fn translation(a: &str, t: &str, w: &str) -> Diagnostic {
        Diagnostic::translation(a, t, w)
    }

    #[test]
    fn groups_by_agent_then_target() {
        let diags = Diagnostics(vec![
            translation("b", "roo", "cannot express a colour"),
            translation("a", "qwen", "tool `X` has no equivalent; dropped"),
            Diagnostic::warning(Code::Other, "not part of the report"),
            translation("b", "roo", "cannot express a model"),
        ]);
        let groups = groups(&diags);
        let keys: Vec<(&str, &str, usize)> = groups
            .iter()
            .map(|g| (g.agent, g.target, g.items.len()))
            .collect();
        assert_eq!(keys, [("a", "qwen", 1), ("b", "roo", 2)]);
        let text = human(&groups);
        assert!(
            text.starts_with("translation report: 3 item(s) for 2 agent × target pair(s)\n"),
            "{text}"
        );
        assert!(
            text.contains("  b → roo (2)\n    - cannot express a colour\n"),
            "{text}"
        );
        assert_eq!(to_json(&groups)[1]["items"][1], "cannot express a model");
    }
}
