//! `agentc build` and `agentc check` (and `build --watch`): the project is
//! compiled a chunk of agents at a time into a sink that stages each output (or,
//! for `check`, compares it with the disk), unless the build record shows that
//! nothing changed since the last build of the output root.

use super::*;

pub(super) fn build(ui: &Ui, cwd: &Path, args: &BuildArgs, check_only: bool) -> Result<Exit> {
    let Some((project, registry, renderer)) = setup(ui, cwd) else {
        return Ok(1);
    };
    let cfg = &project.config;
    let layout = args.layout.unwrap_or(cfg.layout);
    let explicit = !args.paths.is_empty();
    let (sources, targets) = build_selection(&project, &registry, cwd, &args.paths, &args.targets);
    let Some(levels) = lint_levels(ui, &project) else {
        return Ok(1);
    };
    let Some(budgets) = budgets(ui, &project, &registry, cwd) else {
        return Ok(1);
    };
    let deny_over_budget = levels["over-budget"] == crate::lint::Level::Deny;
    let job = Job {
        explicit_sources: explicit && names_part_of_the_project(&project, &sources),
        sources,
        targets,
        layout,
        strict: args.strict || cfg.strict,
        lint: levels,
        lint_min: Some(crate::lint::Level::Deny),
    };
    let root = relative_to(
        &pipeline::output_root(&project.root, &cfg.out_dir, args.out.as_deref(), layout),
        cwd,
    );
    // Outputs are checked or staged as each chunk of agents is rendered, so that
    // memory does not grow with the project; nothing is touched unless all succeeds.
    let dest = match check_only {
        true => emit::Checker::new(&root).map(Out::Check),
        false => emit::Writer::new(&root, args.force).map(|w| Out::Write(Box::new(w))),
    };
    // Nothing changed since the last build of this root: read the outputs once.
    let key = crate::cache::enabled()
        .then(|| {
            let specs = crate::load::discover(&job.sources, &mut Diagnostics::default());
            crate::cache::key(&project, cwd, &root, &job, &specs)
        })
        .flatten();
    if let Some(key) = &key
        && let Some((compiled, outputs)) = cached(&root, key, explicit)
    {
        return if check_only {
            check_report(ui, &root, &compiled, outputs, Vec::new())
        } else {
            // What a killed build staged goes, as a full build would remove it.
            emit::remove_abandoned_staging(&root);
            let summary = emit::Summary {
                unchanged: outputs,
                ..Default::default()
            };
            build_report(ui, &root, &compiled, &summary)
        };
    }
    let budget_targets = pipeline::targets(&registry, &job.targets, &mut Diagnostics::default());
    let mut sink = BuildSink {
        dest,
        budget: deny_over_budget.then_some((&budget_targets[..], &budgets)),
        hashes: Vec::new(),
    };
    let mut progress: Option<Progress> = None;
    let mut compiled = pipeline::compile_streaming(
        &job,
        &registry,
        &renderer,
        &mut |done, total| {
            progress
                .get_or_insert_with(|| ui.progress("rendering", total))
                .tick(done)
        },
        &mut sink,
    );
    if let Some(p) = &progress {
        p.finish();
    }
    let (dest, hashes) = (sink.dest, sink.hashes);
    let dest = dest.map_err(|d| compiled.diags.extend(d)).ok();
    let scope = Scope {
        targets: compiled.targets.iter().cloned().collect(),
        agents: explicit.then(|| compiled.agents.iter().cloned().collect()),
    };
    if compiled.failed() {
        ui.diagnostics(&compiled.diags);
        let n = compiled.diags.error_count();
        ui.summary(&format!(
            "error: {n} error{} found; nothing was written",
            plural(n)
        ));
        fail_json(ui, &compiled.diags);
        return Ok(1);
    }
    let writer = match dest {
        None => return Ok(1), // not reached: a manifest that cannot be read is an error above
        Some(Out::Check(checker)) => {
            let outputs = checker.count();
            let drifts = checker.finish(&scope);
            return check_report(ui, &root, &compiled, outputs, drifts);
        }
        Some(Out::Write(w)) => w,
    };
    let summary = match writer.commit(&scope) {
        Ok(s) => s,
        Err(d) => {
            compiled.diags.extend(d);
            ui.diagnostics(&compiled.diags);
            ui.summary("error: nothing was written");
            fail_json(ui, &compiled.diags);
            return Ok(1);
        }
    };
    if let Some(key) = key {
        let record = crate::cache::Record {
            version: crate::cache::VERSION,
            key,
            agents: compiled.agents.clone(),
            targets: compiled.targets.clone(),
            skipped: compiled.skipped,
            diagnostics: crate::cache::record_diags(&compiled.diags),
            outputs: hashes
                .into_iter()
                .map(|(path, h)| (path, crate::cache::hex(h)))
                .collect(),
        };
        crate::cache::save(&root, &record);
    }
    build_report(ui, &root, &compiled, &summary)
}

