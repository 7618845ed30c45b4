//! Import stage 3 (XML v2.0 bodies): tag body → the spec's structured fields.
//!
//! Input: the body of the XML v2.0 form (seeds/004, the `xml` target's output),
//! which is not well-formed XML: there is no root, `&` and `<` appear raw in text,
//! and `<format>` holds fenced code indented by four spaces. Output: the spec's
//! fields. The reader is a tolerant scanner, not an XML parser: an element runs
//! from `<name …>` to the first `</name>`, whose text is unescaped with
//! `xmltext::unescape`. Text outside known elements is kept as a free section,
//! with a warning. The strict variant (`<?xml …?><agent><frontmatter>…`) is
//! recognised by `strict_parts`.

use super::Ctx;
use crate::diag::Code;
use crate::spec::{Boundaries, Example, OutputFormat, Responsibility, Section, Spec, ToolUsage};
use crate::support::text::normalize as text;
use crate::support::xmltext::unescape;

const TOP: [&str; 11] = [
    "role",
    "triggers",
    "expertise",
    "responsibilities",
    "tool_usage",
    "boundaries",
    "uncertainty_protocol",
    "output_formats",
    "examples",
    "success_metrics",
    "sections",
];

/// Whether a body is in the XML v2.0 form: it opens with one of its elements and
/// holds nothing but elements (a body mixing tags and Markdown is Markdown).
pub fn is_xml_body(body: &str) -> bool {
    let first = body.trim_start();
    if !TOP.iter().any(|t| open_tag(first, t) == Some(0)) {
        return false;
    }
    let mut rest = first;
    while !rest.is_empty() {
        match element_at(rest) {
            Some(el) => rest = rest[el.len..].trim_start(),
            None => return false,
        }
    }
    true
}

/// The pieces of the strict form: frontmatter text (unescaped) and the body range.
pub struct StrictParts {
    pub frontmatter: String,
    pub frontmatter_at: usize,
    pub body_at: usize,
    pub body_end: usize,
}

pub fn strict_parts(source: &str) -> Option<StrictParts> {
    if !source.trim_start().starts_with("<?xml") {
        return None;
    }
    let open = source.find("<frontmatter>")? + "<frontmatter>".len();
    let close = open + source[open..].find("</frontmatter>")?;
    let body_at = close + "</frontmatter>".len();
    let body_end = source
        .rfind("</agent>")
        .filter(|&e| e >= body_at)
        .unwrap_or(source.len());
    let fm = unescape(&source[open..close]);
    Some(StrictParts {
        frontmatter: fm.strip_prefix('\n').unwrap_or(&fm).to_string(),
        frontmatter_at: open + usize::from(source[open..].starts_with('\n')),
        body_at,
        body_end,
    })
}

/// Reads the body's elements into `spec`; `base` is the body's offset in the file.
pub fn read(body: &str, base: usize, spec: &mut Spec, ctx: &mut Ctx) {
    let mut at = 0;
    while at < body.len() {
        let rest = &body[at..];
        let skipped = rest.len() - rest.trim_start().len();
        let rest = rest.trim_start();
        if rest.is_empty() {
            break;
        }
        let start = at + skipped;
        let Some(el) = element_at(rest) else {
            let end = rest.find("\n<").map_or(rest.len(), |i| i + 1);
            ctx.warn(
                Code::XmlText,
                "text outside the known elements; kept as a free section",
                base + start,
            );
            spec.sections.push(Section {
                title: String::new(),
                kind: None,
                heading_in_body: false,
                body: text(&rest[..end]),
            });
            at = start + end;
            continue;
        };
        if el.unclosed {
            ctx.warn(
                Code::XmlUnclosed,
                format!("`<{}>` is not closed; read to the end of the file", el.name),
                base + start,
            );
        }
        element(&el, spec, base + start, ctx);
        at = start + el.len;
    }
}

/// One element: name, attributes, inner text, total length from `<` to past `</name>`.
struct Element<'a> {
    name: &'a str,
    attrs: &'a str,
    inner: &'a str,
    len: usize,
    unclosed: bool,
}

