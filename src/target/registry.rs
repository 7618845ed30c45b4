//! The targets of a run: the built-ins, embedded from the repository's
//! `targets/` folder, then the project's `targets/*.toml` over them.
//!
//! A project file named like a built-in is merged over it (tables merged key by
//! key, other values replaced), so a project can add one tool mapping without
//! copying the rest; a new target can start from a built-in with `extends`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use include_dir::{Dir, include_dir};

use super::{Origin, Target};
use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::spec::Table;

static TARGETS: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/targets");

/// The built-in target files: (name, text), sorted by name; the name is the
/// file's stem (`claude` for `claude.toml`).
pub fn builtin_targets() -> Vec<(&'static str, &'static str)> {
    let mut all: Vec<(&str, &str)> = TARGETS
        .files()
        .filter(|f| f.path().extension().is_some_and(|e| e == "toml"))
        .filter_map(|f| Some((f.path().file_stem()?.to_str()?, f.contents_utf8()?)))
        .collect();
    all.sort();
    all
}

/// All targets known to a run, by name.
#[derive(Debug, Clone, Default)]
pub struct Registry {
    pub targets: BTreeMap<String, Arc<Target>>,
}

/// The built-in targets, read once per process (a watch or a fuzzer opens
/// projects again and again): each file's table, which a project's file of
/// the same name merges over or `extends`, and the target it makes or why not.
struct Builtins {
    tables: BTreeMap<String, Table>,
    targets: BTreeMap<String, Result<Arc<Target>, Diagnostic>>,
    /// The built-in files that are not TOML (none, unless the build is broken).
    unreadable: Diagnostics,
}

fn builtins() -> &'static Builtins {
    static BUILTINS: OnceLock<Builtins> = OnceLock::new();
    BUILTINS.get_or_init(|| {
        let mut b = Builtins {
            tables: BTreeMap::new(),
            targets: BTreeMap::new(),
            unreadable: Diagnostics::default(),
        };
        for (name, text) in builtin_targets() {
            match toml::from_str::<Table>(text) {
                Ok(table) => {
                    let target = make_target(name, &table, Origin::Builtin);
                    b.targets.insert(name.to_string(), target);
                    b.tables.insert(name.to_string(), table);
                }
                Err(e) => b.unreadable.push(Diagnostic::error(
                    Code::BuiltinTarget,
                    format!("built-in target `{name}` is invalid: {}", e.message()),
                )),
            }
        }
        b
    })
}

/// The built-in target `name` as it ships (no project's file over it).
pub fn builtin(name: &str) -> Option<Arc<Target>> {
    builtins().targets.get(name)?.as_ref().ok().cloned()
}

/// The target `table` defines (the built-in or merged table of `name`), or
/// the error that says why it does not make one.
fn make_target(name: &str, table: &Table, origin: Origin) -> Result<Arc<Target>, Diagnostic> {
    match table.clone().try_into::<Target>() {
        Ok(mut t) => {
            t.origin = origin;
            if t.name != name {
                t.name = name.to_string();
            }
            if let Some(problem) = t.problem() {
                let mut d =
                    Diagnostic::error(Code::InvalidTarget, format!("target `{name}`: {problem}"));
                if let Origin::Project(p) = &t.origin {
                    d = d.at(p);
                }
                return Err(d);
            }
            Ok(Arc::new(t))
        }
        Err(e) => {
            let mut d = Diagnostic::error(
                Code::InvalidTarget,
                format!("target `{name}`: {}", e.message()),
            );
            if let Origin::Project(p) = &origin {
                d = point_at_culprit(d.at(p), p, table, e.message());
            }
            Err(d)
        }
    }
}

impl Registry {
    /// The built-ins, then the project's `targets/*.toml` merged over them.
    pub fn load(project_targets: Option<&Path>) -> Result<Registry, Diagnostics> {
        let builtins = builtins();
        let mut diags = builtins.unreadable.clone();
        // The project's targets, each merged over the built-in of its name or
        // the target it `extends`.
        let mut own: BTreeMap<String, (Table, PathBuf)> = BTreeMap::new();
        if let Some(dir) = project_targets.filter(|d| d.is_dir()) {
            let (files, problems) =
                crate::support::fs::files(dir, 1, |p| p.extension().is_some_and(|e| e == "toml"));
            diags.0.extend(problems);
            for path in files {
                read_project_target(&path, &builtins.tables, &mut own, &mut diags);
            }
        }
        // Every target in name order (and its problem in that order).
        let mut made: BTreeMap<String, Result<Arc<Target>, Diagnostic>> = builtins
            .targets
            .iter()
            .filter(|(name, _)| !own.contains_key(*name))
            .map(|(name, t)| (name.clone(), t.clone()))
            .collect();
        for (name, (table, path)) in own {
            let t = make_target(&name, &table, Origin::Project(path));
            made.insert(name, t);
        }
        let mut targets = BTreeMap::new();
        for (name, made) in made {
            match made {
                Ok(t) => {
                    targets.insert(name, t);
                }
                Err(d) => diags.push(d),
            }
        }
        if diags.has_errors() {
            Err(diags)
        } else {
            Ok(Registry { targets })
        }
    }

    pub fn get(&self, name: &str) -> Option<&Arc<Target>> {
        self.targets.get(name)
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.targets.keys().map(String::as_str)
    }
}

