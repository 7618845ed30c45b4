//! The translation report: what each target could not express of each agent,
//! grouped by agent and target, for `build` and `check` to print or list as JSON.
//!
//! Pure: it reads diagnostics with code `translation` (warnings, or errors under
//! `--strict`) and the agent and target they are `about`.

use serde_json::{Value, json};

use crate::diag::{Code, Diagnostic, Diagnostics, Loss};

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

/// How many agents a line of the short report names before `…`.
const EXAMPLES: usize = 3;

/// The report as text. Short (the default): one line per loss and target,
/// with how many items and agents, a few of the agents and one item as an
/// example; widenings of permissions (`all-tools`) first. `verbose`: every
/// item, one block per agent and target.
pub fn human(diags: &Diagnostics, verbose: bool) -> String {
    if verbose {
        return each(&groups(diags));
    }
    let mut lines: std::collections::BTreeMap<(bool, Option<Loss>, &str), Vec<&Diagnostic>> =
        Default::default();
    let mut pairs = std::collections::HashSet::new();
    for d in diags.iter().filter(|d| is_translation(d)) {
        if let Some((agent, target)) = &d.subject {
            pairs.insert((agent, target));
            lines
                .entry((d.loss.is_none(), d.loss, target.as_str()))
                .or_default()
                .push(d);
        }
    }
    if lines.is_empty() {
        return String::new();
    }
    let total: usize = lines.values().map(Vec::len).sum();
    let mut text = format!(
        "translation report: {total} item{} for {} agent × target pair{}, by loss and target (-v lists every item)\n",
        plural(total),
        pairs.len(),
        plural(pairs.len())
    );
    for ((_, loss, target), items) in &lines {
        let mut agents: Vec<&str> = Vec::new();
        for d in items {
            if let Some((agent, _)) = &d.subject
                && !agents.contains(&agent.as_str())
            {
                agents.push(agent);
            }
        }
        let shown: Vec<&str> = agents.iter().take(EXAMPLES).copied().collect();
        let more = if agents.len() > EXAMPLES { ", …" } else { "" };
        let first = items[0];
        let g = Group {
            agent: first.subject.as_ref().map_or("", |(a, _)| a.as_str()),
            target,
            items: Vec::new(),
        };
        text.push_str(&format!(
            "  {} × {target}: {} item{} in {} agent{} ({}{more}); e.g. {}\n",
            loss.map_or("other", Loss::as_str),
            items.len(),
            plural(items.len()),
            agents.len(),
            plural(agents.len()),
            shown.join(", "),
            what(&g, first)
        ));
    }
    text
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// The report as text: a heading, then one block per agent and target.
fn each(groups: &[Group]) -> String {
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
        Diagnostic::translation(a, t, Loss::DroppedTool, w)
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
        let text = each(&groups);
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

    #[test]
    fn short_report_is_one_line_per_loss_and_target_widenings_first() {
        let mut all = Vec::new();
        for a in ["a", "b", "c", "d"] {
            all.push(Diagnostic::translation(
                a,
                "codex",
                Loss::DroppedField,
                "cannot carry extra keys; dropped [\"emoji\"]",
            ));
        }
        all.push(Diagnostic::translation(
            "b",
            "qwen",
            Loss::DroppedTool,
            "tool `X` has no equivalent; dropped",
        ));
        all.push(Diagnostic::translation(
            "b",
            "qwen",
            Loss::DroppedTool,
            "tool `Y` has no equivalent; dropped",
        ));
        all.push(Diagnostic::translation(
            "c",
            "cursor",
            Loss::AllTools,
            "became every tool",
        ));
        let text = human(&Diagnostics(all.clone()), false);
        assert_eq!(
            text,
            "translation report: 7 items for 6 agent × target pairs, by loss and target (-v lists every item)\n\
             \x20 all-tools × cursor: 1 item in 1 agent (c); e.g. became every tool\n\
             \x20 dropped-tool × qwen: 2 items in 1 agent (b); e.g. tool `X` has no equivalent; dropped\n\
             \x20 dropped-field × codex: 4 items in 4 agents (a, b, c, …); e.g. cannot carry extra keys; dropped [\"emoji\"]\n"
        );
        let verbose = human(&Diagnostics(all), true);
        assert_eq!(verbose.matches("    - ").count(), 7, "{verbose}");
    }
}
