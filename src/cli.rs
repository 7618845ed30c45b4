//! The command line: one clap struct per subcommand, one handler each.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};

use crate::config::Project;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::emit::{self, DriftKind, Scope};
use crate::pipeline::{self, Compiled, Job};
use crate::render::{Layout, Renderer};
use crate::target::Registry;

mod build;

const AFTER_HELP: &str = "\
Examples:
  agentc build                      render agents/*.toml for every target into dist/
  agentc build -t claude --layout native
                                    write .claude/agents/<name>.md
  agentc check                      exit 1 with a diff if dist/ is stale
  agentc convert agents/x.toml -t gpt
                                    print one agent for one target";

#[derive(Debug, Parser)]
#[command(name = "agentc", version, about = "Compile AI subagent specs (TOML) into every agent and prompt format", after_help = AFTER_HELP)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    #[command(flatten)]
    pub global: Global,
}

#[derive(Debug, Args, Clone)]
pub struct Global {
    /// Print only errors
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Print every file written or removed
    #[arg(short, long, global = true)]
    pub verbose: bool,
    /// When to use colour (honours NO_COLOR)
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Diagnostics and summaries as text or as one JSON object on stdout
    #[arg(long, global = true, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Render every agent for every selected target and write the files
    #[command(
        after_help = "Examples:\n  agentc build\n  agentc build -t claude -t gpt\n  agentc build --layout native -o ~/project"
    )]
    Build(BuildArgs),
    /// Render in memory and compare with the files on disk; exit 1 and print a diff if any is stale
    #[command(
        after_help = "Examples:\n  agentc check\n  agentc check -t claude --layout native\n  agentc check --bundle agentc-bundle.json"
    )]
    Check(CheckArgs),
    /// Write one reproducible bundle of every agent × target (JSON, .tar.gz or .zip) for CI and apps
    #[command(
        after_help = "Examples:\n  agentc bundle\n  agentc bundle -t gpt -t gemini -o prompts.json\n  agentc bundle -o prompts.tar.gz"
    )]
    Bundle(crate::bundle::command::BundleArgs),
    /// Render one agent file for one target, to stdout or a file
    #[command(
        after_help = "Examples:\n  agentc convert agents/reviewer.toml -t gpt\n  agentc convert agents/reviewer.toml -t llama -o reviewer.txt"
    )]
    Convert(ConvertArgs),
    /// Convert legacy agent files (Claude-style Markdown, XML v2.0) into canonical TOML specs
    #[command(
        after_help = "Examples:\n  agentc import .claude/agents\n  agentc import old/*.md -o agents --force\n  agentc import legacy.md --stdout"
    )]
    Import(ImportArgs),
    /// Check specs against named rules (levels set in agentc.toml's `[lint]`)
    #[command(
        after_help = "Examples:\n  agentc lint\n  agentc lint agents/reviewer.toml --format json\n  agentc lint --list"
    )]
    Lint(LintArgs),
    /// Characters, lines and tokens of every agent × target, with totals and budgets
    #[command(
        after_help = "Examples:\n  agentc stats\n  agentc stats -t gpt --encoding cl100k_base\n  agentc stats --strict --format json\n\nToken counts are exact for gpt (tiktoken); `~` marks estimates (characters / 4).\nBudgets: `[budget.<target>] max_tokens = N, max_chars = N` in agentc.toml."
    )]
    Stats(StatsArgs),
    /// List the targets with their outputs and what they were checked against
    Targets,
    /// Print the JSON Schema of the agent spec
    Schema(SchemaArgs),
    /// Create agents/NAME.toml from a starter spec
    #[command(after_help = "Example:\n  agentc new code-reviewer")]
    New(NewArgs),
    /// Create agentc.toml and an agents/ folder with one example agent
    Init,
    /// Work with the built-in templates
    #[command(subcommand)]
    Templates(TemplatesCommand),
    /// Print the man page (roff) to stdout
    #[command(after_help = "Example:\n  agentc man > /usr/local/share/man/man1/agentc.1")]
    Man,
    /// Print a shell completion script
    #[command(after_help = "Example:\n  agentc completions bash > /etc/bash_completion.d/agentc")]
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, Args, Clone)]
pub struct BuildArgs {
    /// Spec files or folders (default: the `sources` of agentc.toml, else agents/)
    pub paths: Vec<PathBuf>,
    /// Target to render (repeatable; default: agentc.toml's `targets`, else every target with `default = true`)
    #[arg(short, long = "target", value_name = "TARGET")]
    pub targets: Vec<String>,
    /// Output root (default: dist/ for the dist layout, the project root for native)
    #[arg(short, long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// dist: <out>/<target>/<name>.<ext>; native: where each tool reads its files
    #[arg(long, value_enum)]
    pub layout: Option<Layout>,
    /// Treat translation warnings (anything a target cannot express) as errors
    #[arg(long)]
    pub strict: bool,
    /// Overwrite files agentc did not write
    #[arg(long)]
    pub force: bool,
    /// Keep running and rebuild when a spec, target, template or agentc.toml changes (build only)
    #[arg(short, long)]
    pub watch: bool,
}

#[derive(Debug, Args, Clone)]
pub struct CheckArgs {
    #[command(flatten)]
    pub build: BuildArgs,
    /// Check this bundle (agentc-bundle.json, .tar.gz or .zip) against the sources instead
    #[arg(long, value_name = "FILE", conflicts_with_all = ["out", "layout", "force"])]
    pub bundle: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// Print the schema of a prompt bundle (agentc-bundle.json) instead
    #[arg(long)]
    pub bundle: bool,
}

#[derive(Debug, Args)]
pub struct ConvertArgs {
    /// The agent file: a TOML spec, or a legacy Markdown / XML v2.0 file (imported in memory)
    pub file: PathBuf,
    /// The target to render
    #[arg(short, long = "target", value_name = "TARGET")]
    pub target: String,
    /// Write here instead of stdout
    #[arg(short, long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Treat translation warnings as errors
    #[arg(long)]
    pub strict: bool,
}

#[derive(Debug, Subcommand)]
pub enum TemplatesCommand {
    /// Copy built-in templates into the project's templates/ folder to edit them
    #[command(after_help = "Examples:\n  agentc templates eject claude\n  agentc templates eject")]
    Eject {
        /// Only the templates this target uses (default: all)
        target: Option<String>,
        /// Overwrite templates already in templates/
        #[arg(long)]
        force: bool,
    },
    /// List the built-in templates
    List,
}

#[derive(Debug, Args)]
pub struct LintArgs {
    /// Spec files or folders (default: the project's sources)
    pub paths: Vec<PathBuf>,
    /// Targets whose tool maps `unmappable-tool` checks (default: as `build`)
    #[arg(short, long = "target", value_name = "TARGET")]
    pub targets: Vec<String>,
    /// List the rules with their levels and exit
    #[arg(long)]
    pub list: bool,
}

#[derive(Debug, Args)]
pub struct StatsArgs {
    /// Spec files or folders (default: the project's sources)
    pub paths: Vec<PathBuf>,
    /// Target to measure (repeatable; default: as `build`)
    #[arg(short, long = "target", value_name = "TARGET")]
    pub targets: Vec<String>,
    /// The encoding GPT tokens are counted with
    #[arg(long, value_enum, default_value_t = crate::tokens::GptEncoding::O200kBase)]
    pub encoding: crate::tokens::GptEncoding,
    /// Treat files over budget as errors (exit 1)
    #[arg(long)]
    pub strict: bool,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Legacy files, or folders searched recursively for *.md and *.txt
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Folder to write the specs into (default: the first `sources` folder of agentc.toml, else agents/)
    #[arg(short, long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Print the specs instead of writing them
    #[arg(long)]
    pub stdout: bool,
    /// Overwrite existing specs
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct NewArgs {
    /// The agent's name (lower-case letters, digits, `.`, `_`, `-`)
    pub name: String,
    /// Folder to create it in
    #[arg(long, default_value = "agents")]
    pub dir: PathBuf,
}

/// Whether to colour a stream: `--color always|never`, else `NO_COLOR` unset and a terminal.
fn colour(choice: ColorChoice, terminal: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && terminal,
    }
}

/// A one-line progress indicator on stderr (see [`Ui::progress`]).
pub struct Progress {
    label: &'static str,
    total: usize,
    on: bool,
    last: Option<std::time::Instant>,
}

impl Progress {
    /// Shows `done` of the total, at most every 50 ms.
    pub fn tick(&mut self, done: usize) {
        if !self.on || self.last.is_some_and(|t| t.elapsed().as_millis() < 50) {
            return;
        }
        self.last = Some(std::time::Instant::now());
        eprint!("\r\x1b[2K{} {done}/{}", self.label, self.total);
    }

    /// Clears the line, so what follows starts clean.
    pub fn finish(&self) {
        if self.on && self.last.is_some() {
            eprint!("\r\x1b[2K");
        }
    }
}

/// Where a command ended: success, or failure with its exit code.
pub type Exit = i32;

pub struct Ui {
    pub global: Global,
    /// Colour on stderr: `--color`, `NO_COLOR`, and whether stderr is a terminal.
    pub color: bool,
    /// Running in CI (`CI` set, and not `false` or `0`): no progress, no per-file lines.
    pub ci: bool,
}

impl Ui {
    fn new(global: Global) -> Ui {
        let color = colour(global.color, std::io::stderr().is_terminal());
        let ci = std::env::var("CI").is_ok_and(|v| !matches!(v.trim(), "" | "false" | "0"));
        Ui { global, color, ci }
    }

    pub(crate) fn json(&self) -> bool {
        self.global.format == Format::Json
    }

    /// Colour on stdout, by the same rules as on stderr.
    pub fn stdout_color(&self) -> bool {
        colour(self.global.color, std::io::stdout().is_terminal())
    }

    /// Whether to print a line per file: not when quiet, and not in CI unless `-v`.
    pub fn chatty(&self) -> bool {
        !self.global.quiet && (!self.ci || self.global.verbose)
    }

    /// A progress line on stderr for `total` items, drawn only for a person
    /// watching: stderr is a terminal, more than 200 items, not CI, not quiet, not JSON.
    pub fn progress(&self, label: &'static str, total: usize) -> Progress {
        let on = total > 200
            && std::io::stderr().is_terminal()
            && !self.ci
            && !self.global.quiet
            && !self.json();
        Progress {
            label,
            total,
            on,
            last: None,
        }
    }

    /// Prints diagnostics to stderr (human) — JSON output carries them instead.
    /// Translation warnings come last, as one report grouped by agent and target.
    pub fn diagnostics(&self, diags: &Diagnostics) {
        if self.json() {
            return;
        }
        let mut err = std::io::stderr().lock();
        for d in diags.iter() {
            let grouped = !d.is_error() && crate::report::is_translation(d);
            if grouped || (self.global.quiet && !d.is_error()) {
                continue;
            }
            let _ = write!(err, "{}", d.render(self.color));
        }
        if !self.global.quiet {
            let warnings = Diagnostics(diags.iter().filter(|d| !d.is_error()).cloned().collect());
            let _ = write!(
                err,
                "{}",
                crate::report::human(&crate::report::groups(&warnings))
            );
        }
    }

    /// A one-line summary on stderr, unless quiet; a failure's `error:` in red.
    pub fn summary(&self, line: &str) {
        if self.global.quiet || self.json() {
            return;
        }
        match line.strip_prefix("error:") {
            Some(rest) if self.color => eprintln!("\x1b[1;31merror\x1b[0m:{rest}"),
            _ => eprintln!("{line}"),
        }
    }
}

pub fn run(cli: Cli) -> Result<Exit> {
    let ui = Ui::new(cli.global.clone());
    let cwd = std::env::current_dir().context("cannot read the working directory")?;
    match cli.command {
        Command::Build(args) if args.watch => build::watch(&ui, &cwd, &args),
        Command::Build(args) => build::build(&ui, &cwd, &args, false),
        Command::Check(CheckArgs {
            build: args,
            bundle: Some(file),
        }) => {
            crate::bundle::command::check(&ui, &cwd, &args.paths, &args.targets, args.strict, &file)
        }
        Command::Check(args) if args.build.watch => {
            eprintln!("error: `--watch` goes with `build`, not `check`");
            Ok(2)
        }
        Command::Check(args) => build::build(&ui, &cwd, &args.build, true),
        Command::Bundle(args) => crate::bundle::command::bundle(&ui, &cwd, &args),
        Command::Convert(args) => convert(&ui, &cwd, &args),
        Command::Import(args) => import(&ui, &cwd, &args),
        Command::Lint(args) => lint(&ui, &cwd, &args),
        Command::Stats(args) => crate::stats::command::stats(&ui, &cwd, &args),
        Command::Targets => targets(&ui, &cwd),
        Command::Schema(args) => {
            let schema = if args.bundle {
                crate::bundle::json_schema()
            } else {
                crate::spec::json_schema()
            };
            out(&format!("{}\n", serde_json::to_string_pretty(&schema)?))?;
            ui.summary(if args.bundle {
                "printed the JSON Schema of a prompt bundle (agentc-bundle.json)"
            } else {
                "printed the JSON Schema of the agent spec; save it as agentc.schema.json and add `#:schema` to specs"
            });
            Ok(0)
        }
        Command::New(args) => new(&ui, &cwd, &args),
        Command::Init => init(&ui, &cwd),
        Command::Templates(cmd) => templates(&ui, &cwd, &cmd),
        Command::Man => {
            let mut buf = Vec::new();
            clap_mangen::Man::new(Cli::command()).render(&mut buf)?;
            out(&String::from_utf8_lossy(&buf))?;
            Ok(0)
        }
        Command::Completions { shell } => {
            let mut buf = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "agentc", &mut buf);
            out(&String::from_utf8_lossy(&buf))?;
            Ok(0)
        }
    }
}

/// Writes to stdout; a closed pipe is not an error.
pub fn out(text: &str) -> Result<()> {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|_| stdout.flush())
    {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(e).context("cannot write to stdout"),
    }
}

/// Loads the project, its targets and a renderer; on failure prints why.
pub(crate) fn setup(ui: &Ui, cwd: &Path) -> Option<(Project, Registry, Renderer)> {
    let project = reported(ui, Project::discover(cwd))?;
    let registry = reported(ui, Registry::load(Some(&project.root.join("targets"))))?;
    let bad_config = crate::config::check_targets(&project, &registry);
    if bad_config.has_errors() {
        return reported(ui, Err(bad_config));
    }
    let templates = Some(project.root.join("templates")).filter(|p| p.is_dir());
    let renderer = Renderer::new(templates, project.config.target.clone());
    Some((project, registry, renderer))
}

pub(crate) fn fail_json(ui: &Ui, diags: &Diagnostics) {
    if ui.json() {
        let _ = out(&format!(
            "{}\n",
            serde_json::json!({ "ok": false, "diagnostics": json_diags(diags) })
        ));
    }
}

pub(crate) fn json_diags(diags: &Diagnostics) -> Vec<serde_json::Value> {
    diags.iter().map(Diagnostic::to_json).collect()
}

fn convert(ui: &Ui, cwd: &Path, args: &ConvertArgs) -> Result<Exit> {
    let Some((_, registry, renderer)) = setup(ui, cwd) else {
        return Ok(1);
    };
    let job = Job {
        sources: vec![args.file.clone()],
        explicit_sources: true,
        targets: vec![args.target.clone()],
        layout: Layout::Dist,
        strict: args.strict,
        lint: Default::default(),
        lint_min: None,
    };
    let is_toml = args.file.extension().is_some_and(|e| e == "toml");
    let compiled = if is_toml {
        pipeline::compile(&job, &registry, &renderer)
    } else {
        convert_legacy(&job, &registry, &renderer)
    };
    ui.diagnostics(&compiled.diags);
    if compiled.failed() {
        fail_json(ui, &compiled.diags);
        return Ok(1);
    }
    let Some(artifact) = compiled.artifacts.first() else {
        ui.summary(&format!(
            "nothing to write: the agent is skipped for `{}`",
            args.target
        ));
        return Ok(0);
    };
    match &args.out {
        Some(path) => {
            if let Err(d) = emit::atomic_write(path, artifact.content.as_bytes()) {
                ui.diagnostics(&Diagnostics(vec![d]));
                return Ok(1);
            }
            ui.summary(&format!("wrote {}", path.display()));
        }
        None => out(&artifact.content)?,
    }
    Ok(0)
}

pub(crate) fn lint_levels(
    ui: &Ui,
    project: &Project,
) -> Option<std::collections::BTreeMap<&'static str, crate::lint::Level>> {
    reported(
        ui,
        crate::lint::levels(&project.config.lint, project.file.as_deref()),
    )
}

/// The value, or `None` after printing the diagnostics (as text or JSON).
fn reported<T>(ui: &Ui, result: Result<T, Diagnostics>) -> Option<T> {
    match result {
        Ok(v) => Some(v),
        Err(d) => {
            ui.diagnostics(&d);
            fail_json(ui, &d);
            None
        }
    }
}

/// The budgets in force (targets' limits, `[budget.<target>]` over them); on failure prints why.
pub(crate) fn budgets(
    ui: &Ui,
    project: &Project,
    registry: &Registry,
    cwd: &Path,
) -> Option<crate::budget::Budgets> {
    let file = project.file.as_deref().map(|f| relative_to(f, cwd));
    reported(
        ui,
        crate::budget::resolve(&project.config.budget, registry, file.as_deref()),
    )
}

/// What `build` renders: like [`selection`], but without `-t` or `targets` in
/// agentc.toml only the targets on by default (built-in or the project's own).
pub(crate) fn build_selection(
    project: &Project,
    registry: &Registry,
    cwd: &Path,
    paths: &[PathBuf],
    targets: &[String],
) -> (Vec<PathBuf>, Vec<String>) {
    let (sources, mut selected) = selection(project, cwd, paths, targets);
    if targets.is_empty() && project.config.targets.is_none() {
        selected = registry
            .targets
            .values()
            .filter(|t| t.default)
            .map(|t| t.name.clone())
            .collect();
    }
    (sources, selected)
}

/// The sources and targets a command works on: its arguments, else agentc.toml, else the defaults.
/// Whether the specs under `paths` are some of the project's own but not all of
/// them: an aggregate file (Roo's `.roomodes`) built from them would lose the rest.
/// Every spec of the project, or specs from elsewhere, make whole files.
fn names_part_of_the_project(project: &Project, paths: &[PathBuf]) -> bool {
    let mut scratch = Diagnostics::default();
    let mut specs = |paths: &[PathBuf]| -> std::collections::BTreeSet<PathBuf> {
        crate::load::discover(paths, &mut scratch)
            .into_iter()
            .filter_map(|p| p.canonicalize().ok())
            .collect()
    };
    let own: Vec<PathBuf> = project
        .config
        .sources
        .iter()
        .map(|s| project.path(s))
        .collect();
    let (own, named) = (specs(&own), specs(paths));
    !named.is_disjoint(&own) && !own.is_subset(&named)
}

pub(crate) fn selection(
    project: &Project,
    cwd: &Path,
    paths: &[PathBuf],
    targets: &[String],
) -> (Vec<PathBuf>, Vec<String>) {
    let cfg = &project.config;
    let sources = if paths.is_empty() {
        cfg.sources
            .iter()
            .map(|s| relative_to(&project.path(s), cwd))
            .collect()
    } else {
        paths.to_vec()
    };
    let targets = if !targets.is_empty() {
        targets.to_vec()
    } else if let Some(t) = &cfg.targets {
        t.clone()
    } else {
        crate::target::BUILTIN_TARGETS
            .iter()
            .map(|(n, _)| n.to_string())
            .collect()
    };
    (sources, targets)
}

fn lint(ui: &Ui, cwd: &Path, args: &LintArgs) -> Result<Exit> {
    let Some((project, registry, renderer)) = setup(ui, cwd) else {
        return Ok(1);
    };
    let Some(levels) = lint_levels(ui, &project) else {
        return Ok(1);
    };
    let Some(budgets) = budgets(ui, &project, &registry, cwd) else {
        return Ok(1);
    };
    if args.list {
        let mut text = String::new();
        for rule in crate::lint::RULES {
            let level = format!("{:?}", levels[rule.name]).to_lowercase();
            text.push_str(&format!("{:<24} {level:<6} {}\n", rule.name, rule.summary));
        }
        out(&text)?;
        ui.summary(&format!(
            "{} rules; set their levels in agentc.toml's `[lint]`",
            crate::lint::RULES.len()
        ));
        return Ok(0);
    }
    let (sources, target_names) = selection(&project, cwd, &args.paths, &args.targets);
    let mut diags = Diagnostics::default();
    let targets = pipeline::targets(&registry, &target_names, &mut diags);
    let files = crate::load::discover(&sources, &mut diags);
    let loaded = crate::load::load(&files, &mut diags);
    diags.extend(crate::lint::lint(
        &loaded,
        &targets,
        &levels,
        crate::lint::Level::Warn,
    ));
    let level = levels["over-budget"];
    if level != crate::lint::Level::Allow && !diags.has_errors() {
        diags.extend(lint_budgets(
            &project, &registry, &renderer, cwd, args, &loaded, &budgets, level,
        ));
    }
    ui.diagnostics(&diags);
    let (errors, warnings) = (diags.error_count(), diags.warning_count());
    if ui.json() {
        out(&format!(
            "{}\n",
            serde_json::json!({ "ok": errors == 0, "files": loaded.len(), "diagnostics": json_diags(&diags) })
        ))?;
    }
    ui.summary(&format!(
        "linted {} spec{}: {errors} error{}, {warnings} warning{}",
        loaded.len(),
        plural(loaded.len()),
        plural(errors),
        plural(warnings)
    ));
    Ok(if errors > 0 { 1 } else { 0 })
}

/// The `over-budget` rule: renders the specs for the targets `build` would write
/// (or `-t`) and checks each file against its budget.
#[allow(clippy::too_many_arguments)]
fn lint_budgets(
    project: &Project,
    registry: &Registry,
    renderer: &Renderer,
    cwd: &Path,
    args: &LintArgs,
    loaded: &[crate::load::Loaded],
    budgets: &crate::budget::Budgets,
    level: crate::lint::Level,
) -> Diagnostics {
    let (_, names) = build_selection(project, registry, cwd, &args.paths, &args.targets);
    let mut c = Compiled::default();
    let targets = pipeline::targets(registry, &names, &mut c.diags);
    if !targets.iter().any(|t| budgets.contains_key(&t.name)) {
        return Diagnostics::default();
    }
    pipeline::compile_loaded(loaded, &targets, Layout::Dist, renderer, &mut c);
    let severity = if level == crate::lint::Level::Deny {
        crate::diagnostic::Severity::Error
    } else {
        crate::diagnostic::Severity::Warning
    };
    // Rendering problems are `build`'s to report; lint adds only its rule's findings.
    crate::budget::lint(&c.artifacts, &targets, budgets, &c.sources, severity)
}

fn templates(ui: &Ui, cwd: &Path, cmd: &TemplatesCommand) -> Result<Exit> {
    let builtins = crate::render::BUILTIN_TEMPLATES;
    let (target, force) = match cmd {
        TemplatesCommand::List => {
            let names: Vec<&str> = builtins.iter().map(|(n, _)| *n).collect();
            out(&format!("{}\n", names.join("\n")))?;
            ui.summary(&format!(
                "{} built-in templates; `agentc templates eject [TARGET]` copies them into templates/",
                names.len()
            ));
            return Ok(0);
        }
        TemplatesCommand::Eject { target, force } => (target, *force),
    };
    let Some((project, registry, _)) = setup(ui, cwd) else {
        return Ok(1);
    };
    let wanted: Vec<&(&str, &str)> = match target {
        None => builtins.iter().collect(),
        Some(name) => {
            let mut diags = Diagnostics::default();
            let Some(t) =
                pipeline::targets(&registry, std::slice::from_ref(name), &mut diags).pop()
            else {
                ui.diagnostics(&diags);
                return Ok(1);
            };
            // The target's template and the partials every template may import.
            builtins
                .iter()
                .filter(|(n, _)| *n == t.template || n.starts_with('_'))
                .collect()
        }
    };
    let dir = project.root.join("templates");
    let mut written = 0;
    for (name, text) in wanted {
        let path = dir.join(name);
        if path.exists() && !force {
            ui.summary(&format!(
                "kept {} (exists; --force overwrites it)",
                relative_to(&path, cwd).display()
            ));
            continue;
        }
        if let Err(d) = emit::atomic_write(&path, text.as_bytes()) {
            ui.diagnostics(&Diagnostics(vec![d]));
            return Ok(1);
        }
        written += 1;
    }
    ui.summary(&format!(
        "ejected {written} template{} into {}; edit them there: they now override the built-ins",
        plural(written),
        relative_to(&dir, cwd).display()
    ));
    Ok(0)
}

fn targets(ui: &Ui, cwd: &Path) -> Result<Exit> {
    let Some((_, registry, _)) = setup(ui, cwd) else {
        return Ok(1);
    };
    if ui.json() {
        let list: Vec<_> = registry
            .targets
            .values()
            .map(|t| {
                serde_json::json!({
                    "name": t.name, "description": t.description, "path": t.path,
                    "native_path": t.native_path, "checked_against": t.checked_against,
                    "aggregate": t.aggregate.is_some(), "default": t.default,
                    "builtin": t.origin == crate::target::Origin::Builtin,
                })
            })
            .collect();
        out(&format!("{}\n", serde_json::to_string_pretty(&list)?))?;
        return Ok(0);
    }
    let mut text = String::new();
    for t in registry.targets.values() {
        let origin = match &t.origin {
            crate::target::Origin::Builtin => String::new(),
            crate::target::Origin::Project(p) => format!(" (from {})", p.display()),
        };
        text.push_str(&format!(
            "{}{origin}\n  {}\n  native: {}\n  checked against: {}\n",
            t.name,
            t.description,
            crate::render::describe_path(t)
                + if t.aggregate.is_some() {
                    " (one file for all agents)"
                } else {
                    ""
                },
            t.checked_against
        ));
        if !t.default {
            text.push_str(&format!("  built when asked for: `-t {}`\n", t.name));
        }
    }
    out(&text)?;
    let (all, on) = (
        registry.targets.len(),
        registry.targets.values().filter(|t| t.default).count(),
    );
    ui.summary(&if on == all {
        format!("{all} targets, all built by default")
    } else {
        format!(
            "{all} targets: {on} built by default, {} when asked for (`-t NAME`)",
            all - on
        )
    });
    Ok(0)
}

/// `convert` of a legacy file: import it in memory, then render it like a spec.
fn convert_legacy(job: &Job, registry: &Registry, renderer: &Renderer) -> Compiled {
    let mut c = Compiled::default();
    let targets = pipeline::targets(registry, &job.targets, &mut c.diags);
    let path = &job.sources[0];
    let imported = std::fs::read(path)
        .map_err(|e| Diagnostic::error("io", format!("cannot read file: {e}")).at(path))
        .and_then(|bytes| crate::import::import_bytes(path, &bytes));
    match imported {
        Ok(i) => {
            c.diags.0.extend(i.warnings);
            let source = std::sync::Arc::from(std::fs::read_to_string(path).unwrap_or_default());
            let loaded = crate::load::Loaded {
                path: path.clone(),
                source,
                spec: i.spec,
            };
            pipeline::compile_loaded(&[loaded], &targets, job.layout, renderer, &mut c);
        }
        Err(d) => c.diags.push(d),
    }
    if job.strict {
        c.diags.escalate();
    }
    c
}

fn import(ui: &Ui, cwd: &Path, args: &ImportArgs) -> Result<Exit> {
    use crate::import::batch::{self, Status};
    let out_dir = args.out.clone().unwrap_or_else(|| {
        let project = Project::discover(cwd).ok();
        let first = project
            .as_ref()
            .and_then(|p| Some(p.path(p.config.sources.first()?)));
        first.map_or_else(|| PathBuf::from("agents"), |dir| relative_to(&dir, cwd))
    });
    let opts = batch::Options {
        out_dir,
        stdout: args.stdout,
        force: args.force,
    };
    let mut progress: Option<Progress> = None;
    let reports = batch::run_with(&args.paths, &opts, &mut |done, total| {
        progress
            .get_or_insert_with(|| ui.progress("importing", total))
            .tick(done)
    });
    if let Some(p) = &progress {
        p.finish();
    }
    let failed = reports.iter().any(|r| r.status == Status::Failed);
    if args.stdout {
        let docs: Vec<&str> = reports
            .iter()
            .filter_map(|r| r.toml.as_deref().filter(|_| r.status != Status::Failed))
            .collect();
        out(&docs.join("\n"))?;
    }
    if ui.json() {
        let files: Vec<_> = reports.iter().map(|r| r.to_json()).collect();
        let json =
            serde_json::json!({ "ok": !failed, "files": files, "totals": batch::totals(&reports) });
        if args.stdout {
            eprintln!("{json}");
        } else {
            out(&format!("{json}\n"))?;
        }
        return Ok(if failed { 1 } else { 0 });
    }
    for r in &reports {
        if ui.chatty() || r.status == Status::Failed {
            eprintln!("{}", r.line());
        } else if !ui.global.quiet && !r.warnings.is_empty() {
            // In CI the warnings stay, under the file they are about.
            eprintln!("{}", r.line());
        }
        if ui.global.verbose {
            ui.diagnostics(&Diagnostics(r.warnings.clone()));
        } else if !ui.global.quiet {
            for w in &r.warnings {
                eprintln!(
                    "  warning[{}] {}: {}",
                    w.code,
                    w.location().unwrap_or_default(),
                    w.message
                );
            }
        }
    }
    let t = batch::totals(&reports);
    ui.summary(&format!(
        "{} file{}: {} imported, {} unchanged, {} failed, {} warning{}",
        t["files"],
        plural(reports.len()),
        t["imported"],
        t["unchanged"],
        t["failed"],
        t["warnings"],
        plural(t["warnings"].as_u64().unwrap_or(0) as usize)
    ));
    Ok(if failed { 1 } else { 0 })
}

const STARTER: &str = r#"#:schema ../agentc.schema.json
name = "{name}"
description = """
Use this agent when … (say when a coordinator should delegate to it).
"""
# model = "balanced"          # inherit | fast | balanced | powerful | haiku | sonnet | opus | an id
# tools = ["Read", "Grep", "Glob"]

role = """
You are …
"""

triggers = [
  "…",
]

[boundaries]
will = ["… (what it does)"]
will_not = ["… (what it leaves to others)"]
"#;

fn new(ui: &Ui, cwd: &Path, args: &NewArgs) -> Result<Exit> {
    if !crate::spec::is_valid_name(&args.name) {
        let d = Diagnostic::error("invalid-name", format!("invalid agent name `{}`", args.name))
            .help("names are lower-case letters, digits, `.`, `_` and `-`, starting with a letter or digit");
        ui.diagnostics(&Diagnostics(vec![d]));
        return Ok(1);
    }
    let path = cwd.join(&args.dir).join(format!("{}.toml", args.name));
    if !create_new(ui, &path, &STARTER.replace("{name}", &args.name)) {
        return Ok(1);
    }
    ui.summary(&format!(
        "created {}; edit it, then run `agentc build`",
        relative_to(&path, cwd).display()
    ));
    Ok(0)
}

/// Writes a new file; false (reported) when it exists or cannot be written.
fn create_new(ui: &Ui, path: &Path, text: &str) -> bool {
    if path.exists() {
        let d = Diagnostic::error("exists", format!("`{}` already exists", path.display()))
            .help("choose another name, or edit it");
        ui.diagnostics(&Diagnostics(vec![d]));
        return false;
    }
    if let Err(d) = emit::atomic_write(path, text.as_bytes()) {
        ui.diagnostics(&Diagnostics(vec![d]));
        return false;
    }
    true
}

const INIT_CONFIG: &str = r#"# agentc project file: https://github.com/ — see `agentc --help`.
sources = ["agents"]
out_dir = "dist"
# layout = "native"               # write where each tool reads its agents
# targets = ["claude", "gpt"]     # default: every target with `default = true` (not the native tool targets)
# strict = true                   # translation warnings are errors

# Per-target options:
# [target.llama]
# wrap = "modelfile"              # none | llama3 | llama4 | modelfile

# Budgets per target, for `agentc stats` and the lint rule `over-budget`:
# [budget.gpt]
# max_tokens = 4000               # exact for gpt (o200k_base), estimated for the others
# max_chars = 16000
"#;

fn init(ui: &Ui, cwd: &Path) -> Result<Exit> {
    let config = cwd.join(crate::config::FILE_NAME);
    if config.exists() {
        let d = Diagnostic::error("exists", format!("`{}` already exists", config.display()));
        ui.diagnostics(&Diagnostics(vec![d]));
        return Ok(1);
    }
    if !create_new(ui, &config, INIT_CONFIG) {
        return Ok(1);
    }
    let mut created = vec![crate::config::FILE_NAME.to_string()];
    // The schema the specs' `#:schema` line names, for taplo / Even Better TOML.
    let schema = cwd.join("agentc.schema.json");
    if !schema.exists() {
        let text = format!(
            "{}\n",
            serde_json::to_string_pretty(&crate::spec::json_schema())?
        );
        if !create_new(ui, &schema, &text) {
            return Ok(1);
        }
        created.push("agentc.schema.json".to_string());
    }
    let example = cwd.join("agents").join("example.toml");
    if !example.exists() {
        if !create_new(ui, &example, &STARTER.replace("{name}", "example")) {
            return Ok(1);
        }
        created.push(relative_to(&example, cwd).display().to_string());
    }
    ui.summary(&format!(
        "created {}; next: `agentc new NAME` or `agentc build`",
        created.join(", ")
    ));
    Ok(0)
}

/// `path` relative to `cwd` when it lies below it, for shorter messages.
pub(crate) fn relative_to(path: &Path, cwd: &Path) -> PathBuf {
    match path.strip_prefix(cwd) {
        Ok(rel) if rel.as_os_str().is_empty() => PathBuf::from("."),
        Ok(rel) => rel.to_path_buf(),
        Err(_) => path.to_path_buf(),
    }
}

pub(crate) fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