fn read_project_target(
    path: &Path,
    builtin: &BTreeMap<String, Table>,
    own: &mut BTreeMap<String, (Table, PathBuf)>,
    diags: &mut Diagnostics,
) {
    // A name is the project's target if it has read one, else the built-in.
    let known = |name: &str| own.get(name).map(|(t, _)| t).or_else(|| builtin.get(name));
    let text = match crate::support::fs::read_text(path) {
        Ok(t) => t,
        Err(d) => {
            diags.push(d);
            return;
        }
    };
    let source: Arc<str> = Arc::from(text.as_str());
    let table = match toml::from_str::<Table>(&text) {
        Ok(t) => t,
        Err(e) => {
            let mut d = Diagnostic::error(Code::InvalidToml, e.message().to_string()).at(path);
            if let Some(span) = e.span() {
                d = d.span(&source, span);
            }
            diags.push(d);
            return;
        }
    };
    let name = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    if !crate::spec::is_valid_name(&name) {
        diags.push(
            Diagnostic::error(
                Code::InvalidName,
                format!("target name `{name}` is not a valid identifier"),
            )
            .at(path),
        );
        return;
    }
    let base = match table.get("extends").and_then(|v| v.as_str()) {
        Some(parent) => match known(parent) {
            Some(t) => Some(t.clone()),
            None => {
                let mut known: Vec<&str> = own.keys().map(String::as_str).collect();
                known.extend(builtin.keys().map(String::as_str));
                known.sort_unstable();
                known.dedup();
                let mut d = Diagnostic::error(
                    Code::UnknownTarget,
                    format!("`extends` names unknown target `{parent}`"),
                )
                .at(path);
                if let Some(s) = crate::diag::did_you_mean(parent, known) {
                    d = d.help(format!("did you mean `{s}`?"));
                }
                diags.push(d);
                return;
            }
        },
        None => known(&name).cloned(),
    };
    let mut merged = base.unwrap_or_default();
    merge(&mut merged, table);
    merged.insert("name".into(), toml::Value::String(name.clone()));
    own.insert(name, (merged, path.to_path_buf()));
}

/// Points a target's type error at the top-level key of its file that causes it:
/// the unknown key named, or the first key without which the definition reads.
fn point_at_culprit(d: Diagnostic, path: &Path, merged: &Table, message: &str) -> Diagnostic {
    let Ok(text) = crate::support::fs::read_text(path) else {
        return d;
    };
    let (doc, _) = toml::de::DeTable::parse_recoverable(&text);
    let unknown = message
        .strip_prefix("unknown field `")
        .and_then(|r| r.split('`').next());
    let culprit = doc.get_ref().iter().find(|(k, _)| {
        let k: &str = k.get_ref();
        if let Some(u) = unknown {
            return k == u;
        }
        let mut without = merged.clone();
        without.remove(k);
        match without.try_into::<Target>() {
            Ok(_) => true,
            Err(e) => e.message() != message && !e.message().starts_with("missing field"),
        }
    });
    match culprit {
        Some((k, v)) => {
            let span = if unknown.is_some() {
                k.span()
            } else {
                v.span()
            };
            d.span(&Arc::from(text.as_str()), span)
        }
        None => d,
    }
}

/// Deep-merges `over` into `base`: tables key by key, anything else replaced.
fn merge(base: &mut Table, over: Table) {
    for (k, v) in over {
        match (base.get_mut(&k), v) {
            (Some(toml::Value::Table(b)), toml::Value::Table(o)) => merge(b, o),
            (_, v) => {
                base.insert(k, v);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every target file in the repository's `targets/` is embedded and loads,
    /// under its file's name, with its template among the built-ins.
    #[test]
    fn builtins_load() {
        let reg = Registry::load(None).expect("built-ins are valid");
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("targets");
        let mut on_disk: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| {
                e.unwrap()
                    .path()
                    .file_stem()
                    .unwrap()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        on_disk.sort();
        let names: Vec<&str> = reg.names().collect();
        assert_eq!(names, on_disk);
        assert!(names.len() >= 14, "{names:?}");
        for t in reg.targets.values() {
            assert!(!t.checked_against.is_empty(), "{}", t.name);
            assert!(
                crate::render::builtin_template(&t.template).is_some(),
                "{}: {}",
                t.name,
                t.template
            );
        }
    }

    /// A project file is a serialized document: a template one is refused.
    #[test]
    fn a_project_file_must_be_a_document() {
        let dir = tempfile::tempdir().unwrap();
        let text = "extends = \"claude\"\n[[project_files]]\npath = \"a.json\"\nnative_path = \"a.json\"\ndocument = \"template\"\nfields = []\n";
        std::fs::write(dir.path().join("mine.toml"), text).unwrap();
        let e = Registry::load(Some(dir.path())).unwrap_err();
        assert!(format!("{e:?}").contains("`project_files` entry"), "{e:?}");
        std::fs::write(
            dir.path().join("mine.toml"),
            text.replace("template", "json"),
        )
        .unwrap();
        let reg = Registry::load(Some(dir.path())).unwrap();
        assert_eq!(reg.get("mine").unwrap().project_files.len(), 1);
    }

    #[test]
    fn merge_is_deep_for_tables_only() {
        let mut base: Table = toml::from_str("a = 1\n[t]\nx = 1\ny = 2").unwrap();
        let over: Table = toml::from_str("a = [1]\n[t]\ny = 3\nz = 4").unwrap();
        merge(&mut base, over);
        let want: Table = toml::from_str("a = [1]\n[t]\nx = 1\ny = 3\nz = 4").unwrap();
        assert_eq!(base, want);
    }
}