/// The element that `s` starts with, if `s` starts with an opening tag.
fn element_at(s: &str) -> Option<Element<'_>> {
    let tag = s.strip_prefix('<')?;
    let name_len = tag.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))?;
    let name = &tag[..name_len];
    let head_end = tag.find('>')?;
    if name.is_empty() || tag[name_len..].starts_with(|c: char| c != '>' && !c.is_whitespace()) {
        return None;
    }
    let attrs = &tag[name_len..head_end];
    let inner_at = 1 + head_end + 1;
    let close = format!("</{name}>");
    let (inner, len, unclosed) = match s[inner_at..].find(&close) {
        Some(i) => (
            &s[inner_at..inner_at + i],
            inner_at + i + close.len(),
            false,
        ),
        None => (&s[inner_at..], s.len(), true),
    };
    Some(Element {
        name,
        attrs,
        inner,
        len,
        unclosed,
    })
}

/// Byte offset of `<tag>` or `<tag …>` in `s`.
fn open_tag(s: &str, tag: &str) -> Option<usize> {
    let needle = format!("<{tag}");
    let mut from = 0;
    while let Some(i) = s[from..].find(&needle) {
        let at = from + i;
        if s[at + needle.len()..].starts_with(['>', ' ', '\t', '\n']) {
            return Some(at);
        }
        from = at + needle.len();
    }
    None
}

/// Every `<tag>` element directly in `s`, in order.
fn children<'a>(s: &'a str, tag: &str) -> Vec<Element<'a>> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = open_tag(&s[from..], tag) {
        let Some(el) = element_at(&s[from + i..]) else {
            break;
        };
        from += i + el.len;
        out.push(el);
    }
    out
}

fn child_text(s: &str, tag: &str) -> Option<String> {
    children(s, tag).first().map(|e| leaf(e.inner))
}

fn leaf(inner: &str) -> String {
    text(&unescape(inner))
}

fn list(s: &str, tag: &str) -> Vec<String> {
    children(s, tag).iter().map(|e| leaf(e.inner)).collect()
}

/// The value of attribute `key` (double- or single-quoted).
fn attr(attrs: &str, key: &str) -> Option<String> {
    let mut rest = attrs;
    while let Some(i) = rest.find(key) {
        let after = rest[i + key.len()..].trim_start();
        let boundary = i == 0 || rest[..i].ends_with(char::is_whitespace);
        if let (true, Some(v)) = (boundary, after.strip_prefix('=')) {
            let v = v.trim_start();
            let q = v.chars().next().filter(|c| *c == '"' || *c == '\'')?;
            let end = v[1..].find(q)?;
            return Some(unescape(&v[1..1 + end]));
        }
        rest = &rest[i + key.len()..];
    }
    None
}

fn element(el: &Element, spec: &mut Spec, at: usize, ctx: &mut Ctx) {
    let inner = el.inner;
    let each = |tag| children(inner, tag).into_iter();
    match el.name {
        "role" => spec.role = Some(leaf(inner)).filter(|r| !r.is_empty()),
        "triggers" => spec.triggers.extend(list(inner, "trigger")),
        "expertise" => spec.expertise.extend(list(inner, "area")),
        "success_metrics" => spec.success_metrics.extend(list(inner, "metric")),
        "uncertainty_protocol" => {
            spec.uncertainty_protocol = Some(leaf(inner)).filter(|r| !r.is_empty())
        }
        "responsibilities" => {
            for r in each("responsibility") {
                spec.responsibilities.push(responsibility(&r, at, ctx));
            }
        }
        "tool_usage" => spec.tool_usage.extend(each("tool").map(|t| tool(&t))),
        "boundaries" => boundaries(
            inner,
            spec.boundaries.get_or_insert_with(Boundaries::default),
        ),
        "output_formats" => spec
            .output_formats
            .extend(each("format").map(|f| OutputFormat {
                name: attr(f.attrs, "name").unwrap_or_default(),
                body: text(&unescape(&dedent(f.inner, 4))),
            })),
        "examples" => spec.examples.extend(each("example").map(|e| example(&e))),
        "sections" => spec.sections.extend(each("section").map(|s| Section {
            title: attr(s.attrs, "title").unwrap_or_default(),
            kind: None,
            heading_in_body: attr(s.attrs, "heading").is_some_and(|h| h == "in-body"),
            body: leaf(s.inner),
        })),
        other => {
            let msg =
                format!("unknown element `<{other}>`; kept as a free section titled `{other}`");
            ctx.warn(Code::XmlUnknown, msg, at);
            spec.sections.push(Section {
                title: other.to_string(),
                kind: None,
                heading_in_body: false,
                body: leaf(inner),
            });
        }
    }
}

