//! Text normalisation shared by loading, lowering and importing: what counts as
//! the same text once line ends and trailing white space are set aside.

/// Whether `normalize(s)` is empty: `s` is only white space.
pub fn is_blank(s: &str) -> bool {
    s.trim().is_empty()
}

/// Normalises one text: LF line ends, no leading blank lines, no trailing white
/// space on any line or at the end. Idempotent.
pub fn normalize(s: &str) -> String {
    let unified;
    let s = if s.contains('\r') {
        unified = s.replace("\r\n", "\n").replace('\r', "\n");
        unified.as_str()
    } else {
        s
    };
    let mut out = String::with_capacity(s.len());
    let lines = s
        .split('\n')
        .map(|line| line.trim_end_matches([' ', '\t']))
        .skip_while(|line| line.is_empty());
    for line in lines {
        out.push_str(line);
        out.push('\n');
    }
    out.truncate(out.trim_end().len());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_normalises_line_ends_and_edges() {
        let cases = [
            ("a\r\nb\r\n", "a\nb"),
            ("\n\n  indented\n", "  indented"),
            ("x  \ny\t\n\n\n", "x\ny"),
            ("a\rb", "a\nb"),
            ("", ""),
            ("\n \n", ""),
            ("{{ x }}", "{{ x }}"),
        ];
        for (input, want) in cases {
            assert_eq!(normalize(input), want, "{input:?}");
            assert_eq!(normalize(want), want, "idempotent on {want:?}");
        }
        for s in [
            "",
            " ",
            "\n\t \r\n",
            "\u{85}\u{2028}",
            " x ",
            "\u{1}",
            "\n\n y",
        ] {
            assert_eq!(is_blank(s), normalize(s).is_empty(), "{s:?}");
        }
    }
}
