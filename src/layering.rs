//! The shape of the crate, kept by a test: it reads every `use crate::…`,
//! `crate::…` and `super::…` path in `src/` (test code left out) and fails on
//! an import cycle between modules or an import against the layers of
//! `lib.rs`: support and diagnostics, then data, then the stages (which import
//! data and support only), lint, the pipeline, the project, the features, and
//! the command line, which nothing else imports.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Each top-level module's layer; a module imports only lower layers, and
/// within its layer only what `same_layer_ok` allows.
const LAYERS: &[(&str, u8)] = &[
    ("diag", 0),
    ("support", 1),
    ("spec", 2),
    ("ir", 2),
    ("artifact", 2),
    ("target", 2),
    ("load", 3),
    ("lower", 3),
    ("resolve", 3),
    ("render", 3),
    ("emit", 3),
    ("lint", 4),
    ("pipeline", 5),
    ("project", 6),
    ("workspace", 7),
    ("build", 8),
    ("bundle", 8),
    ("import", 8),
    ("stats", 8),
    ("watch", 8),
    ("translation", 8),
    ("fuzzing", 8),
    ("cli", 9),
];

/// Data may name other data (the IR holds spec types, a target's tool map
/// serves an IR agent); features may use one another (a bundle is built like
/// a build) as long as no cycle forms. Stages never import one another.
fn same_layer_ok(layer: u8) -> bool {
    matches!(layer, 2 | 8)
}

/// Module path (`emit::writer`) → its file, for every file under `src/`.
fn modules(src: &Path) -> BTreeMap<String, PathBuf> {
    let mut out = BTreeMap::new();
    for entry in walkdir::WalkDir::new(src) {
        let entry = entry.expect("walk src");
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let rel = path
            .strip_prefix(src)
            .expect("under src")
            .with_extension("");
        let mut parts: Vec<String> = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        if parts.last().is_some_and(|p| p == "mod") {
            parts.pop();
        }
        let name = parts.join("::");
        if name == "lib" || name == "main" || name == "layering" {
            continue;
        }
        out.insert(name, path.to_path_buf());
    }
    out
}

/// The code of a file without its tests and comments.
fn code(text: &str) -> String {
    let text = match text.find("#[cfg(test)]") {
        Some(i) => &text[..i],
        None => text,
    };
    text.lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every path a file names: `use` trees expanded, and inline `crate::…` and
/// `super::…` paths, as written (`crate::emit::Writer`).
fn paths(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest_of_code = String::new();
    let mut statement: Option<String> = None;
    for line in code.lines() {
        let t = line.trim_start();
        let t = t
            .strip_prefix("pub(crate) ")
            .or_else(|| t.strip_prefix("pub(super) "))
            .or_else(|| t.strip_prefix("pub "))
            .unwrap_or(t);
        if statement.is_none() && t.starts_with("use ") {
            statement = Some(String::new());
        }
        match &mut statement {
            Some(s) => {
                s.push_str(line);
                s.push('\n');
                if line.contains(';') {
                    let s = statement.take().unwrap_or_default();
                    let body = s.trim().trim_end_matches(';');
                    let body = body.split_once("use ").map_or("", |(_, b)| b);
                    expand("", body, &mut out);
                }
            }
            None => {
                rest_of_code.push_str(line);
                rest_of_code.push('\n');
            }
        }
    }
    let code = rest_of_code.as_str();
    let bytes = code.as_bytes();
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    for start in ["crate::", "super::"] {
        let mut at = 0;
        while let Some(i) = code[at..].find(start) {
            let i = at + i;
            let mut j = i;
            while j < bytes.len() && (word(bytes[j]) || bytes[j] == b':') {
                j += 1;
            }
            let preceded = i > 0 && (word(bytes[i - 1]) || bytes[i - 1] == b':');
            let path = code[i..j].trim_end_matches(':');
            if !preceded && path.contains("::") {
                out.push(path.to_string());
            }
            at = j.max(i + 1);
        }
    }
    out
}

/// Expands one `use` tree (`a::{b, c::{d}}`) into full paths.
fn expand(prefix: &str, tree: &str, out: &mut Vec<String>) {
    let tree = tree.trim();
    let join = |p: &str, q: &str| {
        if p.is_empty() {
            q.to_string()
        } else {
            format!("{p}::{q}")
        }
    };
    match tree.find('{') {
        None => {
            let head = tree.split(" as ").next().unwrap_or(tree).trim();
            if !head.is_empty() {
                out.push(join(prefix, head));
            }
        }
        Some(open) => {
            let head = tree[..open].trim().trim_end_matches("::");
            let inner = &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())];
            let base = join(prefix, head);
            let mut depth = 0;
            let mut start = 0;
            for (i, c) in inner.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        expand(&base, &inner[start..i], out);
                        start = i + 1;
                    }
                    _ => {}
                }
            }
            expand(&base, &inner[start..], out);
        }
    }
}

