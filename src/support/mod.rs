//! What every layer may use and that knows nothing of agents: the file system,
//! YAML, XML text, text normalisation and token counts.

pub mod fs;
pub mod text;
pub mod tokens;
pub mod xmltext;
pub mod yaml;
