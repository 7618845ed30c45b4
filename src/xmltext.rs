//! Escaping text for the XML-tag targets, and reading it back.
//!
//! The XML v2.0 form is a prompt, not a document: the seed leaves `&` and `< 100ms`
//! raw. The lenient escape therefore touches only what would change the structure
//! (a `<` that starts a tag, an `&` that starts an entity reference); the strict
//! escape makes well-formed XML. `unescape` inverts both.

/// Escapes text content; `strict` escapes every `&`, `<` and `>`.
pub fn escape(text: &str, strict: bool) -> String {
    escape_with(text, strict, false)
}

/// Escapes an attribute value (double-quoted).
pub fn escape_attr(text: &str, strict: bool) -> String {
    escape_with(text, strict, true)
}

fn escape_with(text: &str, strict: bool, attr: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, c) in text.char_indices() {
        let rest = &text[i + c.len_utf8()..];
        match c {
            '&' if strict || looks_like_entity(rest) => out.push_str("&amp;"),
            '<' if strict
                || rest.starts_with(|n: char| n.is_ascii_alphabetic() || "/!?".contains(n)) =>
            {
                out.push_str("&lt;")
            }
            '>' if strict => out.push_str("&gt;"),
            '"' if attr => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
    out
}

/// Whether the text after an `&` would be read as an entity reference.
fn looks_like_entity(rest: &str) -> bool {
    let body = match rest.find(';') {
        Some(end) => &rest[..end],
        None => return false,
    };
    if let Some(num) = body.strip_prefix('#') {
        return match num.strip_prefix(['x', 'X']) {
            Some(hex) => !hex.is_empty() && hex.chars().all(|c| c.is_ascii_hexdigit()),
            None => !num.is_empty() && num.chars().all(|c| c.is_ascii_digit()),
        };
    }
    body.starts_with(|c: char| c.is_ascii_alphabetic())
        && body.chars().all(|c| c.is_ascii_alphanumeric())
}

/// Reads escaped text back: the five predefined entities, left to right.
pub fn unescape(text: &str) -> String {
    const ENTITIES: [(&str, char); 5] = [
        ("&lt;", '<'),
        ("&gt;", '>'),
        ("&quot;", '"'),
        ("&apos;", '\''),
        ("&amp;", '&'),
    ];
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        match ENTITIES.iter().find(|(e, _)| rest.starts_with(e)) {
            Some((e, c)) => {
                out.push(*c);
                rest = &rest[e.len()..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lenient_keeps_prose_raw() {
        let cases = [
            ("API Design & Implementation", "API Design & Implementation"),
            ("time < 100ms", "time < 100ms"),
            ("a -> b", "a -> b"),
            ("</role>", "&lt;/role>"),
            ("<tag>", "&lt;tag>"),
            ("&amp;", "&amp;amp;"),
            ("&#38;", "&amp;#38;"),
            ("&x", "&x"),
            ("<!-- c -->", "&lt;!-- c -->"),
        ];
        for (input, want) in cases {
            assert_eq!(escape(input, false), want, "{input:?}");
            assert_eq!(unescape(want), input, "{want:?}");
        }
    }

    #[test]
    fn strict_escapes_everything() {
        assert_eq!(escape("a & b < c > d", true), "a &amp; b &lt; c &gt; d");
        assert_eq!(escape_attr("say \"hi\"", false), "say &quot;hi&quot;");
    }

    #[test]
    fn round_trips() {
        for s in [
            "&lt;", "&&;", "<<>>", "&#x;", "&#xZ;", "a&b;c", "\"'", "]]>", "&",
        ] {
            for strict in [false, true] {
                assert_eq!(unescape(&escape(s, strict)), s, "{s:?} strict={strict}");
                assert_eq!(
                    unescape(&escape_attr(s, strict)),
                    s,
                    "{s:?} strict={strict}"
                );
            }
        }
    }
}