fn tool(t: &Element) -> ToolUsage {
    ToolUsage {
        tool: attr(t.attrs, "name").unwrap_or_default(),
        purpose: child_text(t.inner, "purpose").unwrap_or_default(),
        when_to_use: child_text(t.inner, "when_to_use").unwrap_or_default(),
    }
}

fn boundaries(inner: &str, b: &mut Boundaries) {
    for (tag, field) in [
        ("will", &mut b.will),
        ("will_not", &mut b.will_not),
        ("escalation", &mut b.escalation),
    ] {
        if let Some(e) = children(inner, tag).first() {
            field.extend(list(e.inner, "item"));
        }
    }
}

fn example(e: &Element) -> Example {
    Example {
        context: child_text(e.inner, "context").unwrap_or_default(),
        input: child_text(e.inner, "input").unwrap_or_default(),
        approach: child_text(e.inner, "approach").unwrap_or_default(),
        output: child_text(e.inner, "output"),
        commentary: child_text(e.inner, "commentary"),
    }
}

/// One `<responsibility>`; an id that is not an identifier is kept in the title.
fn responsibility(r: &Element, at: usize, ctx: &mut Ctx) -> Responsibility {
    let mut id = attr(r.attrs, "id");
    let mut title = child_text(r.inner, "title").unwrap_or_default();
    if let Some(bad) = id.take_if(|i| !crate::spec::is_valid_id(i)) {
        let msg = format!(
            "responsibility id `{}` is not an identifier; kept it in the title",
            bad.escape_debug()
        );
        ctx.warn(Code::InvalidId, msg, at);
        title = format!("{bad}. {title}");
    }
    let actions = children(r.inner, "actions")
        .first()
        .map(|a| list(a.inner, "action"));
    Responsibility {
        id,
        title,
        actions: actions.unwrap_or_default(),
    }
}

/// Removes up to `n` leading spaces from every line.
fn dedent(s: &str, n: usize) -> String {
    s.split('\n')
        .map(|l| {
            let spaces = l.len() - l.trim_start_matches(' ').len();
            &l[spaces.min(n)..]
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_body(body: &str) -> (Spec, Vec<&'static str>) {
        let mut ctx = Ctx::for_test(body);
        let mut spec = Spec::default();
        read(body, 0, &mut spec, &mut ctx);
        (spec, ctx.warnings.iter().map(|w| w.code.as_str()).collect())
    }

    #[test]
    fn elements_attributes_and_dedent() {
        let el = element_at("<tool name=\"A &amp; B\">x</tool> rest").expect("element");
        assert_eq!((el.name, el.inner, el.len), ("tool", "x", 31));
        assert_eq!(attr(el.attrs, "name").as_deref(), Some("A & B"));
        assert_eq!(attr(" id='3'", "id").as_deref(), Some("3"));
        assert_eq!(attr(" xid=\"3\"", "id"), None);
        assert!(element_at("<role/>").is_none());
        assert_eq!(dedent("    a\n      b\n\n  c", 4), "a\n  b\n\nc");
    }

    #[test]
    fn raw_ampersands_and_angles_stay_text() {
        let (s, codes) = read_body(
            "<role>\nA & B < C, &lt;tag> too\n</role>\n<success_metrics>\n  <metric>t < 1s</metric>\n</success_metrics>\n",
        );
        assert!(codes.is_empty());
        assert_eq!(s.role.as_deref(), Some("A & B < C, <tag> too"));
        assert_eq!(s.success_metrics, ["t < 1s"]);
    }

    #[test]
    fn oddities_are_kept_with_a_warning() {
        let (s, codes) = read_body(
            "<responsibilities>\n  <responsibility id=\"a b\">\n    <title>T</title>\n  </responsibility>\n</responsibilities>\nstray text\n<notes>n</notes>\n<role>unclosed",
        );
        assert_eq!(s.responsibilities[0].id, None);
        assert_eq!(s.responsibilities[0].title, "a b. T");
        let titles: Vec<&str> = s.sections.iter().map(|x| x.title.as_str()).collect();
        assert_eq!(titles, ["", "notes"]);
        assert_eq!(s.role.as_deref(), Some("unclosed"));
        assert_eq!(
            codes,
            ["invalid-id", "xml-text", "xml-unknown", "xml-unclosed"]
        );
    }
}
