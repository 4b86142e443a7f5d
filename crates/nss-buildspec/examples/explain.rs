//! Prints `explain()` and the JSON of a project directory (default: the
//! reference fixture): `cargo run -p nss-buildspec --example explain -- DIR`.
//! Bad input prints one line on stderr and exits 2.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::path::Path;
use std::process::ExitCode;

use nss_buildspec::{Inputs, Project, resolve};

fn main() -> ExitCode {
    let dir = std::env::args().nth(1).unwrap_or_else(|| {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/safe-synthesizer"
        )
        .to_owned()
    });
    let inputs = Inputs {
        platform: std::env::args().nth(2),
        ..Inputs::from_process_env()
    };
    match Project::load(Path::new(&dir)).and_then(|p| resolve(&p, &inputs)) {
        Ok(spec) => {
            print!("{}", spec.explain());
            println!("{:#}", spec.to_json());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}
