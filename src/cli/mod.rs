//! The command line: clap's structs for the arguments, then one small handler
//! per command in `cmd/`, each starting from the [`Workspace`]. Nothing outside
//! this folder prints or reads arguments.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};

use crate::artifact::Layout;
use crate::workspace::Workspace;

mod cmd;
mod ui;

pub use ui::{Exit, Ui};

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
    Bundle(BundleArgs),
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
pub struct BundleArgs {
    /// Spec files or folders (default: the `sources` of agentc.toml, else agents/)
    pub paths: Vec<PathBuf>,
    /// Target to include (repeatable; default: agentc.toml's `targets`, else every target with `default = true`)
    #[arg(short, long = "target", value_name = "TARGET")]
    pub targets: Vec<String>,
    /// The bundle to write: NAME.json, NAME.tar.gz or NAME.zip (default: agentc-bundle.json in the project root)
    #[arg(short, long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Treat translation warnings as errors
    #[arg(long)]
    pub strict: bool,
    /// Replace the file even if it is not a bundle agentc wrote
    #[arg(long)]
    pub force: bool,
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
    /// Write here instead of stdout (an existing file only with --force, unless it holds this output already)
    #[arg(short, long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Treat translation warnings as errors
    #[arg(long)]
    pub strict: bool,
    /// Replace the file given to -o whatever it holds
    #[arg(long, requires = "out")]
    pub force: bool,
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
    #[arg(long, value_enum, default_value_t = crate::support::tokens::GptEncoding::O200kBase)]
    pub encoding: crate::support::tokens::GptEncoding,
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
    /// Files that give one agent name: all fail (`fail`), or each is named
    /// `<folder>-<name>` by the collection folder it comes from (`prefix`), or
    /// by its file stem (`stem`)
    #[arg(long, value_enum, default_value = "fail", value_name = "POLICY")]
    pub on_collision: OnCollision,
}

/// `import --on-collision`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OnCollision {
    Fail,
    Prefix,
    Stem,
}

#[derive(Debug, Args)]
pub struct NewArgs {
    /// The agent's name (lower-case letters, digits, `.`, `_`, `-`)
    pub name: String,
    /// Folder to create it in (default: the first `sources` folder of agentc.toml, else agents/)
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

/// Runs one parsed command line; the exit code, or an error of the edge
/// (stdout closed, the working folder gone).
pub fn run(cli: Cli) -> Result<Exit> {
    let ui = Ui::new(cli.global.clone());
    let cwd = std::env::current_dir().context("cannot read the working directory")?;
    match cli.command {
        Command::Build(args) if args.watch => cmd::build::watch(&ui, &cwd, &args),
        Command::Build(args) => cmd::build::build(&ui, &cwd, &args),
        Command::Check(args) => cmd::check::check(&ui, &cwd, &args),
        Command::Bundle(args) => cmd::bundle::bundle(&ui, &cwd, &args),
        Command::Convert(args) => cmd::convert::convert(&ui, &cwd, &args),
        Command::Import(args) => cmd::import::import(&ui, &cwd, &args),
        Command::Lint(args) => cmd::lint::lint(&ui, &cwd, &args),
        Command::Stats(args) => cmd::stats::stats(&ui, &cwd, &args),
        Command::Targets => cmd::targets::targets(&ui, &cwd),
        Command::Schema(args) => cmd::schema::schema(&ui, &args),
        Command::New(args) => cmd::init::new(&ui, &cwd, &args),
        Command::Init => cmd::init::init(&ui, &cwd),
        Command::Templates(c) => cmd::templates::templates(&ui, &cwd, &c),
        Command::Man => {
            let mut buf = Vec::new();
            clap_mangen::Man::new(Cli::command()).render(&mut buf)?;
            ui::out(&String::from_utf8_lossy(&buf))?;
            Ok(0)
        }
        Command::Completions { shell } => {
            let mut buf = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "agentc", &mut buf);
            ui::out(&String::from_utf8_lossy(&buf))?;
            Ok(0)
        }
    }
}

/// The workspace of `cwd`, or `None` after reporting why it cannot be opened.
fn workspace(ui: &Ui, cwd: &std::path::Path) -> Option<Workspace> {
    ui::reported(ui, Workspace::open(cwd))
}
