//! The pins of where an image comes from and what it runs: the base images
//! (`CUDA_IMAGE`, `UV_IMAGE`, `PYTHON_IMAGE`), where Python comes from
//! (`PYTHON_SOURCE`), the apt packages a project adds per stage
//! (`SYSTEM_PACKAGES_*`) and the default commands of the dev and CPU test images.
//!
//! Each goes through the one precedence chain of [`crate::resolve`]:
//! `NAME=value` > `NSS_<NAME>` > `[tool.nss]` > derived > default.

use std::fmt;

use crate::env;
use crate::error::Result;
use crate::resolve::{Cx, Key, Raw, value_error};
use crate::source::{Resolved, Source};

/// Repository of the CUDA base image when nothing names one.
pub const DEFAULT_CUDA_IMAGE: &str = "docker.io/nvidia/cuda";
/// Repository of uv's image when nothing names one.
pub const DEFAULT_UV_IMAGE: &str = "ghcr.io/astral-sh/uv";
/// Repository of the CPU test image's Python base when nothing names one.
pub const DEFAULT_PYTHON_IMAGE: &str = "docker.io/library/python";
/// What the dev image runs when neither `CMD` nor `[tool.nss] dev-command` says.
pub const DEFAULT_DEV_COMMAND: &str = "make test";
/// What the CPU test image runs when neither `CMD`, `[tool.nss] test-command` nor a
/// `test-ci` target of the project's Makefile says.
pub const DEFAULT_TEST_COMMAND: &str = "python -m pytest";
/// The test command when the project's Makefile has a `test-ci` target.
pub const MAKE_TEST_CI: &str = "make test-ci";

/// The build-arg names of the base-image pins, in the order `nss spec` prints them
/// (after [`crate::PIN_NAMES`]).
pub const BASE_PIN_NAMES: [&str; 4] = ["CUDA_IMAGE", "UV_IMAGE", "PYTHON_IMAGE", "PYTHON_SOURCE"];

pub(crate) const CUDA_IMAGE: Key = Key {
    arg: "CUDA_IMAGE",
    env: env::NSS_CUDA_IMAGE,
    tool: "cuda-image",
};
pub(crate) const UV_IMAGE: Key = Key {
    arg: "UV_IMAGE",
    env: env::NSS_UV_IMAGE,
    tool: "uv-image",
};
pub(crate) const PYTHON_IMAGE: Key = Key {
    arg: "PYTHON_IMAGE",
    env: env::NSS_PYTHON_IMAGE,
    tool: "python-image",
};
pub(crate) const PYTHON_SOURCE: Key = Key {
    arg: "PYTHON_SOURCE",
    env: env::NSS_PYTHON_SOURCE,
    tool: "python-source",
};
pub(crate) const DEV_COMMAND: Key = Key {
    arg: "DEV_COMMAND",
    env: env::NSS_DEV_COMMAND,
    tool: "dev-command",
};
pub(crate) const TEST_COMMAND: Key = Key {
    arg: "TEST_COMMAND",
    env: env::NSS_TEST_COMMAND,
    tool: "test-command",
};
pub(crate) const SYSTEM_PACKAGES_DEPS: Key = Key {
    arg: "SYSTEM_PACKAGES_DEPS",
    env: env::NSS_SYSTEM_PACKAGES_DEPS,
    tool: "system-packages.deps",
};
pub(crate) const SYSTEM_PACKAGES_RUNTIME: Key = Key {
    arg: "SYSTEM_PACKAGES_RUNTIME",
    env: env::NSS_SYSTEM_PACKAGES_RUNTIME,
    tool: "system-packages.runtime",
};
pub(crate) const SYSTEM_PACKAGES_DEV: Key = Key {
    arg: "SYSTEM_PACKAGES_DEV",
    env: env::NSS_SYSTEM_PACKAGES_DEV,
    tool: "system-packages.dev",
};

/// The stages `[tool.nss] system-packages` may name.
pub const SYSTEM_PACKAGE_STAGES: [&str; 3] = ["deps", "runtime", "dev"];

