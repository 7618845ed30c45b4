//! The files' text taken out of the manifest before the parser sees it.
//!
//! serde_json hands a visitor a string only once it holds all of it, in a
//! buffer that keeps its room for the rest of the reading: roo's one shared
//! file (73 MB at 10,000 agents) made `check --bundle` hold 128 MiB for it,
//! twice (the bundle read and the fresh one). [`Skim`] sits between the
//! manifest's bytes and the parser and follows the document's structure; the
//! `content` string of an agent × target entry (`agents.*.targets.*.content`)
//! or of a `shared` file (`shared.*.content`) is decoded and hashed as it goes
//! by, and the parser gets in its place an empty string padded with spaces to
//! the same length: the same lines and columns for every message after it, and
//! the same bytes counted against the reading's bounds. The sums come out in
//! the order of the strings, which is the order the parser meets them.
//!
//! A text is decoded by the rules serde_json applies to a string (escapes,
//! `\u` surrogate pairs, no control characters). A text that breaks one is
//! handed to the parser as it is from the escape or character at fault on,
//! after as many plain letters as it had bytes before it: the parser then
//! fails at the same place with its own message. (Only that text's bytes up to
//! the fault reach the parser's buffer, within the reading's bounds.)
//! Everything else passes through unchanged.

use sha2::Digest;

/// A sha256 (the sums' [`super::sums::Sum`]).
type Sum = [u8; 32];

/// Levels of nesting followed by their roles: the texts lie at depth 5 at most.
const TRACKED: usize = 8;

/// What an object is in a manifest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// The document.
    Top,
    /// `agents`.
    Agents,
    /// One agent.
    Agent,
    /// An agent's `targets`.
    Targets,
    /// One agent × target entry.
    Entry,
    /// `shared`.
    Shared,
    /// One `shared` file.
    File,
    /// Anything else.
    Other,
}

/// The keys that matter to the roles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Key {
    Agents,
    Shared,
    Targets,
    Content,
    Other,
}

impl Key {
    fn of(decoded: &[u8]) -> Key {
        match decoded {
            b"agents" => Key::Agents,
            b"shared" => Key::Shared,
            b"targets" => Key::Targets,
            b"content" => Key::Content,
            _ => Key::Other,
        }
    }
}

/// An open object or array.
#[derive(Debug, Clone, Copy)]
enum Frame {
    Object {
        role: Role,
        /// The next string is a key (after `{` or `,`), not a value (after `:`).
        at_key: bool,
        /// The last key read.
        key: Key,
    },
    Array,
}

/// Where in the document the next byte is.
#[derive(Debug)]
enum Mode {
    /// Between tokens, or in a number or literal.
    Between,
    /// In a key: its first bytes decoded (enough to tell the keys that
    /// matter), `len` of them, `u8::MAX` once it is none of them; `escape`: the
    /// escape under way, its bytes after the backslash (a `\u`'s hex digits).
    Key {
        decoded: [u8; 8],
        len: u8,
        escape: Option<(u8, u16, u8)>,
    },
    /// In another string: `escape` is the bytes of an escape still to skip.
    Str { escape: u8 },
    /// In a text, hashed.
    Text(Box<Text>),
    /// After a text that breaks the rules: everything passes through.
    Through,
}

/// A text being hashed.
#[derive(Debug)]
struct Text {
    hash: sha2::Sha256,
    /// Its bytes read so far, before the escape under way.
    len: u64,
    /// The escape under way, from its backslash (`\uD83D\uDE00` at most).
    escape: [u8; 12],
    escape_len: usize,
}

