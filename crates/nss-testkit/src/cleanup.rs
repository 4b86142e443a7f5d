//! The one clean-up guard: what a test made, removed when the guard drops.

use std::path::PathBuf;
use std::process::Command;

use crate::TestEngine;

/// What a test made, removed when this is dropped, also when the test fails: containers
/// first (`rm -f`), then the rest newest first: images (`rmi -f`), manifest lists
/// (`manifest rm`), directories, and any command registered with [`Cleanup::run`].
/// Removal errors are ignored: the thing may never have been made.
///
/// ```
/// # let engine = nss_testkit::TestEngine {
/// #     kind: nss_testkit::EngineKind::Podman, program: "false".into(), env: Vec::new(),
/// # };
/// let mut cleanup = nss_testkit::Cleanup::new(&engine).image("localhost/a:1");
/// let tag = cleanup.tag("mini"); // localhost/nss-test-mini-podman-...:latest, removed too
/// assert!(tag.starts_with("localhost/nss-test-mini-podman-"));
/// ```
#[derive(Debug)]
pub struct Cleanup {
    engine: TestEngine,
    containers: Vec<String>,
    undo: Vec<Undo>,
}

#[derive(Debug)]
enum Undo {
    Image(String),
    Manifest(String),
    Dir(PathBuf),
    Run(Command),
}

impl Cleanup {
    /// Nothing to remove yet from `engine`.
    pub fn new(engine: &TestEngine) -> Self {
        Self {
            engine: engine.clone(),
            containers: Vec::new(),
            undo: Vec::new(),
        }
    }

    /// Also removes the image `tag`.
    pub fn image(mut self, tag: impl Into<String>) -> Self {
        self.add_image(tag);
        self
    }

    /// Also removes the container `name`.
    pub fn container(mut self, name: impl Into<String>) -> Self {
        self.containers.push(name.into());
        self
    }

    /// Also removes the image `tag` (for a guard already declared).
    pub fn add_image(&mut self, tag: impl Into<String>) {
        self.undo.push(Undo::Image(tag.into()));
    }

    /// A fresh tag `localhost/<unique name>:latest` for `what` on this engine, removed on drop.
    pub fn tag(&mut self, what: &str) -> String {
        let tag = format!("localhost/{}:latest", self.engine.unique(what));
        self.add_image(tag.clone());
        tag
    }

    /// Also removes the manifest list `name` (`manifest rm`).
    pub fn add_manifest(&mut self, name: impl Into<String>) {
        self.undo.push(Undo::Manifest(name.into()));
    }

    /// Also removes the directory `dir` and what it holds.
    pub fn add_dir(&mut self, dir: impl Into<PathBuf>) {
        self.undo.push(Undo::Dir(dir.into()));
    }

    /// Also runs `cmd` (a registry delete, a pull that restores a re-pointed tag).
    pub fn run(&mut self, cmd: Command) {
        self.undo.push(Undo::Run(cmd));
    }
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        for name in &self.containers {
            let _ = self.engine.command().args(["rm", "-f", name]).output();
        }
        for undo in self.undo.iter_mut().rev() {
            let _ = match undo {
                Undo::Image(tag) => self.engine.command().args(["rmi", "-f", tag]).output(),
                Undo::Manifest(name) => self
                    .engine
                    .command()
                    .args(["manifest", "rm", name])
                    .output(),
                Undo::Dir(dir) => {
                    let _ = std::fs::remove_dir_all(dir);
                    continue;
                }
                Undo::Run(cmd) => cmd.output(),
            };
        }
    }
}
