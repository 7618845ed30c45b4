//! Content is data: hostile text in every field of a spec comes out verbatim in
//! every target — never evaluated as a template, and escaped exactly where the
//! format needs it (YAML frontmatter, XML text and attributes, Ollama's `"""`).

use std::path::Path;

use agentc::artifact::Layout;
use agentc::diag::Diagnostics;
use quick_xml::XmlVersion;
use quick_xml::events::Event;

use crate::support::targets::{self, dist_file};
use crate::support::{Test, library};

/// One-line texts for list items, titles and short fields. No item has leading
/// or trailing white space, which lowering would (deliberately) trim.
const ITEMS: &[&str] = &[
    "{{ x }} and {{ agent.name }} and {{- y -}}",
    "{% if true %}evaluated{% endif %}",
    "{# not a comment #} {% raw %}",
    "triple \"\"\" double",
    "triple ''' single",
    "<tag attr=\"v\">x</tag> <br/>",
    "</role> </trigger> </section> </agent>",
    "A & B &amp; &#38; &lt; &x",
    "key: value",
    "# not a comment",
    "@mention at the start",
    "back\\slash \\n \\\\ \\\"",
    "emoji 🚀 é ∑ 中文",
    "ctl \u{1} del \u{7f} tab\tend",
    "]]> <![CDATA[ x ]]> <!-- c -->",
    "- dash start",
    "'single' \"double\" `tick`",
];

fn body() -> String {
    format!("First line.\n---\n{}\n\n---\nlast line", ITEMS.join("\n"))
}

fn role() -> String {
    format!("You are hostile.\n{}", body())
}

fn description() -> String {
    format!(
        "Use this agent when {{{{ x }}}}: a, b & <c>.\n---\n{}",
        ITEMS.join("\n")
    )
}

const TITLE: &str = "Title {{ x }} & <t> \"q\" 'a' #h";
const FORMAT_NAME: &str = "Format {% raw %} <f> & 'n' \"q\"";

/// Extra frontmatter keys and their hostile values.
fn extras() -> Vec<(&'static str, String)> {
    vec![
        ("note", body()),
        ("emoji", "🚀 {{ x }}".into()),
        ("at", "@at".into()),
        ("hash", "# hash".into()),
        ("colon", "a: b".into()),
        ("dashes", "---".into()),
        ("quotes", "\"\"\" '''".into()),
        ("control", "\u{1}\u{7f}\t".into()),
    ]
}

/// The hostile spec, written by a TOML serializer so the texts are exact.
fn spec_text(targets: toml::Table) -> String {
    let items = || toml::Value::Array(ITEMS.iter().map(|s| toml::Value::from(*s)).collect());
    let mut spec = toml::Table::new();
    spec.insert("name".into(), "hostile".into());
    spec.insert("description".into(), description().into());
    spec.insert("version".into(), "2.0".into());
    spec.insert("tags".into(), items());
    spec.insert("role".into(), role().into());
    spec.insert("triggers".into(), items());
    spec.insert("expertise".into(), items());
    spec.insert("success_metrics".into(), items());
    spec.insert("uncertainty_protocol".into(), body().into());
    let mut boundaries = toml::Table::new();
    boundaries.insert("will".into(), items());
    let never = ITEMS
        .iter()
        .map(|s| toml::Value::from(format!("never {s}")))
        .collect();
    boundaries.insert("will_not".into(), toml::Value::Array(never));
    spec.insert("boundaries".into(), boundaries.into());
    let mut section = toml::Table::new();
    section.insert("title".into(), TITLE.into());
    section.insert("body".into(), body().into());
    spec.insert("sections".into(), toml::Value::Array(vec![section.into()]));
    let mut format = toml::Table::new();
    format.insert("name".into(), FORMAT_NAME.into());
    format.insert("body".into(), body().into());
    spec.insert(
        "output_formats".into(),
        toml::Value::Array(vec![format.into()]),
    );
    let mut extra = toml::Table::new();
    for (k, v) in extras() {
        extra.insert(k.into(), v.into());
    }
    spec.insert("extra".into(), extra.into());
    if !targets.is_empty() {
        spec.insert("targets".into(), targets.into());
    }
    toml::to_string(&spec).expect("serialize spec")
}

