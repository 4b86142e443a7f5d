//! `nss check` and `nss sync`: the project's Dockerfiles held against its spec and labels,
//! reported (check) or rewritten (sync).

use std::path::Path;

use nss_buildspec::{BuildSpec, Project};
use nss_labels::Labels;

use crate::error::Error;
use crate::plan::{ImageKind, ImageKindExt};
use crate::session::{DockerfileSource, Session};
use crate::write::Rewritten;

/// `nss check`: ARG drift, label-block drift and lint findings, one line each.
pub fn check(session: &Session) -> Result<Vec<String>, Error> {
    let project = session.project()?;
    let spec = session.spec(&project, None)?;
    let mut findings = Vec::new();
    for (kind, path, text) in session.checked_dockerfiles()? {
        let shown = session.display_path(&path);
        let expected = spec.build_args(kind.flavor());
        for d in nss_buildspec::drift(&text, &expected) {
            findings.push(format!(
                "{shown}:{}: ARG {} default is {} but the spec says {:?}",
                d.line,
                d.name,
                d.dockerfile
                    .as_deref()
                    .map_or("unset".to_string(), |v| format!("{v:?}")),
                d.spec
            ));
        }
        for (lk, labels) in block_labels(session, &project, &spec, &text, kind)? {
            for d in nss_labels::label_block_drift(&text, lk, &labels) {
                let line = d.line().map_or(String::new(), |l| format!("{l}:"));
                findings.push(format!("{shown}:{line} labels ({}): {d}", lk.as_str()));
            }
        }
        let lint = nss_lint::lint_named(&text, Path::new(&shown))?;
        for f in lint {
            findings.push(f.display_with(Path::new(&shown)).to_string());
        }
    }
    Ok(findings)
}

/// `nss sync`: rewrites ARG defaults and label blocks of the project's Dockerfiles;
/// returns the files changed. Every file to change must lie inside the project (checked
/// before anything is written); each is replaced atomically ([`crate::write::rewrite`]).
pub fn sync(session: &Session) -> Result<Vec<Rewritten>, Error> {
    let project = session.project()?;
    let spec = session.spec(&project, None)?;
    let mut pending = Vec::new();
    for (kind, path, text) in session.checked_dockerfiles()? {
        if session.dockerfile_choice(kind).1 == DockerfileSource::Bundled {
            // nss's own copy in its cache is shared by every project: never edited.
            if kind == ImageKind::Test {
                continue;
            }
            return Err(Error::usage(
                format!(
                    "{}: the project has no {} of its own",
                    session.project_dir.display(),
                    session.vars.value(kind.file_var()).unwrap_or_default()
                ),
                "run nss init to copy the bundled one into the project, then nss sync",
            ));
        }
        let expected = spec.build_args(kind.flavor());
        let mut new = nss_buildspec::sync_args(&text, &expected);
        for (lk, labels) in block_labels(session, &project, &spec, &new, kind)? {
            new = nss_labels::sync_label_block(&new, lk, &labels)?;
        }
        if new != text {
            crate::write::project_target(&path, &session.project_dir)?;
            pending.push((path, new));
        }
    }
    pending
        .into_iter()
        .map(|(path, new)| crate::write::rewrite(&path, &new, &session.project_dir))
        .collect()
}

/// The labels of each `# nss-labels: <kind>` block the Dockerfile of `kind` carries: the
/// GPU Dockerfile's runtime and dev blocks, the test Dockerfile's test block.
fn block_labels(
    session: &Session,
    project: &Project,
    spec: &BuildSpec,
    text: &str,
    kind: ImageKind,
) -> Result<Vec<(ImageKind, Labels)>, Error> {
    let kinds: &[ImageKind] = match kind {
        ImageKind::Test => &[ImageKind::Test],
        _ => &[ImageKind::Runtime, ImageKind::Dev],
    };
    let mut out = Vec::new();
    for &k in kinds {
        if nss_labels::has_marker(text, k) {
            let image = session.vars.value(k.image_var()).unwrap_or_default();
            out.push((k, session.labels(project, spec, k, &image)?));
        }
    }
    Ok(out)
}
