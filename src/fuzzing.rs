//! The checks of the fuzz targets (`fuzz/fuzz_targets/`), written once: each
//! target calls [`check`] with its own name, and `tests/it/fuzz_regressions.rs`
//! replays every committed seed (`fuzz/seeds/<target>/`, findings included)
//! through the same function, so that a finding stays fixed without a fuzzer.
//!
//! A check panics (an assertion) when the library does something it must not:
//! a panic on any input, a diagnostic that does not render, a spec that does
//! not load back as written, a render that differs from itself, a bundle that
//! differs from itself, a file outside the project that shows up in an output.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::artifact::Layout;
use crate::diag::{Diagnostic, Diagnostics};
use crate::render::{Prepared, Renderer};
use crate::target::Registry;
use crate::workspace::Workspace;

/// Runs the check of the fuzz target `target` on one input. `scratch` is a
/// folder the `project` check may own (it writes a project in it, and a
/// secret beside that project); the other checks do not touch the disk.
/// `Err` names a target that has no check.
pub fn check(target: &str, data: &[u8], scratch: &Path) -> Result<(), String> {
    match target {
        "spec_parse" => spec_parse(data),
        "render" => render(data),
        "import_markdown" => import_markdown(data),
        "import_xml" => import_xml(data),
        "frontmatter" => frontmatter(data),
        "check_bundle" => {
            // A bundle that reads and one rejected are both allowed outcomes.
            let _ = check_bundle(data);
        }
        "project" => project(scratch, data),
        _ => return Err(format!("no fuzz check named `{target}`")),
    }
    Ok(())
}

/// Every diagnostic renders to text and to a JSON object.
fn renders(d: &Diagnostic, input: &str) {
    assert!(!d.render(false).is_empty(), "empty message for {input:?}");
    assert!(d.to_json().is_object(), "no JSON object for {input:?}");
}

/// Spec parsing: any bytes as a spec file give a spec, or diagnostics that
/// render (spans inside the text, on char boundaries) with an error among them.
fn spec_parse(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut diags = Diagnostics::default();
    let loaded = crate::load::load_str(Path::new("fuzz.toml"), text, &mut diags);
    for d in diags.iter() {
        renders(d, text);
    }
    assert!(
        loaded.is_some() || diags.has_errors(),
        "rejected without an error: {text:?}"
    );
}

/// The built-in targets and a renderer, made once for a whole run.
fn builtins() -> &'static (Registry, Renderer) {
    static B: OnceLock<(Registry, Renderer)> = OnceLock::new();
    B.get_or_init(|| {
        let registry = Registry::load(None).expect("the built-in targets load");
        (registry, Renderer::new(None))
    })
}

