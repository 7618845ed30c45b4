//! `build` and `check`: the project compiled a chunk of agents at a time into a
//! sink that stages each output (or, for `check`, compares it with the disk),
//! unless the build record ([`record`]) shows that nothing changed since the
//! last build of the output root. No printing: the command line reports the
//! [`Outcome`].

pub mod record;

use std::path::{Path, PathBuf};

use crate::artifact::{Artifact, Layout};
use crate::diag::{Diagnostics, Severity};
use crate::emit::{self, Body, Drift, Scope, Summary};
use crate::lint::Level;
use crate::lint::budget::{self, Budgets};
use crate::load::SpecTexts;
use crate::pipeline::{self, Compiled, Sink};
use crate::target::Target;
use crate::workspace::{Selection, Workspace};

/// How to build.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub layout: Option<Layout>,
    pub out: Option<PathBuf>,
    pub strict: bool,
    /// Overwrite files agentc did not write.
    pub force: bool,
    /// Compare with the disk instead of writing.
    pub check: bool,
}

/// What a build or check came to.
pub enum Outcome {
    /// The compile failed: nothing was written.
    Failed(Compiled),
    /// Every output was staged, but putting them in place failed (the
    /// diagnostics say why); what was put in place was undone, except the
    /// files listed (relative to `root`), which are changed.
    CommitFailed {
        root: PathBuf,
        compiled: Compiled,
        changed: Vec<PathBuf>,
    },
    Built {
        root: PathBuf,
        compiled: Compiled,
        summary: Summary,
    },
    Checked {
        root: PathBuf,
        compiled: Compiled,
        /// Outputs compared.
        outputs: usize,
        drifts: Vec<Drift>,
    },
}

/// Builds (or checks) `selection` of the workspace. `progress(done, total)` is
/// called after each chunk of agents; `on_wait` before waiting for another
/// build of the same output root.
pub fn run(
    ws: &Workspace,
    selection: &Selection,
    opts: &Options,
    progress: &mut (dyn FnMut(usize, usize) + Send),
    on_wait: &dyn Fn(),
) -> Outcome {
    let layout = ws.layout(opts.layout);
    let job = ws.job(selection, layout, opts.strict, Some(Level::Deny));
    let root = ws.output_root(opts.out.as_deref(), layout);
    let explicit = selection.partial;
    // Nothing changed since the last build of this root: read the outputs once.
    let key = record::enabled()
        .then(|| {
            let specs = crate::load::discover(&selection.sources, &mut Diagnostics::default());
            record::key(&ws.project, &ws.cwd, &root, &job, &specs)
        })
        .flatten();
    if let Some(key) = &key
        && let Some((compiled, outputs)) = cached(&root, key, explicit)
    {
        if opts.check {
            return Outcome::Checked {
                root,
                compiled,
                outputs,
                drifts: Vec::new(),
            };
        }
        // What a killed build staged goes, as a full build would remove it.
        emit::tidy(&root);
        let summary = Summary {
            unchanged: outputs,
            ..Default::default()
        };
        return Outcome::Built {
            root,
            compiled,
            summary,
        };
    }
    // Outputs are checked or staged as each chunk of agents is rendered, so that
    // memory does not grow with the project; nothing is touched unless all succeeds.
    let dest = match opts.check {
        true => emit::Checker::new(&root, on_wait).map(Out::Check),
        false => emit::Writer::new(&root, opts.force, on_wait).map(|w| Out::Write(Box::new(w))),
    };
    let deny_over_budget = ws.levels.get(&crate::diag::Code::OverBudget) == Some(&Level::Deny);
    let budget_targets = pipeline::targets(&ws.registry, &job.targets, &mut Diagnostics::default());
    let mut sink = BuildSink {
        dest,
        budget: deny_over_budget.then_some((&budget_targets[..], &ws.budgets)),
        hashes: Vec::new(),
        progress,
    };
    let mut compiled = pipeline::compile(&job, &mut sink);
    let (dest, hashes) = (sink.dest, sink.hashes);
    let dest = dest.map_err(|d| compiled.diags.extend(d)).ok();
    let scope = Scope {
        targets: compiled.targets.iter().cloned().collect(),
        agents: explicit.then(|| compiled.agents.iter().cloned().collect()),
    };
    if compiled.failed() {
        return Outcome::Failed(compiled);
    }
    let writer = match dest {
        // Not reached: a manifest that cannot be read is an error above.
        None => return Outcome::Failed(compiled),
        Some(Out::Check(checker)) => {
            let outputs = checker.count();
            let drifts = checker.finish(&scope);
            return Outcome::Checked {
                root,
                compiled,
                outputs,
                drifts,
            };
        }
        Some(Out::Write(w)) => w,
    };
    let summary = match writer.commit(&scope) {
        Ok(s) => s,
        Err(e) => {
            compiled.diags.extend(e.diags);
            return Outcome::CommitFailed {
                root,
                compiled,
                changed: e.changed,
            };
        }
    };
    if let Some(key) = key {
        let record = record::Record {
            version: record::VERSION,
            key,
            agents: compiled.agents.clone(),
            targets: compiled.targets.clone(),
            skipped: compiled.skipped,
            accepted: compiled.accepted,
            diagnostics: record::record_diags(&compiled.diags),
            outputs: hashes
                .into_iter()
                .map(|(path, h)| (path, record::hex(h)))
                .collect(),
        };
        record::save(&root, &record);
    }
    Outcome::Built {
        root,
        compiled,
        summary,
    }
}

