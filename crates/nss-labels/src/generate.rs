//! Label generation: pyproject, git, environment, build spec and run options in,
//! validated [`Labels`] out.

use std::collections::{BTreeMap, HashSet};

use nss_buildspec::BuildSpec;

use crate::metadata::{DOCUMENTATION_URL_KEYS, HOMEPAGE_URL_KEYS, SOURCE_URL_KEYS};
use crate::{
    Error, GitFacts, ImageKind, Label, Labels, License, Metadata, Origin, ProjectVersion, env,
    keys, validate_label,
};

/// Everything [`generate`] reads. Nothing else (no clock, no process environment).
#[derive(Debug, Clone, Copy)]
pub struct LabelInputs<'a> {
    /// Which image the labels describe.
    pub kind: ImageKind,
    /// The resolved build spec (base image names).
    pub spec: &'a BuildSpec,
    /// `pyproject.toml` metadata and `[tool.nss.labels]` overrides.
    pub metadata: &'a Metadata,
    /// Facts from the git checkout ([`GitFacts::read`], or built by hand in tests).
    pub git: &'a GitFacts,
    /// The environment (only [`env::SOURCE_DATE_EPOCH`] is read).
    pub env: &'a BTreeMap<String, String>,
    /// The `org.opencontainers.image.usage` text: how to run the image (the CLI renders
    /// it from its own run plan, so the label shows the command nss runs).
    pub usage: &'a str,
}

/// The fully qualified base image of `kind`:
/// runtime and dev: [`BuildSpec::cuda_base_image`] (`docker.io/nvidia/cuda:12.8.1-runtime-ubuntu22.04`);
/// test: `<PYTHON_IMAGE>:<X.Y.Z>-slim` (`docker.io/library/python:3.11.14-slim`) at the spec's full Python version,
/// the tag `Dockerfile.test_ci` pins.
pub fn base_image(kind: ImageKind, spec: &BuildSpec) -> String {
    match kind {
        ImageKind::Runtime | ImageKind::Dev => spec.cuda_base_image(),
        ImageKind::Test => format!(
            "{}:{}-slim",
            spec.python_image.value, spec.python_version.value
        ),
    }
}

