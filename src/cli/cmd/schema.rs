//! `agentc schema [--bundle]`: the JSON Schema of a spec, or of a bundle.

use anyhow::Result;

use crate::cli::SchemaArgs;
use crate::cli::ui::{Exit, Ui, out};

pub fn schema(ui: &Ui, args: &SchemaArgs) -> Result<Exit> {
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
