//! Resolving the workflow pins ([`crate::workflow`]) through the precedence chain.

use super::{Cx, Key, Raw, value_error};
use crate::env;
use crate::error::Result;
use crate::source::{Resolved, Source};
use crate::workflow::{
    DEFAULT_CUDA_IMAGE, DEFAULT_DEV_COMMAND, DEFAULT_PYTHON_IMAGE, DEFAULT_TEST_COMMAND,
    DEFAULT_UV_IMAGE, MAKE_TEST_CI, PythonSource, SystemPackages,
};

pin_keys! {
    pub(crate) CUDA_IMAGE = "cuda-image", env::NSS_CUDA_IMAGE;
    pub(crate) UV_IMAGE = "uv-image", env::NSS_UV_IMAGE;
    pub(crate) PYTHON_IMAGE = "python-image", env::NSS_PYTHON_IMAGE;
    pub(crate) PYTHON_SOURCE = "python-source", env::NSS_PYTHON_SOURCE;
    pub(crate) DEV_COMMAND = "dev-command", env::NSS_DEV_COMMAND;
    pub(crate) TEST_COMMAND = "test-command", env::NSS_TEST_COMMAND;
    pub(crate) SYSTEM_PACKAGES_DEPS = "system-packages.deps", env::NSS_SYSTEM_PACKAGES_DEPS;
    pub(crate) SYSTEM_PACKAGES_RUNTIME = "system-packages.runtime", env::NSS_SYSTEM_PACKAGES_RUNTIME;
    pub(crate) SYSTEM_PACKAGES_DEV = "system-packages.dev", env::NSS_SYSTEM_PACKAGES_DEV;
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
