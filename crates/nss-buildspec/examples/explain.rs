//! Prints `explain()` and the JSON of a project directory (default: the reference fixture).
#![allow(clippy::print_stdout)]

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args().nth(1).unwrap_or_else(|| {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/safe-synthesizer"
        )
        .to_owned()
    });
    let project = nss_buildspec::Project::load(std::path::Path::new(&dir))?;
    let spec = nss_buildspec::resolve(&project, &nss_buildspec::Inputs::default())?;
    print!("{}", spec.explain());
    println!("{}", serde_json::to_string_pretty(&spec.to_json())?);
    Ok(())
}