fn target_options(target: &str, key: &str, value: toml::Value) -> toml::Table {
    let mut options = toml::Table::new();
    options.insert(key.into(), value);
    let mut targets = toml::Table::new();
    targets.insert(target.into(), options.into());
    targets
}

/// Renders a spec text for one target through the library: the content and
/// the messages of the translation warnings.
fn render_with_warnings(text: &str, target: &str) -> (String, Vec<String>) {
    let path = Path::new("agents/hostile.toml");
    let mut diags = Diagnostics::default();
    let loaded = agentc::load::load_str(path, text, &mut diags)
        .unwrap_or_else(|| panic!("spec invalid: {diags:?}\n{text}"));
    assert!(!diags.has_errors(), "{diags:?}");
    let agent = agentc::lower::lower(&loaded.spec);
    let rendered = library::render(&agent, target, None, Layout::Dist, path).expect("renders");
    let warnings = rendered
        .warnings
        .iter()
        .map(|w| w.message.clone())
        .collect();
    (rendered.artifact.expect("not skipped").content, warnings)
}

/// Renders a spec text for one target, which must have nothing to warn about.
fn render_text(text: &str, target: &str) -> String {
    let (content, warnings) = render_with_warnings(text, target);
    assert_eq!(warnings, Vec::<String>::new(), "{target}");
    content
}

fn render(target: &str) -> String {
    render_text(&hostile_spec(), target)
}

/// The hostile spec, with `claude` set to write every key it holds
/// (`lossless`), so that every text of it reaches the frontmatter.
fn hostile_spec() -> String {
    spec_text(target_options("claude", "lossless", true.into()))
}

/// The strict `xml` rendering, which must warn about the one character XML 1.0
/// cannot hold.
fn render_strict_xml() -> String {
    let spec = spec_text(target_options("xml", "strict", true.into()));
    let (content, warnings) = render_with_warnings(&spec, "xml");
    assert_eq!(
        warnings,
        ["`hostile` → `xml`: XML 1.0 cannot hold U+0001; replaced with U+FFFD"]
    );
    content
}

/// What strict XML makes of a text: characters XML 1.0 cannot hold become U+FFFD.
fn xml_safe(text: &str) -> String {
    text.chars()
        .map(|c| if is_xml10_char(c) { c } else { '\u{FFFD}' })
        .collect()
}

/// Splits `---\n<yaml>---\n<body>` and parses the YAML.
fn frontmatter(text: &str) -> (serde_yaml::Mapping, &str) {
    let rest = text
        .strip_prefix("---\n")
        .expect("starts with a frontmatter fence");
    let (yaml, body) = rest.split_once("\n---\n").expect("closing fence");
    let map = serde_yaml::from_str(yaml)
        .unwrap_or_else(|e| panic!("frontmatter is not YAML: {e}\n{yaml}"));
    (map, body)
}

fn yaml_str<'a>(map: &'a serde_yaml::Mapping, key: &str) -> &'a str {
    map.get(key)
        .and_then(|v| v.as_str())
        .unwrap_or_else(|| panic!("no string `{key}` in {map:?}"))
}

/// Asserts the YAML frontmatter gives back every hostile string exactly.
fn assert_frontmatter_round_trips(map: &serde_yaml::Mapping, target: &str) {
    assert_eq!(yaml_str(map, "name"), "hostile");
    assert_eq!(yaml_str(map, "description"), description(), "{target}");
    let tags: Vec<&str> = map
        .get("tags")
        .and_then(|v| v.as_sequence())
        .expect("tags")
        .iter()
        .map(|v| v.as_str().expect("tag is a string"))
        .collect();
    assert_eq!(tags, ITEMS, "{target}");
    for (key, value) in extras() {
        assert_eq!(yaml_str(map, key), value, "{target}: extra `{key}`");
    }
}