/// Where the image's Python interpreter comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PythonSource {
    /// `uv python install PYTHON_VERSION` (downloads a managed build; honours
    /// `UV_PYTHON_INSTALL_MIRROR`).
    Uv,
    /// The base image's own `python3` (NGC PyTorch images, air gaps).
    Base,
}

impl PythonSource {
    /// `uv` or `base`.
    pub fn as_str(self) -> &'static str {
        match self {
            PythonSource::Uv => "uv",
            PythonSource::Base => "base",
        }
    }
}

impl fmt::Display for PythonSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// apt packages a project adds to the stages of the CUDA image (the CPU test image
/// installs `runtime` and `dev`), on top of what the Dockerfile installs itself.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SystemPackages {
    /// Added to the deps stage (what source builds of dependencies need).
    pub deps: Resolved<Vec<String>>,
    /// Added to the runtime image.
    pub runtime: Resolved<Vec<String>>,
    /// Added to the dev image (and the CPU test image).
    pub dev: Resolved<Vec<String>>,
}

/// The resolved workflow pins (see the module docs).
pub(crate) struct Workflow {
    pub(crate) cuda_image: Resolved<String>,
    pub(crate) uv_image: Resolved<String>,
    pub(crate) python_image: Resolved<String>,
    pub(crate) python_source: Resolved<PythonSource>,
    pub(crate) dev_command: Resolved<String>,
    pub(crate) test_command: Resolved<String>,
    pub(crate) system_packages: SystemPackages,
}

pub(crate) fn resolve_workflow(cx: &Cx<'_>) -> Result<Workflow> {
    let image = |key: &'static Key, default: &str| {
        cx.chain(
            key,
            |raw, src| repository(key, raw, src),
            || Ok(None),
            || Ok(Resolved::new(default.to_owned(), Source::Default)),
        )
    };
    let cuda_image = image(&CUDA_IMAGE, DEFAULT_CUDA_IMAGE)?;
    let uv_image = image(&UV_IMAGE, DEFAULT_UV_IMAGE)?;
    let python_image = image(&PYTHON_IMAGE, DEFAULT_PYTHON_IMAGE)?;
    let python_source = cx.chain(
        &PYTHON_SOURCE,
        |raw, src| match raw.shown().as_str() {
            "uv" => Ok(PythonSource::Uv),
            "base" => Ok(PythonSource::Base),
            other => Err(value_error(
                &PYTHON_SOURCE,
                other,
                src,
                "is not a Python source".to_owned(),
                "use uv (uv python install) or base (the base image's python3)".to_owned(),
            )),
        },
        || Ok(None),
        || Ok(Resolved::new(PythonSource::Uv, Source::Default)),
    )?;
    let dev_command = cx.chain(
        &DEV_COMMAND,
        |raw, src| command(&DEV_COMMAND, raw, src),
        || Ok(None),
        || {
            Ok(Resolved::new(
                DEFAULT_DEV_COMMAND.to_owned(),
                Source::Default,
            ))
        },
    )?;
    let test_command = cx.chain(
        &TEST_COMMAND,
        |raw, src| command(&TEST_COMMAND, raw, src),
        || {
            Ok(make_target(cx.project.dir(), "test-ci").map(|file| {
                Resolved::new(
                    MAKE_TEST_CI.to_owned(),
                    Source::Derived {
                        rule: format!("{file} has a test-ci target"),
                    },
                )
            }))
        },
        || {
            Ok(Resolved::new(
                DEFAULT_TEST_COMMAND.to_owned(),
                Source::Default,
            ))
        },
    )?;
    let packages = |key: &'static Key| {
        cx.chain(
            key,
            |raw, src| package_list(key, raw, src),
            || Ok(None),
            || Ok(Resolved::new(Vec::new(), Source::Default)),
        )
    };
    let system_packages = SystemPackages {
        deps: packages(&SYSTEM_PACKAGES_DEPS)?,
        runtime: packages(&SYSTEM_PACKAGES_RUNTIME)?,
        dev: packages(&SYSTEM_PACKAGES_DEV)?,
    };
    Ok(Workflow {
        cuda_image,
        uv_image,
        python_image,
        python_source,
        dev_command,
        test_command,
        system_packages,
    })
}