/// The compile of the last build of `root`, when its record has this key and
/// every output it lists is on disk unchanged; with the number of outputs.
fn cached(root: &Path, key: &str, explicit: bool) -> Option<(Compiled, usize)> {
    let record = record::read(root).filter(|r| r.key == key)?;
    let manifest = emit::read_manifest(root).ok()?;
    let scope = Scope {
        targets: record.targets.iter().cloned().collect(),
        agents: explicit.then(|| record.agents.iter().cloned().collect()),
    };
    if !record::outputs_match(root, &record, &manifest, &scope) {
        return None;
    }
    let diags = record::replay_diags(&record.diagnostics)?;
    let compiled = Compiled {
        agents: record.agents,
        targets: record.targets,
        skipped: record.skipped,
        accepted: record.accepted,
        diags,
        ..Compiled::default()
    };
    Some((compiled, record.outputs.len()))
}

/// Where `build` sends its outputs: to disk, or (`check`) to be compared with it.
enum Out {
    Write(Box<emit::Writer>),
    Check(emit::Checker),
}

/// `build`'s outputs, a chunk at a time: checked against their budgets when the
/// `over-budget` rule is denied, then staged (or compared, for `check`).
struct BuildSink<'a> {
    dest: Result<Out, Diagnostics>,
    budget: Option<(&'a [&'a Target], &'a Budgets)>,
    /// Each output written and the hash of its bytes, for the build's record.
    hashes: Vec<(String, u128)>,
    progress: &'a mut (dyn FnMut(usize, usize) + Send),
}

impl Sink for BuildSink<'_> {
    fn chunk(
        &mut self,
        artifacts: Vec<Artifact>,
        specs: &SpecTexts,
        diags: &mut Diagnostics,
        failed: bool,
    ) {
        if let Some((targets, budgets)) = self.budget {
            // Only a denied rule runs in `build`, over the files it renders anyway.
            diags.extend(budget::lint(
                &artifacts,
                targets,
                budgets,
                specs,
                Severity::Error,
            ));
        }
        match &mut self.dest {
            Ok(Out::Check(c)) => c.check(&artifacts),
            Ok(Out::Write(w)) if !failed && !diags.has_errors() => {
                w.stage(&artifacts);
                self.hashes
                    .extend(artifacts.iter().map(|a| (emit::key(&a.path), a.hash)));
            }
            _ => {}
        }
    }

    fn aggregate(&mut self, artifact: Artifact, file: &mut std::fs::File, diags: &mut Diagnostics) {
        if self
            .budget
            .is_some_and(|(_, b)| b.contains_key(&artifact.target))
        {
            return pipeline::aggregate_in_memory(self, artifact, file, diags);
        }
        match &mut self.dest {
            Ok(Out::Check(c)) => c.check_body(&artifact, Body::File(file)),
            Ok(Out::Write(w)) if !diags.has_errors() => {
                w.stage_body(&artifact, Body::File(file));
                self.hashes.push((emit::key(&artifact.path), artifact.hash));
            }
            _ => {}
        }
    }

    fn progress(&mut self, done: usize, total: usize) {
        (self.progress)(done, total)
    }
}