/// The compile of the last build of `root`, when its record has this key and
/// every output it lists is on disk unchanged; with the number of outputs.
fn cached(root: &Path, key: &str, explicit: bool) -> Option<(Compiled, usize)> {
    let record = crate::cache::read(root).filter(|r| r.key == key)?;
    let manifest = emit::read_manifest(root).ok()?;
    let scope = Scope {
        targets: record.targets.iter().cloned().collect(),
        agents: explicit.then(|| record.agents.iter().cloned().collect()),
    };
    if !crate::cache::outputs_match(root, &record, &manifest, &scope) {
        return None;
    }
    let diags = crate::cache::replay_diags(&record.diagnostics)?;
    let compiled = Compiled {
        agents: record.agents,
        targets: record.targets,
        skipped: record.skipped,
        diags,
        ..Compiled::default()
    };
    Some((compiled, record.outputs.len()))
}

/// What a successful build prints.
fn build_report(
    ui: &Ui,
    root: &Path,
    compiled: &Compiled,
    summary: &emit::Summary,
) -> Result<Exit> {
    ui.diagnostics(&compiled.diags);
    if ui.global.verbose && !ui.json() {
        for p in &summary.written {
            eprintln!("  wrote   {}", root.join(p).display());
        }
        for p in &summary.removed {
            eprintln!("  removed {}", root.join(p).display());
        }
    }
    let warnings = compiled.diags.warning_count();
    let report = crate::report::groups(&compiled.diags);
    let translated: usize = report.iter().map(|g| g.items.len()).sum();
    ui.summary(&format!(
        "built {} agent{} × {} target{} into {}: {} written, {} unchanged, {} removed{}{}{}",
        compiled.agents.len(),
        plural(compiled.agents.len()),
        compiled.targets.len(),
        plural(compiled.targets.len()),
        root.display(),
        summary.written.len(),
        summary.unchanged,
        summary.removed.len(),
        if compiled.skipped > 0 {
            format!(", {} skipped", compiled.skipped)
        } else {
            String::new()
        },
        if warnings > 0 {
            format!(" ({warnings} warning{})", plural(warnings))
        } else {
            String::new()
        },
        if translated > 0 {
            format!(
                "; translation report: {translated} item{} for {} agent × target pair{}",
                plural(translated),
                report.len(),
                plural(report.len())
            )
        } else {
            String::new()
        },
    ));
    if ui.json() {
        out(&format!(
            "{}\n",
            serde_json::json!({
                "ok": true,
                "agents": compiled.agents,
                "targets": compiled.targets,
                "root": root,
                "written": summary.written,
                "unchanged": summary.unchanged,
                "removed": summary.removed,
                "skipped": compiled.skipped,
                "translation": crate::report::to_json(&report),
                "diagnostics": json_diags(&compiled.diags),
            })
        ))?;
    }
    Ok(0)
}