/// An image repository without a tag or digest (`docker.io/nvidia/cuda`,
/// `nvcr.io/nvidia/pytorch`, `mirror.example:5000/cuda`): the Dockerfile appends the tag.
fn repository(key: &Key, raw: Raw, src: &Source) -> Result<String> {
    let value = raw.shown();
    let last = value.rsplit('/').next().unwrap_or_default();
    let problem = if value
        .chars()
        .any(|c| c.is_whitespace() || c.is_ascii_uppercase())
    {
        Some("contains whitespace or upper-case letters")
    } else if value.contains('@') || last.contains(':') {
        Some("carries a tag or digest")
    } else if value.starts_with(['/', '-', '.']) || value.ends_with('/') || value.contains("//") {
        Some("is not an image repository")
    } else {
        None
    };
    match problem {
        Some(p) => Err(value_error(
            key,
            &value,
            src,
            p.to_owned(),
            "give the repository only, e.g. docker.io/nvidia/cuda (the Dockerfile adds the tag)"
                .to_owned(),
        )),
        None => Ok(value),
    }
}

/// A command line (split into words by the caller): one line, not empty.
fn command(key: &Key, raw: Raw, src: &Source) -> Result<String> {
    let value = raw.shown();
    if value.contains(['\n', '\r']) {
        return Err(value_error(
            key,
            &value,
            src,
            "spans several lines".to_owned(),
            "give one command line, e.g. \"make test-ci\"".to_owned(),
        ));
    }
    Ok(value)
}

/// Debian package names (policy 5.6.1: lower-case letters, digits, `+ - .`, starting
/// alphanumeric, two characters at least), each optionally `=VERSION`.
fn package_list(key: &Key, raw: Raw, src: &Source) -> Result<Vec<String>> {
    let items: Vec<String> = match raw {
        Raw::List(l) => l,
        Raw::Str(s) => s
            .split([' ', ','])
            .filter(|w| !w.is_empty())
            .map(str::to_owned)
            .collect(),
    };
    for item in &items {
        let (name, version) = match item.split_once('=') {
            Some((n, v)) => (n, Some(v)),
            None => (item.as_str(), None),
        };
        let name_ok = name.len() >= 2
            && name.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "+-.".contains(c));
        let version_ok = version.is_none_or(|v| {
            !v.is_empty()
                && v.chars()
                    .all(|c| c.is_ascii_alphanumeric() || ".+~:-".contains(c))
        });
        if !name_ok || !version_ok {
            return Err(value_error(
                key,
                &items.join(" "),
                src,
                format!("has {item:?}, which is not a Debian package name"),
                "list package names such as libpq5 or gcc=4:12.2.0-3".to_owned(),
            ));
        }
    }
    Ok(items)
}

/// The project's makefile (`GNUmakefile`, `makefile`, `Makefile`: make's order) when it
/// has a rule for `target` (`target:` or `a target b:` at the start of a line, not a
/// variable assignment such as `target := x`).
fn make_target(dir: &std::path::Path, target: &str) -> Option<&'static str> {
    ["GNUmakefile", "makefile", "Makefile"]
        .into_iter()
        .find_map(|name| {
            let text = std::fs::read_to_string(dir.join(name)).ok()?;
            text.lines()
                .any(|line| has_rule(line, target))
                .then_some(name)
        })
}

fn has_rule(line: &str, target: &str) -> bool {
    if line.starts_with(['\t', ' ', '#']) {
        return false;
    }
    let Some((targets, rest)) = line.split_once(':') else {
        return false;
    };
    if rest.starts_with('=') || targets.contains('=') {
        return false;
    }
    targets.split_whitespace().any(|t| t == target)
}

#[cfg(test)]
mod tests {
    use super::has_rule;

    #[test]
    fn finds_make_rules() {
        for (line, want) in [
            ("test-ci:", true),
            ("test-ci: ## Run CI unit tests", true),
            ("test test-ci: deps", true),
            ("test-ci:: more", true),
            (".PHONY: test-ci", false),
            ("test-ci := x", false),
            ("\ttest-ci: inside a recipe", false),
            ("# test-ci:", false),
            ("test-ci-slow:", false),
        ] {
            assert_eq!(has_rule(line, "test-ci"), want, "{line:?}");
        }
    }
}
