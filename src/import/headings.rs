//! Import stage 3a': headings that are not `## ` headings, in a body that has none.
//!
//! Input: a Markdown body with no top-level `## ` heading (its text would all be
//! the role). Output: the opening paragraph(s) as the role, and one section per
//! line that acts as a heading: a top-level ATX heading of another level
//! (`# X`, `### X`) or a paragraph that is only a bold label (`**Tech Stack**:`,
//! `**Tech Stack:**`) or a short label line ending in a colon and followed by a
//! list (`Your primary responsibilities:`). The section keeps that line as the
//! first line of its body (`heading_in_body`), so the `claude` and `xml` forms
//! write it exactly as it was; its title is the label's text.
//!
//! To split at all the body needs one ATX heading or two labels after its
//! opening text (one "Note:" in a prose role is not a structure). A heading
//! line must follow a blank line and sit outside code fences; the first line
//! never splits (it is the role).

use crate::spec::Section;
use crate::support::text::normalize as text;

/// (role, sections) of a body with no `## ` heading, or `None` when it shows no
/// heading structure.
pub fn split(body: &str) -> Option<(String, Vec<Section>)> {
    let lines: Vec<(usize, &str)> = body
        .split_inclusive('\n')
        .scan(0, |at, l| {
            let start = *at;
            *at += l.len();
            Some((start, l.trim_end_matches('\n')))
        })
        .collect();
    let mut cuts: Vec<(usize, String)> = Vec::new();
    let (mut atx, mut labels) = (0, 0);
    let mut fence: Option<&str> = None;
    let mut seen_text = false;
    for (i, (at, line)) in lines.iter().enumerate() {
        let t = line.trim_start();
        if let Some(f) = fence {
            if t.starts_with(f) {
                fence = None;
            }
            continue;
        }
        if t.starts_with("```") || t.starts_with("~~~") {
            fence = Some(&t[..3]);
            seen_text = true;
            continue;
        }
        let after_blank = i > 0 && lines[i - 1].1.trim().is_empty();
        if seen_text && after_blank {
            if let Some(title) = atx_title(line) {
                atx += 1;
                cuts.push((*at, title));
            } else if let Some(title) = label(line, next_block(&lines[i + 1..])) {
                labels += 1;
                cuts.push((*at, title));
            }
        }
        seen_text |= !t.is_empty();
    }
    if atx == 0 && labels < 2 {
        return None;
    }
    let role = text(&body[..cuts[0].0]);
    let sections = cuts
        .iter()
        .enumerate()
        .map(|(i, (at, title))| {
            let end = cuts.get(i + 1).map_or(body.len(), |c| c.0);
            Section {
                title: title.clone(),
                kind: None,
                heading_in_body: true,
                body: text(&body[*at..end]),
            }
        })
        .collect();
    Some((role, sections))
}

/// The first non-blank line after a heading candidate, if any.
fn next_block<'a>(rest: &[(usize, &'a str)]) -> Option<&'a str> {
    rest.iter().map(|(_, l)| *l).find(|l| !l.trim().is_empty())
}

/// `# Title` or `### Title` (not `## `, which the Markdown reader splits at).
fn atx_title(line: &str) -> Option<String> {
    let hashes = line.len() - line.trim_start_matches('#').len();
    let rest = &line[hashes..];
    let ok = (1..=6).contains(&hashes) && hashes != 2 && rest.starts_with(' ');
    ok.then(|| rest.trim().to_string())
        .filter(|t| !t.is_empty())
}

/// A line that is only a label: `**X**:`, `**X:**` or `**X**` (followed by any
/// block), or `X:` of at most 60 characters followed by a list.
fn label(line: &str, next: Option<&str>) -> Option<String> {
    let next = next?;
    let t = line.trim_end();
    if let Some(inner) = t.strip_prefix("**") {
        let inner = inner
            .strip_suffix("**:")
            .or_else(|| inner.strip_suffix(":**"))
            .or_else(|| inner.strip_suffix("**"))?;
        let ok = !inner.is_empty() && !inner.contains('*') && inner.chars().count() <= 80;
        return ok.then(|| inner.trim().to_string());
    }
    let inner = t.strip_suffix(':')?;
    let n = next.trim_start();
    let list = n.starts_with("- ")
        || n.starts_with("* ")
        || n.split_once(". ")
            .is_some_and(|(d, _)| !d.is_empty() && d.chars().all(|c| c.is_ascii_digit()));
    let plain = inner.chars().next().is_some_and(char::is_uppercase)
        && inner.chars().count() <= 60
        && !inner.contains(['.', '`', '*', ':', '<', '[']);
    (list && plain).then(|| inner.trim().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn titles(body: &str) -> Option<(String, Vec<String>)> {
        split(body).map(|(r, s)| (r, s.into_iter().map(|s| s.title).collect()))
    }

    #[test]
    fn labels_and_other_headings_split_a_body_with_no_sections() {
        let body = "You are x.\n\nYour duties:\n\n1. a\n2. b\n\n**Tech Stack**:\n- Rust\n\n**Patterns:**\n- DDD\n\nClosing words.\n";
        let (role, secs) = split(body).expect("splits");
        assert_eq!(role, "You are x.");
        let got: Vec<(&str, &str)> = secs
            .iter()
            .map(|s| (s.title.as_str(), s.body.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("Your duties", "Your duties:\n\n1. a\n2. b"),
                ("Tech Stack", "**Tech Stack**:\n- Rust"),
                ("Patterns", "**Patterns:**\n- DDD\n\nClosing words."),
            ]
        );
        assert!(secs.iter().all(|s| s.heading_in_body));
        assert_eq!(
            titles("# Title line\n\nIntro.\n\n### Details\n\ntext\n"),
            Some(("# Title line\n\nIntro.".into(), vec!["Details".into()]))
        );
    }

    #[test]
    fn prose_and_code_do_not_split() {
        for body in [
            "You are x.\n\nNote:\n- one label is not a structure\n",
            "**Bold start**:\n\nYou are x.\n",
            "You are x.\n\n```\n# not a heading\n**A**:\n**B**:\n```\n",
            "You are x.\n\nKey: value and more text:\n- a\n\nAlso this:\nnot a list\n",
            "You are x.\n  ### indented\n",
        ] {
            assert_eq!(titles(body), None, "{body:?}");
        }
    }
}