/// The module a path in `from` names, if it names one of `known`.
fn target(from: &str, path: &str, known: &BTreeMap<String, PathBuf>) -> Option<String> {
    let mut parts: Vec<&str> = path.split("::").filter(|p| !p.is_empty()).collect();
    // `super` is the parent module, wherever its file is.
    let mut base: Vec<&str> = from.split("::").collect();
    match parts.first() {
        Some(&"crate") => {
            parts.remove(0);
        }
        Some(&"super") => {
            while parts.first() == Some(&"super") {
                parts.remove(0);
                base.pop();
            }
            let mut full = base.clone();
            full.extend(parts);
            parts = full;
        }
        _ => return None,
    }
    (1..=parts.len())
        .rev()
        .map(|n| parts[..n].join("::"))
        .find(|m| known.contains_key(m))
}

fn top(module: &str) -> &str {
    module.split("::").next().unwrap_or(module)
}

/// Module → the other modules it imports.
fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let known = modules(&src);
    let mut graph = BTreeMap::new();
    for (module, file) in &known {
        let text = std::fs::read_to_string(file).expect("read source");
        let mut edges = BTreeSet::new();
        for p in paths(&code(&text)) {
            if let Some(t) = target(module, &p, &known)
                && t != *module
                && !t.starts_with(&format!("{module}::"))
                && !module.starts_with(&format!("{t}::"))
            {
                edges.insert(t);
            }
        }
        graph.insert(module.clone(), edges);
    }
    graph
}

#[test]
fn every_top_level_module_has_a_layer() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let tops: BTreeSet<String> = modules(&src).keys().map(|m| top(m).to_string()).collect();
    let layered: BTreeSet<String> = LAYERS.iter().map(|(m, _)| m.to_string()).collect();
    assert_eq!(
        tops, layered,
        "add the new module to LAYERS (and lib.rs's tour)"
    );
}

#[test]
fn imports_follow_the_layers() {
    let layer: BTreeMap<&str, u8> = LAYERS.iter().copied().collect();
    let mut breaks = Vec::new();
    for (from, edges) in graph() {
        for to in edges {
            let (a, b) = (top(&from), top(&to));
            if a == b {
                continue;
            }
            let (la, lb) = (layer[a], layer[b]);
            if lb > la || (lb == la && !same_layer_ok(la)) {
                breaks.push(format!("{from} imports {to} (layer {la} → {lb})"));
            }
        }
    }
    assert!(breaks.is_empty(), "layering broken:\n{}", breaks.join("\n"));
}

#[test]
fn no_import_cycles() {
    let graph = graph();
    // Depth-first search for a back edge, module by module.
    fn visit(
        m: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        state.insert(m.to_string(), 1);
        stack.push(m.to_string());
        for next in graph.get(m).into_iter().flatten() {
            match state.get(next.as_str()) {
                Some(1) => {
                    let at = stack.iter().position(|s| s == next).unwrap_or(0);
                    let mut cycle = stack[at..].to_vec();
                    cycle.push(next.clone());
                    return Some(cycle);
                }
                Some(_) => {}
                None => {
                    if let Some(c) = visit(next, graph, state, stack) {
                        return Some(c);
                    }
                }
            }
        }
        stack.pop();
        state.insert(m.to_string(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for m in graph.keys() {
        if !state.contains_key(m.as_str())
            && let Some(cycle) = visit(m, &graph, &mut state, &mut Vec::new())
        {
            panic!("import cycle: {}", cycle.join(" → "));
        }
    }
}

/// The reader itself: `use` trees, inline paths and `super` resolve as Rust does.
#[test]
fn paths_are_read_like_the_compiler_reads_them() {
    let mut got = paths(
        "use crate::{a::{b, c as d}, e};\npub(crate) use crate::{\n    k,\n};\nfn f() { crate::g::h(); super::i::j; \"use this; not\" }\n",
    );
    got.sort();
    assert_eq!(
        got,
        [
            "crate::a::b",
            "crate::a::c",
            "crate::e",
            "crate::g::h",
            "crate::k",
            "super::i::j"
        ]
    );
    let known: BTreeMap<String, PathBuf> = ["emit", "emit::writer", "render", "render::env"]
        .iter()
        .map(|m| (m.to_string(), PathBuf::new()))
        .collect();
    assert_eq!(
        target("emit::writer", "super::Body", &known).as_deref(),
        Some("emit")
    );
    assert_eq!(
        target("render::env", "super::super::emit::x", &known).as_deref(),
        Some("emit")
    );
    assert_eq!(
        target("emit::writer", "crate::render::env::f", &known).as_deref(),
        Some("render::env")
    );
    assert_eq!(target("emit", "std::fs", &known), None);
}