/// Asserts that a Markdown body holds every text unchanged.
fn assert_markdown_body_verbatim(body: &str, target: &str) {
    assert!(body.contains(&role()), "{target}: role changed\n{body}");
    for heading in [TITLE, FORMAT_NAME] {
        assert!(
            body.contains(&format!(" {heading}\n\n{}\n", self::body())),
            "{target}: {heading:?} or its body changed"
        );
    }
    for item in ITEMS {
        assert!(
            body.contains(&format!("\n- {item}\n")),
            "{target}: list item {item:?} changed"
        );
    }
    assert!(
        !body.contains("hostile and") && !body.contains("- evaluated\n"),
        "{target}: template syntax in the text was evaluated"
    );
}

#[test]
fn claude_frontmatter_and_body_keep_every_text() {
    let out = render("claude");
    let (map, body) = frontmatter(&out);
    assert_frontmatter_round_trips(&map, "claude");
    assert_markdown_body_verbatim(body, "claude");
}

#[test]
fn plain_prompt_targets_keep_every_text() {
    assert!(!targets::plain().is_empty());
    for target in targets::plain() {
        let out = render(target);
        assert!(!out.starts_with("---"), "{target} has no frontmatter");
        assert_plain_body_kept(&out, target);
    }
}

/// Asserts that a plain prompt holds every text, with the one ATX heading line
/// of the hostile body (`# not a comment`) moved under the prompt's own
/// heading (one to six `#`: `llama` opens with the role, under no heading), as
/// the plain prompts re-level headings.
fn assert_plain_body_kept(out: &str, target: &str) {
    let relevelled = |text: &str| {
        let (before, after) = text
            .split_once("\n# not a comment\n")
            .expect("the hostile body holds one heading line");
        regex::Regex::new(&format!(
            "{}\n#{{1,6}} not a comment\n{}",
            regex::escape(before),
            regex::escape(after)
        ))
        .expect("a valid pattern")
    };
    assert!(
        relevelled(&role()).is_match(out),
        "{target}: role changed\n{out}"
    );
    for heading in [TITLE, FORMAT_NAME] {
        let body = relevelled(&format!(" {heading}\n\n{}\n", self::body()));
        assert!(
            body.is_match(out),
            "{target}: {heading:?} or its body changed"
        );
    }
    for item in ITEMS {
        assert!(
            out.contains(&format!("\n- {item}\n")),
            "{target}: list item {item:?} changed"
        );
    }
    assert!(
        !out.contains("hostile and") && !out.contains("- evaluated\n"),
        "{target}: template syntax in the text was evaluated"
    );
}

#[test]
fn xml_lenient_frontmatter_round_trips() {
    let out = render("xml");
    let (map, _) = frontmatter(&out);
    assert_frontmatter_round_trips(&map, "xml");
}

/// The text between `<tag>` and the first `</tag>` after it.
fn element<'a>(text: &'a str, tag: &str) -> &'a str {
    let open = format!("<{tag}>");
    let start = text.find(&open).unwrap_or_else(|| panic!("no {open}")) + open.len();
    let end = text[start..]
        .find(&format!("</{tag}>"))
        .expect("closing tag")
        + start;
    &text[start..end]
}