/// The manifest's bytes with the files' texts hashed and blanked out; see the
/// module's comment. Fed with [`Skim::step`], ended with [`Skim::end`].
#[derive(Debug)]
pub struct Skim {
    frames: Vec<Frame>,
    /// Levels open below the last of `frames`: followed only to be closed.
    deeper: u64,
    mode: Mode,
    /// Bytes to hand out before reading on: `quote` first (a text's closing
    /// quote), then `fill` letters, then `replay[replayed..replay_len]`, then
    /// `spaces` spaces.
    quote: bool,
    fill: u64,
    replay: [u8; 12],
    replay_len: usize,
    replayed: usize,
    spaces: u64,
    /// The sums of the texts read, in order, until taken.
    sums: std::collections::VecDeque<Sum>,
}

impl Default for Skim {
    fn default() -> Self {
        Skim::new()
    }
}

impl Skim {
    pub fn new() -> Skim {
        Skim {
            frames: Vec::with_capacity(TRACKED),
            deeper: 0,
            mode: Mode::Between,
            quote: false,
            fill: 0,
            replay: [0; 12],
            replay_len: 0,
            replayed: 0,
            spaces: 0,
            sums: std::collections::VecDeque::new(),
        }
    }

    /// The sum of the next text read in full, in the order of the document.
    pub fn take_sum(&mut self) -> Option<Sum> {
        self.sums.pop_front()
    }

    /// Reads from `input` and writes to `out`: returns the bytes read and the
    /// bytes written. Reads on while it writes nothing (in a text) until
    /// `input` is used up; writes nothing only then, or when `out` is empty.
    pub fn step(&mut self, input: &[u8], out: &mut [u8]) -> (usize, usize) {
        let mut written = self.flush(out);
        let mut read = 0;
        while read < input.len() && written < out.len() && !self.pending() {
            let rest = &input[read..];
            let (r, w) = match &mut self.mode {
                Mode::Through => {
                    let n = rest.len().min(out.len() - written);
                    out[written..written + n].copy_from_slice(&rest[..n]);
                    (n, n)
                }
                Mode::Text(_) => (self.text(rest), 0),
                Mode::Str { .. } => {
                    let room = out.len() - written;
                    let n = self.string(&rest[..rest.len().min(room)]);
                    out[written..written + n].copy_from_slice(&rest[..n]);
                    (n, n)
                }
                Mode::Between => {
                    // Up to the next byte that matters, handed out as it is.
                    let room = (out.len() - written).min(rest.len());
                    let n = rest[..room]
                        .iter()
                        .position(|b| matches!(b, b'{' | b'}' | b'[' | b']' | b':' | b',' | b'"'))
                        .map_or(room, |at| at + 1);
                    out[written..written + n].copy_from_slice(&rest[..n]);
                    if n > 0
                        && matches!(rest[n - 1], b'{' | b'}' | b'[' | b']' | b':' | b',' | b'"')
                    {
                        self.token(rest[n - 1]);
                    }
                    (n, n)
                }
                Mode::Key { .. } => {
                    self.token(rest[0]);
                    out[written] = rest[0];
                    (1, 1)
                }
            };
            read += r;
            written += w;
            written += self.flush(&mut out[written..]);
        }
        (read, written)
    }

    /// At the end of the input: what is left to hand out (a text cut short is
    /// handed to the parser, which says so). Call until it writes nothing.
    pub fn end(&mut self, out: &mut [u8]) -> usize {
        if let Mode::Text(text) = &self.mode {
            let (len, escape) = (text.len, text.escape[..text.escape_len].to_vec());
            self.replay_text(len, &escape);
        }
        self.flush(out)
    }

    fn pending(&self) -> bool {
        self.quote || self.fill > 0 || self.replayed < self.replay_len || self.spaces > 0
    }

