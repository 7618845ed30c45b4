//! The outline of a plain prompt: Markdown text from a spec placed under one of
//! the template's own headings has its ATX headings moved below that heading
//! (`relevel`), so the whole prompt is one tree (no `#` inside a `##`, no jump
//! from `#` to `###`); a role that is a single heading line becomes its text
//! (`unheading`).
//!
//! Both are template filters, called for every body of every plain prompt, so
//! they are written to cost nothing when there is nothing to do: a body with no
//! line that could be a heading is handed back as the same value, without a
//! copy and without parsing. Only a body with a code fence is parsed
//! (pulldown-cmark), to leave `#` lines inside fences alone; otherwise the
//! candidate lines are the headings (CommonMark: up to three spaces, one to six
//! `#`, then a space, a tab or the end of the line). Setext headings
//! (underlined) are left as written: none of the 202 corpus files has one in
//! its body.

use minijinja::Value;
use pulldown_cmark::{Event, Options, Parser, Tag};

/// `text | relevel(level)`: the ATX headings of `text`, each distinct level in
/// order of depth, become `level`, `level + 1`, … (at most 6); everything else
/// is unchanged. A body whose headings already sit there is returned as is.
pub(super) fn relevel(value: Value, level: u8) -> Value {
    let Some(text) = value.as_str() else {
        return value;
    };
    if !text.contains('#') {
        return value;
    }
    let heads = headings(text);
    if heads.is_empty() {
        return value;
    }
    // Distinct levels, shallowest first: the i-th becomes `level + i`.
    let mut levels: Vec<u8> = heads.iter().map(|h| h.hashes).collect();
    levels.sort_unstable();
    levels.dedup();
    let target = |hashes: u8| -> u8 {
        let rank = levels.iter().position(|l| *l == hashes).unwrap_or(0) as u8;
        level.saturating_add(rank).clamp(1, 6)
    };
    if heads.iter().all(|h| target(h.hashes) == h.hashes) {
        return value;
    }
    let mut out = String::with_capacity(text.len() + heads.len() * 2);
    let mut at = 0;
    for h in &heads {
        out.push_str(&text[at..h.at]);
        for _ in 0..target(h.hashes) {
            out.push('#');
        }
        at = h.at + usize::from(h.hashes);
    }
    out.push_str(&text[at..]);
    Value::from(out)
}

/// `text | unheading`: a text that is one ATX heading line (`# You are …`)
/// becomes the heading's text; any other text is returned as is.
pub(super) fn unheading(value: Value) -> Value {
    let Some(text) = value.as_str() else {
        return value;
    };
    let line = text.trim();
    if line.contains('\n') {
        return value;
    }
    match atx(line) {
        Some(hashes) => {
            let rest = &line[usize::from(hashes)..];
            // An optional closing sequence: ` ###` at the end.
            let rest = rest.trim_end_matches('#');
            let rest = if rest.len() < line.len() - usize::from(hashes)
                && !rest.is_empty()
                && !rest.ends_with([' ', '\t'])
            {
                // `#` glued to the text is part of it (`C#`).
                &line[usize::from(hashes)..]
            } else {
                rest
            };
            Value::from(rest.trim())
        }
        None => value,
    }
}

/// One ATX heading: the byte offset of its first `#` and how many there are.
#[derive(Debug, PartialEq)]
struct Heading {
    at: usize,
    hashes: u8,
}

/// The ATX headings of `text`, in order.
fn headings(text: &str) -> Vec<Heading> {
    let fenced = has_run_of_three(text, '`') || has_run_of_three(text, '~');
    if fenced {
        return parsed_headings(text);
    }
    let mut out = Vec::new();
    let mut start = 0;
    for line in text.split_inclusive('\n') {
        if let Some(h) = heading_at(line) {
            out.push(Heading {
                at: start + h.at,
                hashes: h.hashes,
            });
        }
        start += line.len();
    }
    out
}

/// Whether `text` holds `c` three times in a row (a code fence could open
/// there): `text.contains("```")`, found by a byte search for `c` (a body
/// rarely has one) rather than a substring search over all of it.
fn has_run_of_three(text: &str, c: char) -> bool {
    let mut rest = text;
    while let Some(i) = rest.find(c) {
        rest = &rest[i + 1..];
        let run = rest.bytes().take(2).take_while(|b| *b == c as u8).count();
        if run == 2 {
            return true;
        }
        rest = &rest[run..];
    }
    false
}

