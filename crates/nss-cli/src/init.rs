//! `nss init`: give a project its own copy of the generic Dockerfiles and a `[tool.nss]`
//! table to fill in, so that it owns (and can edit) what nss otherwise brings along.

use std::path::{Path, PathBuf};

use crate::assets::DOCKERFILES;
use crate::error::Error;

/// The `[tool.nss]` table `nss init` appends: every key it accepts, commented out, so the
/// resolved spec does not change until one is set.
pub(crate) fn tool_nss_skeleton() -> String {
    let mut s = String::from(
        "\n[tool.nss]\n# Every key is optional; `nss spec --explain` shows what each resolves to and why.\n",
    );
    for key in nss_buildspec::TOOL_NSS_KEYS {
        let example = match *key {
            "cuda-version" => "\"12.8\"",
            "ubuntu-version" => "\"22.04\"",
            "cuda-image-type" => "\"runtime\"",
            "python-version" => "\"3.11\"",
            "uv-version" => "\"0.9.14\"",
            "cuda-arch-flags" => "\"80;86;90;90a\"",
            "gpu-extras" | "cpu-extras" => "[]",
            "app" => "\"my-app\"",
            "secrets" => "[\"HF_TOKEN\"]",
            "cuda-image" => "\"docker.io/nvidia/cuda\"",
            "uv-image" => "\"ghcr.io/astral-sh/uv\"",
            "python-image" => "\"docker.io/library/python\"",
            "python-source" => "\"uv\"",
            "dev-command" => "\"make test\"",
            "test-command" => "\"make test-ci\"",
            "system-packages" => "{ runtime = [], deps = [], dev = [] }",
            _ => continue,
        };
        s.push_str(&format!("# {key} = {example}\n"));
    }
    s
}

/// Writes `containers/Dockerfile.cuda`, `containers/Dockerfile.test_ci` and, when the
/// project has no `[tool.nss]` table yet, a commented skeleton of one into `project_dir`.
/// Refuses, writing nothing, when either Dockerfile exists. Returns the files written.
pub fn init(project_dir: &Path) -> Result<Vec<PathBuf>, Error> {
    let pyproject = project_dir.join("pyproject.toml");
    let text = std::fs::read_to_string(&pyproject).map_err(|e| {
        Error::usage(
            format!("{}: cannot read ({e})", pyproject.display()),
            "run nss init in a uv project (or pass --project DIR)",
        )
    })?;
    let doc: toml_edit::DocumentMut = text.parse().map_err(|e| {
        Error::usage(
            format!("{}: not valid TOML ({e})", pyproject.display()),
            "fix it before nss init",
        )
    })?;
    // A project's own [tool.nss] is kept as it is.
    let has_table = doc.get("tool").and_then(|t| t.get("nss")).is_some();
    for (rel, _) in DOCKERFILES.files {
        let path = project_dir.join(rel);
        if path.exists() {
            return Err(Error::usage(
                format!("{}: already exists", path.display()),
                "nss init overwrites nothing (remove it to get the generic one)",
            ));
        }
    }
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| Error::Io {
            path,
            action: "write",
            source,
        }
    };
    let mut written = Vec::new();
    for (rel, contents) in DOCKERFILES.files {
        let path = project_dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(io(parent))?;
        }
        // create_new: a file that appeared meanwhile is not overwritten.
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(io(&path))?;
        std::io::Write::write_all(&mut f, contents.as_bytes()).map_err(io(&path))?;
        written.push(path);
    }
    if !has_table {
        let mut new = text;
        if !new.ends_with('\n') {
            new.push('\n');
        }
        new.push_str(&tool_nss_skeleton());
        std::fs::write(&pyproject, new).map_err(io(&pyproject))?;
        written.push(pyproject);
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PYPROJECT: &str =
        "[project]\nname = \"demo\"\nversion = \"0.1.0\"\nrequires-python = \">=3.11\"\n";

    #[test]
    fn writes_the_dockerfiles_and_a_commented_table_once() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(tmp.path().join("pyproject.toml"), PYPROJECT).unwrap();
        let written = init(tmp.path()).unwrap();
        assert_eq!(written.len(), 3, "{written:?}");
        let cuda = std::fs::read_to_string(tmp.path().join("containers/Dockerfile.cuda")).unwrap();
        assert_eq!(cuda, DOCKERFILES.files[0].1);
        let py = std::fs::read_to_string(tmp.path().join("pyproject.toml")).unwrap();
        assert!(py.starts_with(PYPROJECT), "{py}");
        assert!(
            py.contains("\n[tool.nss]\n") && py.contains("\n# cuda-version = \"12.8\"\n"),
            "{py}"
        );
        let doc: toml_edit::DocumentMut = py.parse().unwrap();
        assert!(doc["tool"]["nss"].as_table().is_some_and(|t| t.is_empty()));

        // A second run refuses and changes nothing.
        let err = init(tmp.path()).unwrap_err().to_string();
        assert!(err.contains("Dockerfile.cuda: already exists"), "{err}");
        assert_eq!(
            std::fs::read_to_string(tmp.path().join("pyproject.toml")).unwrap(),
            py
        );
    }

    #[test]
    fn a_projects_own_table_is_kept() {
        let tmp = tempfile::tempdir().unwrap();
        let own = format!("{PYPROJECT}\n[tool.nss]\napp = \"demo\"\n");
        std::fs::write(tmp.path().join("pyproject.toml"), &own).unwrap();
        assert_eq!(init(tmp.path()).unwrap().len(), 2);
        assert_eq!(
            std::fs::read_to_string(tmp.path().join("pyproject.toml")).unwrap(),
            own
        );
    }

    #[test]
    fn an_existing_dockerfile_is_not_overwritten() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(tmp.path().join("pyproject.toml"), PYPROJECT).unwrap();
        std::fs::create_dir(tmp.path().join("containers")).unwrap();
        std::fs::write(
            tmp.path().join("containers/Dockerfile.test_ci"),
            "FROM mine\n",
        )
        .unwrap();
        let err = init(tmp.path()).unwrap_err().to_string();
        assert!(err.contains("Dockerfile.test_ci: already exists"), "{err}");
        assert!(!tmp.path().join("containers/Dockerfile.cuda").exists());
        assert_eq!(
            std::fs::read_to_string(tmp.path().join("pyproject.toml")).unwrap(),
            PYPROJECT
        );
    }
}