    /// Writes what is pending, as much as `out` takes.
    fn flush(&mut self, out: &mut [u8]) -> usize {
        let mut n = 0;
        if self.quote && n < out.len() {
            out[n] = b'"';
            n += 1;
            self.quote = false;
        }
        let room = out.len();
        let take = |count: &mut u64, n: usize| -> usize {
            let k = (*count).min((room - n) as u64) as usize;
            *count -= k as u64;
            k
        };
        let k = take(&mut self.fill, n);
        out[n..n + k].fill(b'a');
        n += k;
        if self.fill == 0 {
            let k = (self.replay_len - self.replayed).min(out.len() - n);
            out[n..n + k].copy_from_slice(&self.replay[self.replayed..self.replayed + k]);
            self.replayed += k;
            n += k;
        }
        if self.fill == 0 && self.replayed == self.replay_len {
            let k = take(&mut self.spaces, n);
            out[n..n + k].fill(b' ');
            n += k;
        }
        n
    }

    /// A byte between tokens or of a key.
    fn token(&mut self, b: u8) {
        if let Mode::Key {
            decoded,
            len,
            escape,
        } = &mut self.mode
        {
            let mut push = |c: u8| {
                if (*len as usize) < decoded.len() {
                    decoded[*len as usize] = c;
                    *len += 1;
                } else {
                    *len = u8::MAX;
                }
            };
            match escape {
                Some((0, _, _)) => {
                    *escape = match b {
                        b'u' => Some((1, 0, 0)),
                        _ => {
                            let c = match b {
                                b'b' => 0x08,
                                b'f' => 0x0c,
                                b'n' => b'\n',
                                b'r' => b'\r',
                                b't' => b'\t',
                                other => other,
                            };
                            push(c);
                            None
                        }
                    }
                }
                Some((k, value, bad)) => {
                    let digit = (b as char).to_digit(16);
                    let value = (*value << 4) | digit.unwrap_or(0) as u16;
                    let bad = *bad | u8::from(digit.is_none());
                    *escape = if *k < 4 {
                        Some((*k + 1, value, bad))
                    } else {
                        // A character outside ASCII is none of the keys that matter.
                        push(if bad == 0 && value < 0x80 {
                            value as u8
                        } else {
                            0xff
                        });
                        None
                    };
                }
                None => match b {
                    b'\\' => *escape = Some((0, 0, 0)),
                    b'"' => {
                        let key = match *len {
                            u8::MAX => Key::Other,
                            n => Key::of(&decoded[..n as usize]),
                        };
                        self.mode = Mode::Between;
                        if let (0, Some(Frame::Object { key: k, .. })) =
                            (self.deeper, self.frames.last_mut())
                        {
                            *k = key;
                        }
                    }
                    c => push(c),
                },
            }
            return;
        }
        let top = if self.deeper == 0 {
            self.frames.last_mut()
        } else {
            None
        };
        match b {
            b'{' | b'[' => {
                let role = match (self.deeper, self.frames.last()) {
                    (0, None) => Role::Top,
                    (0, Some(Frame::Object { role, key, .. })) => match (role, key) {
                        (Role::Top, Key::Agents) => Role::Agents,
                        (Role::Top, Key::Shared) => Role::Shared,
                        (Role::Agents, _) => Role::Agent,
                        (Role::Agent, Key::Targets) => Role::Targets,
                        (Role::Targets, _) => Role::Entry,
                        (Role::Shared, _) => Role::File,
                        _ => Role::Other,
                    },
                    _ => Role::Other,
                };
                if self.deeper > 0 || self.frames.len() == TRACKED {
                    self.deeper += 1;
                } else if b == b'{' {
                    self.frames.push(Frame::Object {
                        role,
                        at_key: true,
                        key: Key::Other,
                    });
                } else {
                    self.frames.push(Frame::Array);
                }
            }
            b'}' | b']' => {
                if self.deeper > 0 {
                    self.deeper -= 1;
                } else {
                    self.frames.pop();
                }
            }
            b':' | b',' => {
                if let Some(Frame::Object { at_key, .. }) = top {
                    *at_key = b == b',';
                }
            }
            b'"' => {
                self.mode = match top {
                    Some(Frame::Object { at_key: true, .. }) => Mode::Key {
                        decoded: [0; 8],
                        len: 0,
                        escape: None,
                    },
                    Some(Frame::Object {
                        role: Role::Entry | Role::File,
                        at_key: false,
                        key: Key::Content,
                    }) => Mode::Text(Box::new(Text {
                        hash: sha2::Sha256::new(),
                        len: 0,
                        escape: [0; 12],
                        escape_len: 0,
                    })),
                    _ => Mode::Str { escape: 0 },
                };
            }
            _ => {}
        }
    }

