//! The minijinja filters and tests that agentc adds for templates, target
//! `fields` and target `checks`: building maps (`to_map`, `merge`) and regular
//! expressions (`matching`). (The XML escaping filters live in `render`.) Pure functions of their arguments.

use minijinja::{Environment, Value};

/// Adds agentc's filters and tests to `env`.
pub fn add(env: &mut Environment<'static>) {
    // `tools | to_map("allow")`: a map from each item to one value.
    env.add_filter("to_map", |keys: Vec<String>, value: Value| {
        Value::from_pairs(keys.into_iter().map(|k| (k, value.clone())))
    });
    // `a | merge(b)`: the keys of `a`, then those of `b` (which win).
    env.add_filter(
        "merge",
        |a: Value, b: Value| -> Result<Value, minijinja::Error> {
            let mut pairs: Vec<(Value, Value)> = Vec::new();
            for map in [a, b] {
                for key in map.try_iter()? {
                    let value = map.get_item(&key)?;
                    pairs.retain(|(k, _)| *k != key);
                    pairs.push((key, value));
                }
            }
            Ok(Value::from_pairs(pairs))
        },
    );
    // `name is matching("^[a-z]+$")`: a regular expression search.
    env.add_test(
        "matching",
        |s: String, pattern: String| -> Result<bool, minijinja::Error> {
            let re = regex::Regex::new(&pattern).map_err(|e| {
                minijinja::Error::new(
                    minijinja::ErrorKind::InvalidOperation,
                    format!("invalid regular expression: {e}"),
                )
            })?;
            Ok(re.is_match(&s))
        },
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eval(expr: &str) -> Result<Value, minijinja::Error> {
        let mut env = Environment::new();
        add(&mut env);
        env.compile_expression(expr)?
            .eval(minijinja::context! { tools => vec!["read", "grep"] })
    }

    #[test]
    fn builds_ordered_maps() {
        let cases = [
            (
                "tools | to_map('allow')",
                "{'read': 'allow', 'grep': 'allow'}",
            ),
            (
                "{'*': 'deny'} | merge(tools | to_map('allow'))",
                "{'*': 'deny', 'read': 'allow', 'grep': 'allow'}",
            ),
            ("{'a': 1, 'b': 2} | merge({'a': 3})", "{'b': 2, 'a': 3}"),
            ("[] | to_map(1)", "{}"),
        ];
        for (expr, want) in cases {
            assert_eq!(
                eval(expr).map(|v| v.to_string()).ok().as_deref(),
                Some(want),
                "{expr}"
            );
        }
    }

    #[test]
    fn matching_is_a_regex_search() {
        let cases = [
            ("'a-b' is matching('^[a-z0-9-_]+$')", true),
            ("'a.b' is matching('^[a-z0-9-_]+$')", false),
            ("'x_' is matching('[-_]$')", true),
        ];
        for (expr, want) in cases {
            assert_eq!(eval(expr).map(|v| v.is_true()).ok(), Some(want), "{expr}");
        }
        assert!(
            eval("'a' is matching('(')").is_err(),
            "a bad pattern is an error"
        );
    }
}
