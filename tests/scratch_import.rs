use std::path::Path;
#[test]
fn scratch() {
    for f in std::fs::read_dir("../shared/seeds").unwrap() {
        let p = f.unwrap().path();
        let text = std::fs::read_to_string(&p).unwrap();
        let imp = agentc::import::import(&p, &text).unwrap();
        for w in &imp.warnings { eprint!("{}", w.render(false)); }
        let t = agentc::import::write::to_toml(&imp.spec, &p.display().to_string());
        match t { Ok(t) => println!("==== {}\n{}", p.display(), t), Err(e) => println!("ERR {e}") }
    }
    let _ = Path::new("");
}