    /// Bytes of a string that passes through: how many belong to it (its
    /// closing quote included).
    fn string(&mut self, input: &[u8]) -> usize {
        let Mode::Str { escape } = &mut self.mode else {
            return 0;
        };
        let mut i = 0;
        while i < input.len() {
            if *escape > 0 {
                // A `\u`'s four digits, whatever they are (as the parser reads them).
                *escape = match (*escape, input[i]) {
                    (5, b'u') => 4,
                    (5, _) => 0,
                    (k, _) => k - 1,
                };
                i += 1;
                continue;
            }
            match input[i..].iter().position(|&b| b == b'"' || b == b'\\') {
                None => return input.len(),
                Some(at) => {
                    i += at + 1;
                    if input[i - 1] == b'"' {
                        self.mode = Mode::Between;
                        return i;
                    }
                    *escape = 5;
                }
            }
        }
        i
    }

    /// Bytes of a text: hashed, none handed out until its end.
    fn text(&mut self, input: &[u8]) -> usize {
        let Mode::Text(text) = &mut self.mode else {
            return 0;
        };
        let mut i = 0;
        while i < input.len() {
            if text.escape_len > 0 {
                text.escape[text.escape_len] = input[i];
                text.escape_len += 1;
                i += 1;
                match escaped(&text.escape[..text.escape_len]) {
                    Escape::More => {}
                    Escape::Char(c) => {
                        let mut utf8 = [0; 4];
                        text.hash.update(c.encode_utf8(&mut utf8).as_bytes());
                        text.len += text.escape_len as u64;
                        text.escape_len = 0;
                    }
                    Escape::Wrong => {
                        let (len, escape) = (text.len, text.escape[..text.escape_len].to_vec());
                        self.replay_text(len, &escape);
                        return i;
                    }
                }
                continue;
            }
            let rest = &input[i..];
            let plain = rest
                .iter()
                .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
                .unwrap_or(rest.len());
            text.hash.update(&rest[..plain]);
            text.len += plain as u64;
            i += plain;
            let Some(&b) = input.get(i) else {
                break;
            };
            i += 1;
            match b {
                b'"' => {
                    let Mode::Text(text) = std::mem::replace(&mut self.mode, Mode::Between) else {
                        unreachable!("in a text");
                    };
                    self.sums.push_back(text.hash.finalize().into());
                    self.quote = true;
                    self.spaces = text.len;
                    return i;
                }
                b'\\' => {
                    text.escape[0] = b;
                    text.escape_len = 1;
                }
                control => {
                    let len = text.len;
                    self.replay_text(len, &[control]);
                    return i;
                }
            }
        }
        i
    }

    /// A text that breaks the rules from `from` on, after `len` good bytes:
    /// handed to the parser as it is from there.
    fn replay_text(&mut self, len: u64, from: &[u8]) {
        self.fill = len;
        self.replay[..from.len()].copy_from_slice(from);
        self.replay_len = from.len();
        self.replayed = 0;
        self.mode = Mode::Through;
    }
}

/// What an escape's bytes so far make.
enum Escape {
    /// Not all read yet.
    More,
    Char(char),
    /// Not one the parser takes.
    Wrong,
}

