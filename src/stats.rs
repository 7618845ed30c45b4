//! `agentc stats`: the size of every rendered file, agent × target, with totals.
//!
//! Input: the artifacts of one compile, one at a time ([`Measure`]), the targets (for their tokenizers), the
//! budgets in force and the encoding to count GPT with. Output: rows (characters,
//! lines, tokens), totals per target and overall, and the findings over budget.
//! Token counts are exact for targets with OpenAI's tokenizer (`gpt`) and labelled estimates (`~`, and
//! `exact: false` in JSON) for every other one. Pure.

use serde_json::{Value, json};

use crate::artifact::Artifact;
use crate::lint::budget::{self, Budgets, Finding};
use crate::support::tokens::{self, GptEncoding, Tokens};
use crate::target::Target;

/// One rendered file.
#[derive(Debug, Clone)]
pub struct Row {
    pub agent: String,
    pub target: String,
    pub path: std::path::PathBuf,
    pub characters: usize,
    pub lines: usize,
    pub tokens: Tokens,
    pub over_budget: bool,
}

/// Sums over some rows; `exact` only when every count summed was exact.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Total {
    pub files: usize,
    pub characters: usize,
    pub lines: usize,
    pub tokens: usize,
    pub exact: bool,
}

impl Total {
    fn of<'a>(rows: impl Iterator<Item = &'a Row>) -> Total {
        let mut t = Total {
            exact: true,
            ..Total::default()
        };
        for r in rows {
            t.files += 1;
            t.characters += r.characters;
            t.lines += r.lines;
            t.tokens += r.tokens.count;
            t.exact &= r.tokens.exact;
        }
        t
    }

    fn to_json(&self) -> Value {
        json!({
            "files": self.files, "characters": self.characters, "lines": self.lines,
            "tokens": { "count": self.tokens, "exact": self.exact },
        })
    }
}

pub struct Stats {
    /// Sorted by agent, then by the order of the targets.
    pub rows: Vec<Row>,
    /// Per target, in the order of the targets.
    pub totals: Vec<(String, Total)>,
    pub overall: Total,
    pub findings: Vec<Finding>,
    pub encoding: GptEncoding,
}

/// The agent column of a target's project file (a plugin's manifest).
const PROJECT_FILE: &str = "(project file)";

/// The figures taken one file at a time, so that a command can measure a
/// compile's files as they are rendered and drop each one after (memory grows
/// with the rows, a few numbers per file, not with the files' text).
pub struct Measure<'a> {
    targets: &'a [&'a Target],
    budgets: &'a Budgets,
    encoding: GptEncoding,
    rows: Vec<Row>,
    findings: Vec<Finding>,
}

impl<'a> Measure<'a> {
    pub fn new(targets: &'a [&'a Target], budgets: &'a Budgets, encoding: GptEncoding) -> Self {
        Measure {
            targets,
            budgets,
            encoding,
            rows: Vec::new(),
            findings: Vec::new(),
        }
    }

    /// Measures one file; returns its findings over budget (also kept).
    pub fn add(&mut self, a: &Artifact) -> &[Finding] {
        let tokenizer = self
            .targets
            .iter()
            .find(|t| t.name == a.target)
            .map(|t| t.tokenizer)
            .unwrap_or_default();
        let tokens = tokens::count_with(tokenizer, &a.content, self.encoding);
        let characters = a.content.chars().count();
        let found = self
            .budgets
            .get(&a.target)
            .map(|limit| budget::check(a, limit, characters, || tokens))
            .unwrap_or_default();
        self.rows.push(Row {
            agent: if a.is_project_file() {
                PROJECT_FILE.to_string()
            } else {
                a.agent.clone()
            },
            target: a.target.clone(),
            path: a.path.clone(),
            characters,
            lines: a.content.lines().count(),
            tokens,
            over_budget: !found.is_empty(),
        });
        let from = self.findings.len();
        self.findings.extend(found);
        &self.findings[from..]
    }

    /// The rows sorted, and the totals.
    pub fn finish(self) -> Stats {
        let targets = self.targets;
        let order = |name: &str| targets.iter().position(|t| t.name == name);
        let mut rows = self.rows;
        rows.sort_by(|a, b| (&a.agent, order(&a.target)).cmp(&(&b.agent, order(&b.target))));
        let totals = targets
            .iter()
            .map(|t| {
                (
                    t.name.clone(),
                    Total::of(rows.iter().filter(|r| r.target == t.name)),
                )
            })
            .filter(|(_, total)| total.files > 0)
            .collect();
        let overall = Total::of(rows.iter());
        Stats {
            rows,
            totals,
            overall,
            findings: self.findings,
            encoding: self.encoding,
        }
    }
}

