//! `build --watch`: a real process that rebuilds after an edit, keeps the last good
//! outputs after an invalid edit, and recovers when the edit is fixed.

use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};
use std::sync::mpsc;

use crate::support::Test;

struct Watcher {
    child: Child,
    lines: mpsc::Receiver<String>,
}

impl Watcher {
    fn start(t: &Test) -> Watcher {
        let mut child = t
            .command(["build", "--watch", "-t", "gpt", "--color", "never"])
            .stderr(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .expect("agentc starts");
        let stderr = child.stderr.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Watcher { child, lines }
    }

    /// Waits for a line containing `needle`; no clock decides: a watcher that
    /// ends (its stderr closed) without printing it fails the test.
    fn expect(&self, needle: &str) -> Vec<String> {
        let mut seen = Vec::new();
        while let Ok(line) = self.lines.recv() {
            let hit = line.contains(needle);
            seen.push(line);
            if hit {
                return seen;
            }
        }
        panic!("agentc ended with no line with {needle:?}; saw {seen:#?}");
    }
}

impl Drop for Watcher {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn rebuilds_on_edit_and_survives_an_invalid_one() {
    let t = Test::new().file("agents/a.toml", "name = \"a\"\nrole = \"one\"\n");
    let spec = t.path("agents/a.toml");
    let out = t.path("dist/gpt/a.md");

    let w = Watcher::start(&t);
    w.expect("watching for changes");
    assert!(std::fs::read_to_string(&out).unwrap().contains("one"));

    std::fs::write(&spec, "name = \"a\"\nrole = \"two\"\n").unwrap();
    let lines = w.expect("built 1 agent");
    assert!(
        lines.iter().any(|l| l.contains("changed: agents/a.toml")),
        "{lines:#?}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains("wrote") && l.contains("a.md")),
        "{lines:#?}"
    );
    assert!(std::fs::read_to_string(&out).unwrap().contains("two"));

    std::fs::write(&spec, "name = \"a\"\nrole = \n").unwrap();
    let lines = w.expect("nothing was written");
    assert!(
        lines.iter().any(|l| l.contains("agents/a.toml:2:8")),
        "{lines:#?}"
    );
    assert!(
        std::fs::read_to_string(&out).unwrap().contains("two"),
        "the last good output stays"
    );

    std::fs::write(&spec, "name = \"a\"\nrole = \"three\"\n").unwrap();
    w.expect("built 1 agent");
    assert!(std::fs::read_to_string(&out).unwrap().contains("three"));
}