/// Decodes `&lt;`, `&gt;`, `&quot;`, `&apos;` and `&amp;` left to right; any other
/// `&` is literal (the lenient form leaves prose `&` raw).
fn decode_lenient(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let entity = [
            ("&lt;", "<"),
            ("&gt;", ">"),
            ("&quot;", "\""),
            ("&apos;", "'"),
            ("&amp;", "&"),
        ]
        .into_iter()
        .find(|(e, _)| rest.starts_with(e));
        match entity {
            Some((e, c)) => {
                out.push_str(c);
                rest = &rest[e.len()..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out + rest
}

#[test]
fn xml_lenient_keeps_prose_raw_and_escapes_tags() {
    let rendered = render("xml");
    let (_, out) = frontmatter(&rendered);
    let text = element(out, "role");
    assert_eq!(decode_lenient(text), format!("\n{}\n", role()));
    assert!(
        text.contains("A & B &amp;amp; &amp;#38; &amp;lt; &x"),
        "prose `&` stays raw:\n{text}"
    );
    assert!(
        text.contains("&lt;/role> &lt;/trigger>"),
        "closing tags in text are escaped:\n{text}"
    );
    assert!(text.contains("&lt;tag attr=\"v\">x&lt;/tag>"), "{text}");
    assert!(text.contains("{{ x }} and {{ agent.name }}"), "{text}");
    assert_eq!(
        out.matches("</role>").count(),
        1,
        "text closed the role early"
    );
    assert_eq!(out.matches("</trigger>").count(), ITEMS.len());
    assert_eq!(out.matches("</section>").count(), 1);
    assert!(!out.contains("</agent>"));
    let triggers = element(out, "triggers");
    let texts: Vec<String> = triggers
        .lines()
        .filter_map(|l| {
            l.trim()
                .strip_prefix("<trigger>")?
                .strip_suffix("</trigger>")
                .map(decode_lenient)
        })
        .collect();
    assert_eq!(texts, ITEMS);
}

/// An element of a parsed XML document.
#[derive(Debug, Default)]
struct Node {
    name: String,
    attrs: Vec<(String, String)>,
    /// The element's own character data, references resolved.
    text: String,
    children: Vec<Node>,
}

impl Node {
    fn child(&self, name: &str) -> &Node {
        self.children
            .iter()
            .find(|c| c.name == name)
            .unwrap_or_else(|| panic!("<{}> has no <{name}>", self.name))
    }

    fn attr(&self, name: &str) -> &str {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or_else(|| panic!("no @{name}"))
    }
}

/// Parses a whole document with quick-xml (end names checked), panicking on
/// anything that is not well-formed.
fn parse_xml(text: &str) -> Node {
    let mut reader = quick_xml::Reader::from_str(text);
    let mut stack = vec![Node::default()];
    loop {
        let at = reader.buffer_position();
        let event = reader
            .read_event()
            .unwrap_or_else(|e| panic!("not well-formed at byte {at}: {e}"));
        let top = stack.last_mut().expect("open element");
        match event {
            Event::Start(e) => stack.push(open(&e)),
            Event::Empty(e) => top.children.push(open(&e)),
            Event::End(_) => {
                let done = stack.pop().expect("open element");
                stack.last_mut().expect("parent").children.push(done);
            }
            Event::Text(t) => top.text.push_str(&t.xml10_content()),
            Event::CData(c) => top.text.push_str(&c.xml10_content()),
            Event::GeneralRef(r) => {
                let c = match r.resolve_char_ref().expect("char ref") {
                    Some(c) => c.to_string(),
                    None => {
                        let name = r.xml10_content();
                        quick_xml::escape::resolve_predefined_entity(&name)
                            .unwrap_or_else(|| panic!("undeclared entity `&{name};` at {at}"))
                            .to_string()
                    }
                };
                top.text.push_str(&c);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    let mut doc = stack.pop().expect("document");
    assert!(stack.is_empty(), "unclosed elements");
    assert_eq!(doc.children.len(), 1, "one root element");
    assert!(
        doc.text.trim().is_empty(),
        "text outside the root: {:?}",
        doc.text
    );
    doc.children.remove(0)
}

/// A new element with its attributes, normalised as an XML 1.0 parser does.
fn open(e: &quick_xml::events::BytesStart) -> Node {
    let mut node = Node {
        name: e.name().as_ref().to_string(),
        ..Node::default()
    };
    for a in e.attributes() {
        let a = a.unwrap_or_else(|err| panic!("bad attribute in <{}>: {err}", node.name));
        let value = a
            .normalized_value(XmlVersion::Explicit1_0)
            .expect("attribute value");
        node.attrs
            .push((a.key.as_ref().to_string(), value.into_owned()));
    }
    node
}

/// Strips the indentation the `xml` template adds to format bodies.
fn dedent(text: &str, by: usize) -> String {
    let pad = " ".repeat(by);
    text.lines()
        .map(|l| l.strip_prefix(&pad).unwrap_or(l))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn xml_strict_is_well_formed_and_gives_back_every_text() {
    let out = render_strict_xml();
    assert!(out.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"));
    let root = parse_xml(&out);
    assert_eq!(root.name, "agent");
    assert_eq!(root.attr("name"), "hostile");
    assert_eq!(
        root.child("role").text,
        xml_safe(&format!("\n{}\n", role()))
    );
    let items: Vec<String> = ITEMS.iter().map(|s| xml_safe(s)).collect();
    let texts = |parent: &Node, tag: &str| -> Vec<String> {
        parent
            .children
            .iter()
            .filter(|c| c.name == tag)
            .map(|c| c.text.clone())
            .collect()
    };
    assert_eq!(texts(root.child("triggers"), "trigger"), items);
    assert_eq!(texts(root.child("expertise"), "area"), items);
    assert_eq!(texts(root.child("success_metrics"), "metric"), items);
    assert_eq!(texts(root.child("boundaries").child("will"), "item"), items);
    let never: Vec<String> = ITEMS
        .iter()
        .map(|s| xml_safe(&format!("never {s}")))
        .collect();
    assert_eq!(
        texts(root.child("boundaries").child("will_not"), "item"),
        never
    );
    assert_eq!(
        root.child("uncertainty_protocol").text,
        xml_safe(&format!("\n{}\n", body()))
    );
    let section = root.child("sections").child("section");
    assert_eq!(section.attr("title"), TITLE);
    assert_eq!(section.text, xml_safe(&format!("\n{}\n  ", body())));
    let format = root.child("output_formats").child("format");
    assert_eq!(format.attr("name"), FORMAT_NAME);
    assert_eq!(
        dedent(&format.text, 4),
        xml_safe(&format!("\n{}\n  ", body()))
    );

    let yaml = &root.child("frontmatter").text;
    let map: serde_yaml::Mapping =
        serde_yaml::from_str(yaml).unwrap_or_else(|e| panic!("{e}\n{yaml}"));
    assert_frontmatter_round_trips(&map, "xml strict");
}

/// XML 1.0's `Char` production: what a well-formed document may contain at all.
fn is_xml10_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
}

#[test]
fn xml_strict_holds_only_xml_characters() {
    let out = render_strict_xml();
    let bad: Vec<char> = out.chars().filter(|c| !is_xml10_char(*c)).collect();
    assert!(bad.is_empty(), "characters XML 1.0 forbids: {bad:?}");
}

#[test]

fn xml_strict_attributes_keep_tabs_and_newlines() {
    let title = "tab\there";
    let name = "line\nbreak";
    let spec = format!(
        "name = \"a\"\n[[sections]]\ntitle = {title:?}\nbody = \"b\"\n[[output_formats]]\nname = {name:?}\nbody = \"b\"\n[targets.xml]\nstrict = true\n"
    );
    let root = parse_xml(&render_text(&spec, "xml"));
    assert_eq!(root.child("sections").child("section").attr("title"), title);
    assert_eq!(
        root.child("output_formats").child("format").attr("name"),
        name
    );
}

/// Reads the `SYSTEM` value of an Ollama Modelfile the way Ollama's parser does
/// (parser/parser.go): runes accumulate until a space or newline after which the
/// trimmed buffer is a complete `"""…"""` string; there are no escapes.
fn ollama_system(modelfile: &str) -> (String, &str) {
    let start = modelfile.find("\nSYSTEM ").expect("SYSTEM line") + "\nSYSTEM ".len();
    let text = &modelfile[start..];
    let mut buf = String::new();
    for (i, c) in text.char_indices() {
        if matches!(c, ' ' | '\t' | '\n' | '\r') {
            let t = buf.trim();
            if t.len() >= 6 && t.starts_with("\"\"\"") && t.ends_with("\"\"\"") {
                return (t[3..t.len() - 3].to_string(), &text[i..]);
            }
        }
        buf.push(c);
    }
    let t = buf.trim();
    assert!(
        t.len() >= 6 && t.starts_with("\"\"\"") && t.ends_with("\"\"\""),
        "unterminated SYSTEM"
    );
    (t[3..t.len() - 3].to_string(), "")
}

/// The bare and the Modelfile-wrapped llama output; a prompt holding `"""` must
/// come with the warning that the Modelfile had to change it.
fn modelfile_with_role(role: &str) -> (String, String) {
    let spec = format!("name = \"a\"\nrole = {role:?}\n");
    let plain = render_text(&spec, "llama");
    let (wrapped, warnings) = render_with_warnings(
        &format!("{spec}[targets.llama]\nwrap = \"modelfile\"\n"),
        "llama",
    );
    let want: Vec<&str> = if role.contains("\"\"\"") {
        vec![
            "`a` → `llama`: an Ollama Modelfile cannot hold `\"\"\"`; runs of quotes are written as `\\\"`",
        ]
    } else {
        vec![]
    };
    assert_eq!(warnings, want);
    (plain, wrapped)
}

#[test]
fn modelfile_system_block_holds_the_whole_prompt() {
    let role = "Say \"\"\" then {{ x }} and ''' and end with \"quoted\"";
    let (plain, wrapped) = modelfile_with_role(role);
    assert!(plain.contains(role), "{plain}");
    assert!(
        wrapped.starts_with("FROM llama3.3\nPARAMETER num_ctx 64000\nSYSTEM \"\"\""),
        "{wrapped}"
    );
    let (value, rest) = ollama_system(&wrapped);
    assert_eq!(rest.trim(), "", "text after the SYSTEM value:\n{wrapped}");
    assert_eq!(value, plain.trim_end().replace("\"\"\"", "\\\"\\\"\\\""));
}

#[test]

fn modelfile_system_block_survives_long_quote_runs() {
    let (_, wrapped) = modelfile_with_role("five \"\"\"\"\" quotes then more text");
    let (_, rest) = ollama_system(&wrapped);
    assert_eq!(
        rest.trim(),
        "",
        "SYSTEM ended early; Ollama reads the rest as commands:\n{wrapped}"
    );
}

#[test]
fn binary_build_writes_the_same_bytes() {
    let t = Test::new().file("agents/hostile.toml", hostile_spec());
    t.run_args(["build"]).status(0);
    for target in targets::prompt() {
        let written = t.read(&dist_file(target, "hostile"));
        assert!(
            written == render(target),
            "{target}: the binary wrote other bytes"
        );
    }
}

#[test]
fn per_target_overrides_keep_every_text() {
    let mut claude = toml::Table::new();
    claude.insert("description".into(), body().into());
    claude.insert("x-note".into(), role().into());
    claude.insert("lossless".into(), true.into());
    let mut targets = toml::Table::new();
    targets.insert("claude".into(), claude.into());
    let spec = spec_text(targets);
    let out = render_text(&spec, "claude");
    let (map, _) = frontmatter(&out);
    assert_eq!(yaml_str(&map, "description"), body());
    assert_eq!(yaml_str(&map, "x-note"), role());
    let (xml, _) = render_with_warnings(&spec, "xml");
    let (map, _) = frontmatter(&xml);
    assert_eq!(
        yaml_str(&map, "description"),
        description(),
        "the override is claude's only"
    );
    assert!(map.get("x-note").is_none());
}