fn encoding_name(e: GptEncoding) -> &'static str {
    match e {
        GptEncoding::O200kBase => "o200k_base",
        GptEncoding::Cl100kBase => "cl100k_base",
    }
}

/// The agent column of a row: a file written for many agents (Roo's
/// `.roomodes`) lists them all in the data; the table names the first few
/// and counts the rest, so that one row does not widen the whole table.
fn agent_cell(agents: &str) -> String {
    const WIDE: usize = 48;
    if agents.chars().count() <= WIDE {
        return agents.to_string();
    }
    let names: Vec<&str> = agents.split(", ").collect();
    let mut cell = String::new();
    let mut shown = 0;
    for name in &names {
        if shown > 0 && cell.chars().count() + name.chars().count() + 2 > WIDE {
            break;
        }
        if shown > 0 {
            cell.push_str(", ");
        }
        cell.push_str(name);
        shown += 1;
    }
    if shown < names.len() {
        cell.push_str(&format!(" +{} more", names.len() - shown));
    }
    cell
}

fn tokens_cell(count: usize, exact: bool) -> String {
    if exact {
        count.to_string()
    } else {
        format!("~{count}")
    }
}

/// The table: one row per file, then the totals, then what `~` means.
/// `color` dims estimates and marks rows over budget in yellow.
pub fn human(s: &Stats, color: bool) -> String {
    let mut lines: Vec<(String, String, String, String, String, bool)> = Vec::new();
    for r in &s.rows {
        lines.push((
            agent_cell(&r.agent),
            r.target.clone(),
            r.characters.to_string(),
            r.lines.to_string(),
            tokens_cell(r.tokens.count, r.tokens.exact),
            r.over_budget,
        ));
    }
    let mut totals: Vec<(String, &Total)> = s
        .totals
        .iter()
        .map(|(t, total)| (t.clone(), total))
        .collect();
    totals.push(("all".to_string(), &s.overall));
    let first_total = lines.len();
    for (target, t) in totals {
        lines.push((
            "total".into(),
            target,
            t.characters.to_string(),
            t.lines.to_string(),
            tokens_cell(t.tokens, t.exact),
            false,
        ));
    }
    let header = (
        "agent".to_string(),
        "target".to_string(),
        "chars".to_string(),
        "lines".to_string(),
        "tokens".to_string(),
        false,
    );
    let all = std::iter::once(&header).chain(lines.iter());
    let w = all.fold([0; 5], |w, l| {
        let len = |s: &String| s.chars().count();
        [
            w[0].max(len(&l.0)),
            w[1].max(len(&l.1)),
            w[2].max(len(&l.2)),
            w[3].max(len(&l.3)),
            w[4].max(len(&l.4)),
        ]
    });
    let paint = |code: &str, text: String| {
        if color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text
        }
    };
    // Padded by hand: `format!`'s widths stop at 65,535 (and panic beyond).
    let pad = |s: &str, width: usize, right: bool| {
        let fill = " ".repeat(width.saturating_sub(s.chars().count()));
        if right {
            fill + s
        } else {
            s.to_string() + &fill
        }
    };
    let row = |l: &(String, String, String, String, String, bool)| {
        [
            pad(&l.0, w[0], false),
            pad(&l.1, w[1], false),
            pad(&l.2, w[2], true),
            pad(&l.3, w[3], true),
            pad(&l.4, w[4], true),
        ]
        .join("  ")
        .trim_end()
        .to_string()
    };
    let mut text = paint("1", row(&header)) + "\n";
    for (i, l) in lines.iter().enumerate() {
        let line = row(l);
        let line = if l.5 {
            paint("33", line + " !")
        } else if i >= first_total {
            paint("1", line)
        } else {
            line
        };
        text.push_str(&line);
        text.push('\n');
    }
    let estimated = s.rows.iter().any(|r| !r.tokens.exact);
    let exact = s.rows.iter().any(|r| r.tokens.exact);
    if estimated {
        text.push_str(&paint(
            "2",
            "~ estimate: characters / 4 (no offline tokenizer for this model family)".into(),
        ));
        text.push('\n');
    }
    if exact {
        text.push_str(&format!(
            "gpt tokens counted exactly with {}\n",
            encoding_name(s.encoding)
        ));
    }
    if !s.findings.is_empty() {
        text.push_str("! over budget (see the warnings)\n");
    }
    text
}