/// An escape in a string, from its backslash, by the parser's rules: one of
/// `"\/bfnrt`, or `\u` and four hex digits that are not a surrogate, or a
/// leading surrogate's and a trailing one's.
fn escaped(bytes: &[u8]) -> Escape {
    let hex = |at: usize| -> Option<u32> {
        let digits = std::str::from_utf8(&bytes[at..at + 4]).ok()?;
        if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        u32::from_str_radix(digits, 16).ok()
    };
    match bytes.len() {
        2 => match bytes[1] {
            b'"' => Escape::Char('"'),
            b'\\' => Escape::Char('\\'),
            b'/' => Escape::Char('/'),
            b'b' => Escape::Char('\u{8}'),
            b'f' => Escape::Char('\u{c}'),
            b'n' => Escape::Char('\n'),
            b'r' => Escape::Char('\r'),
            b't' => Escape::Char('\t'),
            b'u' => Escape::More,
            _ => Escape::Wrong,
        },
        3..=5 => Escape::More,
        6 => match hex(2) {
            None | Some(0xDC00..=0xDFFF) => Escape::Wrong,
            Some(0xD800..=0xDBFF) => Escape::More,
            Some(n) => char::from_u32(n).map_or(Escape::Wrong, Escape::Char),
        },
        7 if bytes[6] == b'\\' => Escape::More,
        8 if bytes[7] == b'u' => Escape::More,
        9..=11 => Escape::More,
        12 => match (hex(2), hex(8)) {
            (Some(high), Some(low @ 0xDC00..=0xDFFF)) => {
                let n = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00);
                char::from_u32(n).map_or(Escape::Wrong, Escape::Char)
            }
            _ => Escape::Wrong,
        },
        _ => Escape::Wrong,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `input` through a [`Skim`], read `chunk` bytes at a time into `room`
    /// bytes at a time: what the parser gets, and the sums in order.
    fn skim(input: &[u8], chunk: usize, room: usize) -> (Vec<u8>, Vec<Sum>) {
        let mut s = Skim::new();
        let (mut out, mut sums) = (Vec::new(), Vec::new());
        let mut buf = vec![0u8; room];
        let mut at = 0;
        loop {
            let end = (at + chunk).min(input.len());
            let (read, written) = s.step(&input[at..end], &mut buf);
            at += read;
            out.extend_from_slice(&buf[..written]);
            sums.extend(std::iter::from_fn(|| s.take_sum()));
            if read == 0 && written == 0 && at == input.len() {
                let written = s.end(&mut buf);
                out.extend_from_slice(&buf[..written]);
                if written == 0 {
                    break;
                }
            }
        }
        (out, sums)
    }

    fn sha(text: &str) -> Sum {
        sha2::Sha256::digest(text.as_bytes()).into()
    }

    /// A text with every kind of character and escape, long enough to span
    /// many reads.
    fn long_text() -> String {
        let mut text = String::new();
        for i in 0..2000 {
            text.push_str(&format!("line {i}: é ✓ 𝄞 \"quoted\" \\ / \t\u{1}\u{7f}"));
            text.push_str(&format!(
                " {} \u{8}\u{c}\r\n",
                char::from(b'a' + (i % 26) as u8)
            ));
        }
        text
    }

    /// A manifest's shape: two entries' and a shared file's texts, the other
    /// strings named `content` (a request's message, a spec field) left alone.
    fn manifest(own: &str, shared: &str) -> serde_json::Value {
        serde_json::json!({
            "bundle_version": 3,
            "content": "top",
            "agents": {
                "a": {
                    "content": "an agent's field",
                    "targets": {
                        "gpt": {
                            "path": "p/a.md",
                            "content": own,
                            "requests": {"chat": {"body": {"messages": [{"content": "system"}]}}},
                            "warnings": [{"content": "w"}]
                        },
                        "roo": {"path": ".roomodes", "content": null}
                    }
                },
                "b": {"targets": {"gpt": {"content": "", "sha256": "x"}}}
            },
            "shared": {".roomodes": {"agents": ["a", "content"], "content": shared}}
        })
    }

    #[test]
    fn texts_are_hashed_and_the_rest_passes_through() {
        let (own, shared) = (long_text(), format!("{}✓", "- mode\n".repeat(5000)));
        let doc = manifest(&own, &shared);
        let mut blank = doc.clone();
        blank["agents"]["a"]["targets"]["gpt"]["content"] = "".into();
        blank["shared"][".roomodes"]["content"] = "".into();
        for text in [
            serde_json::to_string(&doc).unwrap(),
            serde_json::to_string_pretty(&doc).unwrap(),
        ] {
            // Also ASCII escapes the serializer does not write: `\/`, `\u0041`.
            let text = text.replacen("line 0", "line \\/0 \\u0041\\ud834\\udd1e", 1);
            let own = own.replacen("line 0", "line /0 A𝄞", 1);
            for (chunk, room) in [(text.len(), 1 << 16), (1, 1), (7, 3), (4096, 8192)] {
                let (out, sums) = skim(text.as_bytes(), chunk, room);
                assert_eq!(out.len(), text.len(), "{chunk}/{room}");
                assert_eq!(
                    out.iter().filter(|b| **b == b'\n').count(),
                    text.matches('\n').count()
                );
                let read: serde_json::Value = serde_json::from_slice(&out).unwrap();
                assert_eq!(read, blank, "{chunk}/{room}");
                assert_eq!(sums, vec![sha(&own), sha(""), sha(&shared)]);
            }
        }
    }

    #[test]
    fn a_key_is_known_through_its_escapes() {
        let text = r#"{"agents": {"a": {"targets": {"t": {"cont\u0065nt": "x\u00e9", "Content": "y"}}}},
            "sh\u0061red": {"f": {"content": "z"}}, "agents2": {"a": {"targets": {"t": {"content": "q"}}}}}"#;
        let (out, sums) = skim(text.as_bytes(), 5, 5);
        let read: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(read["agents"]["a"]["targets"]["t"]["cont\u{65}nt"], "");
        assert_eq!(read["agents"]["a"]["targets"]["t"]["Content"], "y");
        assert_eq!(read["shared"]["f"]["content"], "");
        assert_eq!(read["agents2"]["a"]["targets"]["t"]["content"], "q");
        assert_eq!(sums, vec![sha("xé"), sha("z")]);
    }

    /// Deep nesting is followed without holding a frame per level.
    #[test]
    fn deep_nesting_is_counted() {
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        let text =
            format!(r#"{{"x": {deep}, "shared": {{"f": {{"a": {deep}, "content": "t"}}}}}}"#);
        let (out, sums) = skim(text.as_bytes(), 1 << 16, 1 << 16);
        assert_eq!(out.len(), text.len());
        assert_eq!(sums, vec![sha("t")]);
        assert!(
            String::from_utf8(out)
                .unwrap()
                .contains(r#""content": "" "#)
        );
    }

    /// A text that breaks a rule reaches the parser from the fault on, after
    /// as many letters as it had bytes before it; nothing is summed.
    #[test]
    fn a_text_at_fault_is_handed_over_from_the_fault() {
        let head = r#"{"shared": {"f": {"content": "ab\n"#;
        for (fault, tail) in [
            ("\\q", "c\"}}}"),
            ("\\u12G4", "\"}}}"),
            ("\\uDC00", "\"}}}"),
            ("\\uD800x", "\"}}}"),
            ("\\uD800\\n", "\"}}}"),
            ("\\uD800\\u0041", "\"}}}"),
            ("\\uD800\\uD800", "\"}}}"),
            ("\t", "\"}}}"),
            ("\n", "\"}}}"),
            ("\u{1f}", "\"}}}"),
            ("\\u00", ""),
            ("\\", ""),
            ("", ""),
        ] {
            let text = format!("{head}{fault}{tail}");
            let (out, sums) = skim(text.as_bytes(), 3, 2);
            let want = format!(r#"{{"shared": {{"f": {{"content": "aaaa{fault}{tail}"#);
            assert_eq!(String::from_utf8(out).unwrap(), want, "{fault:?}");
            assert!(sums.is_empty());
        }
    }
}