/// Builds, then rebuilds on every change of an input until interrupted.
pub(super) fn watch(ui: &Ui, cwd: &Path, args: &BuildArgs) -> Result<Exit> {
    let project = match Project::discover(cwd) {
        Ok(p) => p,
        Err(d) => {
            ui.diagnostics(&d);
            return Ok(1);
        }
    };
    let (sources, _) = selection(&project, cwd, &args.paths, &args.targets);
    let layout = args.layout.unwrap_or(project.config.layout);
    let out_root = pipeline::output_root(
        &project.root,
        &project.config.out_dir,
        args.out.as_deref(),
        layout,
    );
    let inputs = crate::watch::Inputs {
        dirs: sources
            .iter()
            .filter(|s| s.is_dir())
            .cloned()
            .chain([project.root.join("targets"), project.root.join("templates")])
            .collect(),
        files: sources
            .iter()
            .filter(|s| !s.is_dir())
            .cloned()
            .chain([project.root.join(crate::config::FILE_NAME)])
            .collect(),
        ignore: if out_root == project.root {
            Vec::new()
        } else {
            vec![out_root]
        },
    };
    build(ui, cwd, args, false)?;
    // Say what each rebuild wrote, not only how much.
    let ui = &Ui {
        global: Global {
            verbose: !ui.global.quiet,
            ..ui.global.clone()
        },
        color: ui.color,
        ci: ui.ci,
    };
    let ready = || eprintln!("watching for changes (Ctrl-C to stop)");
    crate::watch::watch(inputs, ready, |changed| {
        let names: Vec<String> = changed
            .iter()
            .map(|p| relative_to(p, cwd).display().to_string())
            .collect();
        eprintln!("changed: {}", names.join(", "));
        if let Err(e) = build(ui, cwd, args, false) {
            eprintln!("error: {e:#}");
        }
    })?;
    Ok(0)
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
    budget: Option<(&'a [&'a crate::target::Target], &'a crate::budget::Budgets)>,
    /// Each output written and the hash of its bytes, for the build's record.
    hashes: Vec<(String, u128)>,
}

impl pipeline::Sink for BuildSink<'_> {
    fn chunk(
        &mut self,
        artifacts: Vec<crate::render::Artifact>,
        sources: &crate::budget::Sources,
        diags: &mut Diagnostics,
        failed: bool,
    ) {
        if let Some((targets, budgets)) = self.budget {
            // Only a denied rule runs in `build`, over the files it renders anyway.
            diags.extend(crate::budget::lint(
                &artifacts,
                targets,
                budgets,
                sources,
                crate::diagnostic::Severity::Error,
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

    fn aggregate(
        &mut self,
        artifact: crate::render::Artifact,
        file: &mut std::fs::File,
        diags: &mut Diagnostics,
    ) {
        if self
            .budget
            .is_some_and(|(_, b)| b.contains_key(&artifact.target))
        {
            return pipeline::aggregate_in_memory(self, artifact, file, diags);
        }
        match &mut self.dest {
            Ok(Out::Check(c)) => c.check_body(&artifact, emit::Body::File(file)),
            Ok(Out::Write(w)) if !diags.has_errors() => {
                w.stage_body(&artifact, emit::Body::File(file));
                self.hashes.push((emit::key(&artifact.path), artifact.hash));
            }
            _ => {}
        }
    }
}

/// What `check` prints: the drifts (diffs), or that every output is up to date.
fn check_report(
    ui: &Ui,
    root: &Path,
    compiled: &Compiled,
    outputs: usize,
    drifts: Vec<emit::Drift>,
) -> Result<Exit> {
    ui.diagnostics(&compiled.diags);
    if ui.json() {
        out(&format!(
            "{}\n",
            serde_json::json!({ "ok": drifts.is_empty(), "drift": drifts, "diagnostics": json_diags(&compiled.diags) })
        ))?;
    } else {
        let mut text = String::new();
        for d in &drifts {
            text.push_str(&d.diff);
        }
        out(&text)?;
    }
    if drifts.is_empty() {
        ui.summary(&format!(
            "{} files up to date in {}",
            outputs,
            root.display()
        ));
        return Ok(0);
    }
    let count = |k| drifts.iter().filter(|d| d.kind == k).count();
    ui.summary(&format!(
        "error: {} of {} outputs out of date in {} ({} stale, {} missing, {} extra); run `agentc build`",
        drifts.len(),
        outputs,
        root.display(),
        count(DriftKind::Stale),
        count(DriftKind::Missing),
        count(DriftKind::Extra)
    ));
    Ok(1)
}