/// The heading a line starts, if it is one by CommonMark's ATX rule.
fn heading_at(line: &str) -> Option<Heading> {
    let indent = line.len() - line.trim_start_matches(' ').len();
    if indent > 3 {
        return None;
    }
    let hashes = atx(&line[indent..])?;
    Some(Heading { at: indent, hashes })
}

/// How many `#` open `s` as an ATX heading (1 to 6, then white space or the end).
fn atx(s: &str) -> Option<u8> {
    let n = s.bytes().take_while(|b| *b == b'#').count();
    if n == 0 || n > 6 {
        return None;
    }
    match s.as_bytes().get(n) {
        None | Some(b' ' | b'\t' | b'\n' | b'\r') => Some(n as u8),
        _ => None,
    }
}

/// The ATX headings pulldown-cmark finds: none inside code blocks or HTML.
fn parsed_headings(text: &str) -> Vec<Heading> {
    let mut out = Vec::new();
    for (event, range) in Parser::new_ext(text, Options::empty()).into_offset_iter() {
        if let Event::Start(Tag::Heading { .. }) = event {
            let src = &text[range.start..];
            let indent = src.len() - src.trim_start_matches(' ').len();
            // A setext heading starts with its text, not with `#`.
            if let Some(hashes) = atx(&src[indent..]) {
                out.push(Heading {
                    at: range.start + indent,
                    hashes,
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn relevelled(text: &str, level: u8) -> String {
        relevel(Value::from(text), level).to_string()
    }

    #[test]
    fn headings_move_under_the_template_heading() {
        let cases = [
            // (body, level, expected)
            ("plain text", 2, "plain text"),
            ("# A\ntext\n## B", 2, "## A\ntext\n### B"),
            ("### A\n\n### B", 2, "## A\n\n## B"),
            // Gaps close: `#` then `###` is one level apart.
            ("# A\n### B\n", 3, "### A\n#### B\n"),
            ("## A\n#### B\n###### C", 2, "## A\n### B\n#### C"),
            // Never deeper than six.
            ("# A\n## B\n### C", 5, "##### A\n###### B\n###### C"),
            // Up to three spaces of indent; `#` glued to text is no heading.
            (
                "  # A\n#hashtag\n    # code",
                2,
                "  ## A\n#hashtag\n    # code",
            ),
            ("C# and F#\n#", 3, "C# and F#\n###"),
            ("####### seven", 2, "####### seven"),
            // `#` lines inside a code fence are code.
            (
                "# A\n```sh\n# comment\n```\n~~~\n## x\n~~~\n## B",
                2,
                "## A\n```sh\n# comment\n```\n~~~\n## x\n~~~\n### B",
            ),
            // A heading inside a list item is a heading too.
            ("- item\n\n  # inside", 2, "- item\n\n  ## inside"),
        ];
        for (body, level, want) in cases {
            assert_eq!(relevelled(body, level), want, "{body:?} at {level}");
        }
    }

    #[test]
    fn runs_of_three_are_found_as_a_substring_search_finds_them() {
        for text in [
            "",
            "`",
            "``",
            "```",
            "a``b``c",
            "a ``` b",
            "``\n`",
            "````",
            "~~~",
            "~~ ~",
            "é```",
            "`é``",
            "x ``",
            "``x``x```",
        ] {
            for c in ['`', '~'] {
                let want = text.contains(&c.to_string().repeat(3));
                assert_eq!(has_run_of_three(text, c), want, "{text:?} {c}");
            }
        }
    }

    #[test]
    fn nothing_to_do_hands_back_the_same_value() {
        for text in ["no heading here", "## A\n### B", "a # b\n"] {
            let v = Value::from(text);
            let out = relevel(v.clone(), 2);
            assert_eq!(out.as_str(), Some(text));
        }
        assert!(relevel(Value::from(3), 2) == Value::from(3));
    }

    #[test]
    fn a_role_that_is_one_heading_line_becomes_text() {
        let cases = [
            ("# You are a Senior Architect", "You are a Senior Architect"),
            ("## You are X ##", "You are X"),
            ("# Use C#", "Use C#"),
            ("  ### Title\n", "Title"),
            ("You are X.", "You are X."),
            ("# You are X\n\nMore text.", "# You are X\n\nMore text."),
            ("#hashtag", "#hashtag"),
        ];
        for (role, want) in cases {
            assert_eq!(
                unheading(Value::from(role)).as_str(),
                Some(want),
                "{role:?}"
            );
        }
    }
}
