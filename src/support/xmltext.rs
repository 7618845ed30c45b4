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
    // Only these bytes can start a character that is written otherwise: the
    // runs between them are copied whole (a prompt is mostly such a run).
    // 0xEF leads U+FFFE and U+FFFF, the characters above U+007F that XML
    // cannot hold.
    let special = |b: u8| match b {
        b'&' | b'<' => true,
        b'"' => attr,
        b'>' | 0xEF | 0..=0x1F => strict,
        _ => false,
    };
    let mut out = String::with_capacity(text.len());
    let mut run = 0;
    for (i, b) in text.bytes().enumerate() {
        if i < run || !special(b) {
            continue;
        }
        out.push_str(&text[run..i]);
        let c = text[i..]
            .chars()
            .next()
            .expect("a special byte starts a character");
        run = i + c.len_utf8();
        let rest = &text[run..];
        match c {
            '&' if strict || looks_like_entity(rest) => out.push_str("&amp;"),
            '<' if strict
                || rest.starts_with(|n: char| n.is_ascii_alphabetic() || "/!?".contains(n)) =>
            {
                out.push_str("&lt;")
            }
            '>' if strict => out.push_str("&gt;"),
            '"' if attr => out.push_str("&quot;"),
            // Attribute-value normalisation would turn these into spaces.
            '\t' if attr && strict => out.push_str("&#9;"),
            '\n' if attr && strict => out.push_str("&#10;"),
            '\r' if attr && strict => out.push_str("&#13;"),
            c if strict && !is_xml_char(c) => out.push(char::REPLACEMENT_CHARACTER),
            _ => out.push(c),
        }
    }
    out.push_str(&text[run..]);
    out
}

/// Whether XML 1.0 can hold `c` at all (not even a character reference can hold
/// the C0 controls other than tab, LF and CR, nor U+FFFE and U+FFFF).
pub fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// The characters of `text` that strict XML must replace (with U+FFFD).
pub fn non_xml_chars(text: &str) -> impl Iterator<Item = char> + '_ {
    text.chars().filter(|c| !is_xml_char(*c))
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

/// Reads escaped text back: the five predefined entities and numeric character
/// references, left to right.
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
        let (c, len) = match ENTITIES.iter().find(|(e, _)| rest.starts_with(e)) {
            Some((e, c)) => (*c, e.len()),
            None => char_ref(rest).unwrap_or(('&', 1)),
        };
        out.push(c);
        rest = &rest[len..];
    }
    out.push_str(rest);
    out
}

/// `&#N;` or `&#xH;` at the start of `s`: the character and the reference's length.
fn char_ref(s: &str) -> Option<(char, usize)> {
    let body = s.strip_prefix("&#")?;
    let end = body.find(';')?;
    let num = &body[..end];
    let code = match num.strip_prefix(['x', 'X']) {
        Some(hex) => u32::from_str_radix(hex, 16).ok()?,
        None if num.bytes().all(|b| b.is_ascii_digit()) => num.parse().ok()?,
        None => return None,
    };
    Some((char::from_u32(code)?, end + 3))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Copying the runs between special bytes whole writes what escaping one
    /// character at a time writes, in every mode, for text of every kind.
    #[test]
    fn runs_copied_whole_equal_one_character_at_a_time() {
        fn one_at_a_time(text: &str, strict: bool, attr: bool) -> String {
            let mut out = String::new();
            for (i, c) in text.char_indices() {
                let rest = &text[i + c.len_utf8()..];
                match c {
                    '&' if strict || looks_like_entity(rest) => out.push_str("&amp;"),
                    '<' if strict
                        || rest.starts_with(|n: char| {
                            n.is_ascii_alphabetic() || "/!?".contains(n)
                        }) =>
                    {
                        out.push_str("&lt;")
                    }
                    '>' if strict => out.push_str("&gt;"),
                    '"' if attr => out.push_str("&quot;"),
                    '\t' if attr && strict => out.push_str("&#9;"),
                    '\n' if attr && strict => out.push_str("&#10;"),
                    '\r' if attr && strict => out.push_str("&#13;"),
                    c if strict && !is_xml_char(c) => out.push(char::REPLACEMENT_CHARACTER),
                    _ => out.push(c),
                }
            }
            out
        }
        let pieces = [
            "text ", "&", "&amp;", "&#38;", "&x;", "<", "</a>", "<b", ">", "\"", "\t", "\n", "\r",
            "\u{1}", "\u{1f}", "\u{7f}", "é", "\u{fffe}", "\u{ffff}", "\u{fffd}", "\u{efff}", "😀",
        ];
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        for _ in 0..2000 {
            let mut text = String::new();
            for _ in 0..(seed % 40) {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                text.push_str(pieces[(seed % pieces.len() as u64) as usize]);
            }
            seed = seed.wrapping_add(1);
            for (strict, attr) in [(false, false), (false, true), (true, false), (true, true)] {
                assert_eq!(
                    escape_with(&text, strict, attr),
                    one_at_a_time(&text, strict, attr),
                    "{text:?} strict {strict} attr {attr}"
                );
            }
        }
    }

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
        assert_eq!(escape_attr("a\tb\nc", true), "a&#9;b&#10;c");
        assert_eq!(unescape("a&#9;b&#x41;&#99999999;"), "a\tbA&#99999999;");
    }

    #[test]
    fn strict_replaces_what_xml_cannot_hold() {
        assert_eq!(escape("a\u{1}b\u{fffe}\tc", true), "a\u{fffd}b\u{fffd}\tc");
        assert_eq!(escape("a\u{1}b", false), "a\u{1}b");
        assert_eq!(
            non_xml_chars("x\u{0}y\u{1f}").collect::<String>(),
            "\u{0}\u{1f}"
        );
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