/// Every built-in target prepared for each layout, once for a whole run, as
/// a build prepares its targets once for all its agents.
fn prepared() -> &'static [(Layout, Vec<Prepared<'static>>)] {
    static P: OnceLock<Vec<(Layout, Vec<Prepared<'static>>)>> = OnceLock::new();
    P.get_or_init(|| {
        let (registry, renderer) = builtins();
        [Layout::Dist, Layout::Native]
            .into_iter()
            .map(|layout| {
                let targets = registry.targets.values();
                (
                    layout,
                    targets.map(|t| renderer.prepare(t, layout)).collect(),
                )
            })
            .collect()
    })
}

/// Rendering: a spec that loads renders for every built-in target, in both
/// layouts, twice the same (the same file, or the same errors).
fn render(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let source = Path::new("fuzz.toml");
    let mut diags = Diagnostics::default();
    let Some(loaded) = crate::load::load_str(source, text, &mut diags) else {
        return;
    };
    let agent = crate::lower::lower(&loaded.spec);
    let (_, renderer) = builtins();
    for (layout, prepared) in prepared() {
        let once = || {
            let resolved = prepared
                .iter()
                .map(|p| crate::resolve::resolve(&agent, p.target, None, source))
                .collect();
            renderer.render_all(&agent, prepared, resolved, *layout, source)
        };
        for (p, (a, b)) in prepared.iter().zip(once().into_iter().zip(once())) {
            let at = format!("{} ({layout:?}) for {text:?}", p.target.name);
            match (a, b) {
                (Ok(a), Ok(b)) => assert_eq!(a.artifact, b.artifact, "{at}"),
                (Err(a), Err(b)) => {
                    assert!(a.has_errors(), "{at}: failed without an error");
                    assert_eq!(format!("{a:?}"), format!("{b:?}"), "{at}");
                    for d in a.iter() {
                        renders(d, text);
                    }
                }
                (a, b) => panic!("{at}: once {:?}, once {:?}", a.is_ok(), b.is_ok()),
            }
        }
    }
}

/// Imports `text`: a failure is one error that renders; an imported spec's
/// warnings render, and the spec written as TOML loads back equal to it.
fn import_and_check(text: &str) {
    let imported = match crate::import::import(Path::new("fuzz.md"), text) {
        Ok(imported) => imported,
        Err(d) => return renders(&d, text),
    };
    for w in &imported.warnings {
        renders(w, text);
    }
    let toml = crate::import::write::to_toml(&imported.spec, "fuzz.md")
        .unwrap_or_else(|e| panic!("an imported spec cannot be written: {e}\n{text:?}"));
    let mut diags = Diagnostics::default();
    let loaded = crate::load::load_str(Path::new("fuzz.toml"), &toml, &mut diags)
        .unwrap_or_else(|| panic!("the written spec does not load: {diags:?}\n{toml}"));
    assert_eq!(loaded.spec, imported.spec, "loads back differently\n{toml}");
}

/// The Markdown importer: any body after a valid frontmatter, and any whole file.
fn import_markdown(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    import_and_check(&format!("---\nname: fuzz\ndescription: x\n---\n\n{text}"));
    import_and_check(text);
}

/// The XML v2.0 importer: any text inside one of the form's tags, and after one.
fn import_xml(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    import_and_check(&format!(
        "---\nname: fuzz\nversion: 2.0\n---\n\n<role>\n{text}\n</role>\n"
    ));
    import_and_check(&format!(
        "---\nname: fuzz\n---\n\n<role>\nx\n</role>\n\n{text}"
    ));
}

/// Frontmatter recovery: any text between the `---` fences.
fn frontmatter(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    import_and_check(&format!("---\n{text}\n---\n\nYou are a fuzzer.\n"));
}

/// `check --bundle`'s reading: any bytes (JSON, `.tar.gz`, `.zip`) give a
/// bundle that compares equal to itself, or one message. An input that starts
/// with `t` is a tar archive, gzipped here, so that a fuzzer mutates the tar
/// entries rather than the compressed stream. Returns what was read (the
/// number of differences, always 0) or the message.
pub fn check_bundle(data: &[u8]) -> Result<usize, String> {
    let gzipped;
    let bytes = match data.split_first() {
        Some((b't', tar)) => {
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            gz.write_all(tar).expect("gzip in memory");
            gzipped = gz.finish().expect("gzip in memory");
            &gzipped[..]
        }
        _ => data,
    };
    let read = crate::bundle::check::read(bytes)
        .map(|read| crate::bundle::check::compare(&read.bundle, &read).len());
    match &read {
        Ok(differences) => assert_eq!(*differences, 0, "a bundle read back differs from itself"),
        Err(message) => assert!(!message.is_empty(), "a bundle rejected without a message"),
    }
    read
}

/// What must never show up in an output or a message of the `project` check.
const SECRET: &str = "FUZZ-SECRET-5b1e0c";

/// The project of the `project` check under `scratch`, made on first use: a
/// config naming the target `fuzz`, one agent, and a secret beside the project.
fn project_root(scratch: &Path) -> PathBuf {
    let root = scratch.join("p");
    if root.join("agents/a.toml").is_file() {
        return root;
    }
    for dir in ["agents", "targets", "templates"] {
        std::fs::create_dir_all(root.join(dir)).expect("make the fuzz project");
    }
    let files = [
        (scratch.join("secret.txt"), SECRET),
        (root.join("agentc.toml"), "targets = [\"fuzz\"]\n"),
        (
            root.join("agents/a.toml"),
            "name = \"a\"\ndescription = \"Reviews code.\"\ntools = [\"read\", \"grep\"]\n\n\
             [prompt]\nrole = \"You review code.\"\n",
        ),
    ];
    for (path, text) in files {
        std::fs::write(path, text).expect("write the fuzz project");
    }
    root
}

/// A project's own target and template: the input is a target file
/// (`targets/fuzz.toml`), a NUL byte, then a template (`templates/fuzz.md.j2`).
/// Opening and compiling the project gives outputs or diagnostics, never a
/// panic or a hang (template work is bounded), and never a byte of a file
/// outside the project: the secret beside it is in no output and no message.
fn project(scratch: &Path, data: &[u8]) {
    let (target, template) = match data.iter().position(|&b| b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &b""[..]),
    };
    let root = project_root(scratch);
    std::fs::write(root.join("targets/fuzz.toml"), target).expect("write the target");
    std::fs::write(root.join("templates/fuzz.md.j2"), template).expect("write the template");
    let no_secret = |diags: &Diagnostics| {
        for d in diags.iter() {
            let text = d.render(false);
            assert!(!text.contains(SECRET), "a message shows the secret: {text}");
        }
    };
    let ws = match Workspace::open(&root) {
        Ok(ws) => ws,
        Err(diags) => return no_secret(&diags),
    };
    let selection = ws.select(&[], &[]);
    for layout in [Layout::Dist, Layout::Native] {
        let compiled = crate::pipeline::compile_all(&ws.job(&selection, layout, false, None));
        no_secret(&compiled.diags);
        for a in &compiled.artifacts {
            assert!(
                !format!("{a:?}").contains(SECRET),
                "an output holds the secret"
            );
        }
    }
}