/// The JSON shape documented in docs/json.md.
pub fn to_json(s: &Stats) -> Value {
    let rows: Vec<Value> = s
        .rows
        .iter()
        .map(|r| {
            json!({
                "agent": r.agent, "target": r.target, "path": r.path,
                "characters": r.characters, "lines": r.lines,
                "tokens": { "count": r.tokens.count, "exact": r.tokens.exact, "encoding": r.tokens.encoding.name() },
                "over_budget": r.over_budget,
            })
        })
        .collect();
    let mut targets = serde_json::Map::new();
    for (name, t) in &s.totals {
        targets.insert(name.clone(), t.to_json());
    }
    json!({
        "encoding": encoding_name(s.encoding),
        "rows": rows,
        "totals": { "targets": targets, "all": s.overall.to_json() },
        "over_budget": s.findings,
    })
}

/// The one-line summary.
pub fn summary(s: &Stats, agents: usize) -> String {
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    let over = s.findings.len();
    format!(
        "measured {agents} agent{} × {} target{}: {} file{}, {} characters, {} tokens{}",
        plural(agents),
        s.totals.len(),
        plural(s.totals.len()),
        s.overall.files,
        plural(s.overall.files),
        s.overall.characters,
        tokens_cell(s.overall.tokens, s.overall.exact),
        if over > 0 {
            format!("; {over} over budget")
        } else {
            String::new()
        }
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::budget::Limit;
    use crate::target::Registry;

    fn artifact(agent: &str, target: &str, content: &str) -> Artifact {
        Artifact::new(
            agent.into(),
            target.into(),
            format!("{target}/{agent}.md").into(),
            content.into(),
        )
    }

    #[test]
    fn rows_totals_and_labels() {
        let registry = Registry::load(None).expect("built-in targets");
        let targets: Vec<&Target> = ["claude", "gpt"]
            .iter()
            .map(|n| &**registry.get(n).unwrap())
            .collect();
        let artifacts = [
            artifact("b", "gpt", "hello world\n"),
            artifact("a", "gpt", "You are a code reviewer.\n"),
            artifact("a", "claude", "abcdefgh\nij\n"),
        ];
        let mut budgets = Budgets::new();
        budgets.insert(
            "gpt".into(),
            Limit {
                max_tokens: Some(5),
                ..Limit::default()
            },
        );
        let mut m = Measure::new(&targets, &budgets, GptEncoding::O200kBase);
        for a in &artifacts {
            m.add(a);
        }
        let s = m.finish();
        let keys: Vec<_> = s
            .rows
            .iter()
            .map(|r| {
                (
                    r.agent.as_str(),
                    r.target.as_str(),
                    r.tokens.count,
                    r.tokens.exact,
                )
            })
            .collect();
        // o200k_base: "You are a code reviewer." is 6 tokens and ".\n" is one
        // token, so the line is 6; "hello world\n" is "hello", " world", "\n".
        assert_eq!(
            keys,
            [
                ("a", "claude", 3, false),
                ("a", "gpt", 6, true),
                ("b", "gpt", 3, true)
            ]
        );
        assert_eq!(s.totals[1].1.tokens, 9);
        assert!(s.totals[1].1.exact && !s.overall.exact);
        assert_eq!(s.overall.characters, 12 + 25 + 12);
        assert_eq!(s.overall.lines, 4);
        assert_eq!(s.findings.len(), 1);
        assert!(s.rows[1].over_budget);
        let text = human(&s, false);
        assert_eq!(
            text,
            "agent  target  chars  lines  tokens\n\
             a      claude     12      2      ~3\n\
             a      gpt        25      1       6 !\n\
             b      gpt        12      1       3\n\
             total  claude     12      2      ~3\n\
             total  gpt        37      2       9\n\
             total  all        49      4     ~12\n\
             ~ estimate: characters / 4 (no offline tokenizer for this model family)\n\
             gpt tokens counted exactly with o200k_base\n\
             ! over budget (see the warnings)\n"
        );
        let json = to_json(&s);
        assert_eq!(json["rows"][0]["tokens"]["exact"], false);
        assert_eq!(json["rows"][1]["tokens"]["encoding"], "o200k_base");
        assert_eq!(json["totals"]["targets"]["gpt"]["tokens"]["count"], 9);
    }
}
