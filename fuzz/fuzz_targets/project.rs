//! A project's own target and template: the input is a target file
//! (`targets/fuzz.toml`), a NUL byte, then a template (`templates/fuzz.md.j2`).
//! Opening and compiling the project gives outputs or diagnostics, never a
//! panic or a hang (template work is bounded), and never a byte of a file
//! outside the project: a secret beside the project folder must not show up in
//! an output or a message.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use agentc::artifact::Layout;
use agentc::workspace::Workspace;
use libfuzzer_sys::fuzz_target;

const SECRET: &str = "FUZZ-SECRET-5b1e0c";

/// The project folder, made once: a config, one agent, and a secret beside it.
fn project() -> &'static PathBuf {
    static P: OnceLock<PathBuf> = OnceLock::new();
    P.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("agentc-fuzz-project-{}", std::process::id()));
        let root = dir.join("p");
        std::fs::create_dir_all(root.join("agents")).unwrap();
        std::fs::create_dir_all(root.join("targets")).unwrap();
        std::fs::create_dir_all(root.join("templates")).unwrap();
        std::fs::write(dir.join("secret.txt"), SECRET).unwrap();
        std::fs::write(root.join("agentc.toml"), "targets = [\"fuzz\"]\n").unwrap();
        std::fs::write(
            root.join("agents/a.toml"),
            "name = \"a\"\ndescription = \"Reviews code.\"\ntools = [\"read\", \"grep\"]\n\n[prompt]\nrole = \"You review code.\"\n",
        )
        .unwrap();
        root
    })
}

fuzz_target!(|data: &[u8]| {
    let (target, template) = match data.iter().position(|&b| b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &b""[..]),
    };
    let root = project();
    std::fs::write(root.join("targets/fuzz.toml"), target).unwrap();
    std::fs::write(root.join("templates/fuzz.md.j2"), template).unwrap();
    let ws = match Workspace::open(root) {
        Ok(ws) => ws,
        Err(diags) => {
            for d in diags.iter() {
                assert!(!d.render(false).contains(SECRET), "a message shows the secret");
            }
            return;
        }
    };
    let selection = ws.select(&[], &[]);
    for layout in [Layout::Dist, Layout::Native] {
        let job = ws.job(&selection, layout, false, None);
        let compiled = agentc::pipeline::compile_all(&job);
        for d in compiled.diags.iter() {
            let text = d.render(false);
            assert!(!text.contains(SECRET), "a message shows the secret: {text}");
        }
        for a in &compiled.artifacts {
            assert!(!format!("{a:?}").contains(SECRET), "an output holds the secret");
        }
    }
});
