// The built-in targets and templates are embedded from their folders
// (`include_dir!`), which cargo does not track on its own: rebuild when any
// file in them changes.
fn main() {
    println!("cargo:rerun-if-changed=targets");
    println!("cargo:rerun-if-changed=templates");
}
