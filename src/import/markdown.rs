//! Import stage 3 (Markdown bodies): body text → `role` + ordered `[[sections]]`.
//!
//! Input: the body of a Markdown agent file. Output: the spec's `role` (the text
//! before the first top-level ATX `## ` heading) and one section per top-level
//! `## ` heading (title = heading text, body = text up to the next one); then the
//! canonical prefix agentc's own `claude` target writes is lifted back into fields
//! (`lift`). Headings are found with pulldown-cmark, so `## ` inside fenced code,
//! HTML blocks, lists or block quotes does not split, nor does a setext heading.

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag};

use crate::spec::{Section, Spec};
use crate::support::text::normalize as text;

/// Reads a Markdown body into `spec`: the role, then the sections (lifting
/// agentc's own canonical headings back into fields is `lift`'s step).
pub fn read(body: &str, spec: &mut Spec) {
    let (role, sections) = split(body, HeadingLevel::H2);
    if sections.is_empty() {
        // No `## ` heading: other headings and label lines may still structure it.
        if let Some((role, sections)) = super::headings::split(&role) {
            spec.role = Some(role);
            spec.sections = sections;
            return;
        }
    }
    let role = text(&role);
    spec.role = (!role.is_empty()).then_some(role);
    spec.sections = sections
        .into_iter()
        .map(|(title, body)| Section {
            title,
            kind: None,
            heading_in_body: false,
            body: text(&body),
        })
        .collect();
}

/// Splits `body` at its top-level ATX headings of `level`: the text before the
/// first one, then (title, text up to the next one) for each.
pub fn split(body: &str, level: HeadingLevel) -> (String, Vec<(String, String)>) {
    let heads = headings(body, level);
    let Some(first) = heads.first() else {
        return (body.to_string(), Vec::new());
    };
    let pre = body[..first.start].to_string();
    let mut out = Vec::new();
    for (i, h) in heads.iter().enumerate() {
        let end = heads.get(i + 1).map_or(body.len(), |n| n.start);
        let content = body.get(h.line_end.min(end)..end).unwrap_or("");
        out.push((h.title.clone(), content.to_string()));
    }
    (pre, out)
}

struct Heading {
    /// Byte offset of the heading line's start.
    start: usize,
    /// Byte offset just past the heading line (after its newline).
    line_end: usize,
    title: String,
}

fn headings(body: &str, level: HeadingLevel) -> Vec<Heading> {
    let hashes = level as usize;
    let mut depth = 0usize;
    let mut out = Vec::new();
    for (event, range) in Parser::new_ext(body, Options::empty()).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading { level: l, .. }) if depth == 0 && l == level => {
                depth += 1;
                let start = body[..range.start].rfind('\n').map_or(0, |i| i + 1);
                let line_end = body[range.start..]
                    .find('\n')
                    .map_or(body.len(), |i| range.start + i + 1);
                let line = body[start..line_end].trim_end_matches('\n');
                let atx = line.trim_start_matches(' ');
                let one_line = body[range.clone()]
                    .trim_end_matches('\n')
                    .find('\n')
                    .is_none();
                if !atx.starts_with('#') || !one_line {
                    continue;
                }
                let title = atx[hashes.min(atx.len())..].trim().to_string();
                out.push(Heading {
                    start,
                    line_end,
                    title,
                });
            }
            Event::Start(_) => depth += 1,
            Event::End(_) => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn titles(body: &str) -> Vec<String> {
        split(body, HeadingLevel::H2)
            .1
            .into_iter()
            .map(|(t, _)| t)
            .collect()
    }

    #[test]
    fn only_top_level_atx_h2_splits() {
        let cases: &[(&str, &[&str])] = &[
            ("intro\n## A\nx\n## B\n", &["A", "B"]),
            ("```\n## not\n```\n## yes\n", &["yes"]),
            ("````\n```\n## not\n```\n````\n", &[]),
            ("Setext\n------\n", &[]),
            ("> ## quoted\n", &[]),
            ("- ## in a list\n", &[]),
            ("# H1\n### H3\n", &[]),
            ("##\n", &[""]),
            ("## Title ##\n", &["Title ##"]),
            ("text\n---\nmore\n## S\n", &["S"]),
        ];
        for (body, want) in cases {
            assert_eq!(titles(body), want.to_vec(), "{body:?}");
        }
    }

    #[test]
    fn role_and_bodies_keep_every_character() {
        let body = "You are x.\n\n## A\n\nalpha\n\n## B\nbeta {{ y }}\n";
        let (role, secs) = split(body, HeadingLevel::H2);
        assert_eq!(role, "You are x.\n\n");
        assert_eq!(
            secs,
            vec![
                ("A".into(), "\nalpha\n\n".into()),
                ("B".into(), "beta {{ y }}\n".into())
            ]
        );
    }
}