/// Generates the labels of one image. Same inputs, same labels, byte for byte:
/// `created` is `SOURCE_DATE_EPOCH` or the HEAD commit time, never the clock.
///
/// Labels that cannot be derived are left out and explained in
/// [`Labels::notes`]; values that are present but invalid are an error naming
/// the label and where it came from.
pub fn generate(inputs: &LabelInputs<'_>) -> Result<Labels, Error> {
    let LabelInputs {
        kind,
        spec,
        metadata: meta,
        git,
        env,
        usage,
    } = *inputs;
    let path = &meta.path;
    let pyproject = |field: &str| Origin::PyProject {
        path: path.clone(),
        field: field.to_string(),
    };
    let common_override = |key: &str| {
        meta.overrides.common.get(key).map(|v| {
            let short = key.strip_prefix(keys::OCI_PREFIX).unwrap_or(key);
            (
                v.clone(),
                Origin::Override {
                    path: path.clone(),
                    key: format!("[tool.nss.labels] {short}"),
                },
            )
        })
    };
    let mut out: BTreeMap<String, Label> = BTreeMap::new();
    let mut notes = Vec::new();
    let mut put = |key: &str, value: String, origin: Origin| {
        out.insert(
            key.to_string(),
            Label {
                key: key.to_string(),
                value,
                origin,
            },
        );
    };

    // Title and description: a common override replaces the project's value, and
    // the per-image wording is applied on top of either.
    let (title, title_origin) = common_override(keys::TITLE)
        .unwrap_or_else(|| (meta.name.clone(), pyproject("[project] name")));
    let title = match kind {
        ImageKind::Runtime => title,
        ImageKind::Dev => format!("{title} (dev)"),
        ImageKind::Test => format!("{title} (test)"),
    };
    put(keys::TITLE, title, title_origin);
    let (description, description_origin) = match common_override(keys::DESCRIPTION) {
        Some(d) => d,
        None => match &meta.description {
            Some(d) => (d.clone(), pyproject("[project] description")),
            None => {
                notes.push(format!(
                    "{}: [project] description is not set; the description label uses the project name",
                    path.display()
                ));
                (meta.name.clone(), pyproject("[project] name"))
            }
        },
    };
    let description = match kind {
        ImageKind::Runtime => description,
        ImageKind::Dev => {
            format!(
                "{description} (development image: the runtime image plus git, make and the dev dependency group)"
            )
        }
        ImageKind::Test => format!("{description} (CPU-only test image)"),
    };
    put(keys::DESCRIPTION, description, description_origin);

    // version
    match &meta.version {
        ProjectVersion::Static { version } => put(keys::VERSION, version.clone(), pyproject("[project] version")),
        ProjectVersion::Dynamic { fallback } => match (&git.tag, &git.commit) {
            (Some(tag), _) if tag.distance == 0 => put(
                keys::VERSION,
                strip_v(&tag.name).to_string(),
                Origin::Git { what: format!("tag {} at HEAD", tag.name) },
            ),
            (Some(tag), Some(commit)) => put(
                keys::VERSION,
                format!("{}.post{}.dev0+{}", strip_v(&tag.name), tag.distance, &commit[..commit.len().min(7)]),
                Origin::Git {
                    what: format!(
                        "{} commits after tag {} (uv-dynamic-versioning pep440 style)",
                        tag.distance, tag.name
                    ),
                },
            ),
            _ => match fallback {
                Some(f) => {
                    notes.push(format!(
                        "version is dynamic and no git tag reaches HEAD; using [tool.uv-dynamic-versioning] fallback-version {f}"
                    ));
                    put(keys::VERSION, f.clone(), pyproject("[tool.uv-dynamic-versioning] fallback-version"));
                }
                None => notes.push(
                    "version is dynamic and no git tag reaches HEAD (and no [tool.uv-dynamic-versioning] fallback-version); version label omitted"
                        .to_string(),
                ),
            },
        },
        ProjectVersion::Missing => {
            notes.push("[project] has neither version nor dynamic = [\"version\"]; version label omitted".into())
        }
    }

    // revision and created
    match &git.commit {
        Some(commit) => put(
            keys::REVISION,
            commit.clone(),
            Origin::Git {
                what: "HEAD commit".into(),
            },
        ),
        None => notes.push("not a git checkout (or no commits); revision label omitted".into()),
    }
    if git.dirty {
        notes.push(
            "the working tree has uncommitted changes; revision names HEAD, not the files built"
                .into(),
        );
    }
    if let Some(raw) = env
        .get(env::SOURCE_DATE_EPOCH)
        .filter(|v| !v.trim().is_empty())
    {
        let secs: i64 =
            raw.trim()
                .parse()
                .map_err(|e: std::num::ParseIntError| Error::SourceDateEpoch {
                    value: raw.clone(),
                    problem: e.to_string(),
                })?;
        let ts = jiff::Timestamp::from_second(secs).map_err(|e| Error::SourceDateEpoch {
            value: raw.clone(),
            problem: e.to_string(),
        })?;
        put(
            keys::CREATED,
            ts.to_string(),
            Origin::Env {
                var: env::SOURCE_DATE_EPOCH.into(),
            },
        );
    } else if let Some(ts) = git.commit_time {
        put(
            keys::CREATED,
            ts.to_string(),
            Origin::Git {
                what: "HEAD commit time".into(),
            },
        );
    } else {
        notes.push(
            "neither SOURCE_DATE_EPOCH nor a git commit time is available; created label omitted (a wall-clock time would break reproducible builds)"
                .into(),
        );
    }

    // authors and vendor
    let (people, field) = if meta.authors.is_empty() {
        (&meta.maintainers, "[project] maintainers")
    } else {
        (&meta.authors, "[project] authors")
    };
    let shown: Vec<String> = people.iter().filter_map(|p| p.display()).collect();
    if !shown.is_empty() {
        put(keys::AUTHORS, shown.join(", "), pyproject(field));
    }
    match people.iter().find_map(|p| p.name.clone()) {
        Some(name) => put(
            keys::VENDOR,
            name,
            pyproject(&format!("{field} (first name)")),
        ),
        None => {
            if !meta.overrides.common.contains_key(keys::VENDOR) {
                notes.push("no author or maintainer name for the vendor label; set [tool.nss.labels] vendor".into());
            }
        }
    }

    // licenses
    match &meta.license {
        Some(License::Expression { expression }) => put(
            keys::LICENSES,
            expression.clone(),
            pyproject("[project] license"),
        ),
        Some(License::Text { text }) => put(
            keys::LICENSES,
            text.trim().to_string(),
            pyproject("[project] license.text"),
        ),
        Some(License::File { file }) if !meta.overrides.common.contains_key(keys::LICENSES) => {
            notes.push(format!(
                "[project] license names a file ({file}), not an SPDX expression; licenses label omitted, set [tool.nss.labels] licenses"
            ));
        }
        Some(License::File { .. }) => {}
        None => {}
    }

    // URLs
    let source = match meta.url(&SOURCE_URL_KEYS) {
        Some((k, v)) => Some((v.to_string(), pyproject(&format!("[project.urls] {k}")))),
        None => git.remote_url.clone().map(|u| {
            (
                u,
                Origin::Git {
                    what: "origin remote (https, credentials stripped)".into(),
                },
            )
        }),
    };
    if let Some((k, v)) = meta.url(&HOMEPAGE_URL_KEYS) {
        put(
            keys::URL,
            v.to_string(),
            pyproject(&format!("[project.urls] {k}")),
        );
    } else if let Some((v, o)) = &source {
        put(keys::URL, v.clone(), o.clone());
    }
    if let Some((v, o)) = source {
        put(keys::SOURCE, v, o);
    }
    if let Some((k, v)) = meta.url(&DOCUMENTATION_URL_KEYS) {
        put(
            keys::DOCUMENTATION,
            v.to_string(),
            pyproject(&format!("[project.urls] {k}")),
        );
    }

    // base image and usage
    let base_detail = match kind {
        ImageKind::Test => "python slim image at PYTHON_VERSION",
        _ => "nvidia/cuda runtime image at CUDA_VERSION and UBUNTU_VERSION",
    };
    put(
        keys::BASE_NAME,
        base_image(kind, spec),
        Origin::Spec {
            detail: base_detail.into(),
        },
    );
    put(keys::USAGE, usage.to_string(), Origin::Caller);

    // overrides: common ones (title and description were used above), then this image's
    let handled: HashSet<&str> = [keys::TITLE, keys::DESCRIPTION].into();
    for key in meta.overrides.common.keys() {
        if !handled.contains(key.as_str()) {
            let (value, origin) = common_override(key).expect("key from the map");
            put(key, value, origin);
        }
    }
    if let Some(map) = meta.overrides.per_kind.get(&kind) {
        for (key, value) in map {
            let short = key.strip_prefix(keys::OCI_PREFIX).unwrap_or(key);
            put(
                key,
                value.clone(),
                Origin::Override {
                    path: path.clone(),
                    key: format!("[tool.nss.labels.{kind}] {short}"),
                },
            );
        }
    }
    // an empty override removes the label
    out.retain(|_, l| !(l.value.is_empty() && matches!(l.origin, Origin::Override { .. })));

    for label in out.values() {
        validate_label(&label.key, &label.value, &label.origin)?;
    }
    Ok(Labels::from_parts(kind, out.into_values().collect(), notes))
}

fn strip_v(tag: &str) -> &str {
    tag.strip_prefix(['v', 'V'])
        .filter(|rest| rest.starts_with(|c: char| c.is_ascii_digit()))
        .unwrap_or(tag)
}
