//! `nss sbom` and `nss size`: read a built image through the engine (`save`, `inspect`,
//! `history`; nothing runs inside the image) and report on it with nss-inspect.

use std::path::{Path, PathBuf};

use nss_inspect::{EngineSizes, ImageArchive, Lock, SbomInputs, SizeReport, Stages};
use serde_json::Value;

use crate::cmd::Cmd;
use crate::engine::Engine;
use crate::error::Error;
use crate::exec::capture;
use crate::plan::ImageKind;
use crate::session::Session;

/// An image saved to a private temporary directory, removed when dropped.
struct Saved {
    archive: ImageArchive,
    _dir: tempfile::TempDir,
}

/// The image's `inspect` object, or one line saying it was never built.
fn inspect(engine: &Engine, image: &str, kind: ImageKind) -> Result<Value, Error> {
    let raw = capture(&Cmd::engine(engine).args(["image", "inspect", image])).map_err(|_| {
        Error::usage(
            format!("image {image} is not in {}'s image store", engine.program),
            format!("build it first with `nss build --image {}`", kind.as_str()),
        )
    })?;
    let v: Value = serde_json::from_str(&raw)
        .map_err(|e| Error::EngineOutput(format!("cannot read `image inspect {image}`: {e}")))?;
    Ok(v.get(0).cloned().unwrap_or(Value::Null))
}

/// `inspect`'s layer digests (`RootFS.Layers`), when the engine has the image.
fn layers_of(engine: &Engine, image: &str) -> Option<Vec<String>> {
    let raw = capture(&Cmd::engine(engine).args(["image", "inspect", image])).ok()?;
    let v: Value = serde_json::from_str(&raw).ok()?;
    Some(
        v.get(0)?["RootFS"]["Layers"]
            .as_array()?
            .iter()
            .filter_map(|l| l.as_str().map(str::to_string))
            .collect(),
    )
}

fn scratch(session: &Session) -> Result<tempfile::TempDir, Error> {
    let base = session
        .vars
        .env()
        .get(crate::env::TMPDIR)
        .filter(|t| !t.is_empty())
        .map_or_else(std::env::temp_dir, PathBuf::from);
    tempfile::Builder::new()
        .prefix("nss-image-")
        .tempdir_in(&base)
        .map_err(|e| Error::Io {
            path: base,
            action: "create a temporary directory in",
            source: e,
        })
}

/// Saves the image through the engine and reads the archive.
fn save(session: &Session, engine: &Engine, image: &str) -> Result<Saved, Error> {
    let dir = scratch(session)?;
    let file = dir.path().join("image.tar");
    let mut cmd = Cmd::engine(engine).arg("save");
    if engine.is_podman() {
        cmd = cmd.args(["--format", "docker-archive"]);
    }
    capture(&cmd.args([
        "-o".to_string(),
        crate::cmd::path_str(&file),
        image.to_string(),
    ]))?;
    let archive = ImageArchive::open(&file)?;
    Ok(Saved { archive, _dir: dir })
}

/// The engine's layer sizes, in the archive's order: `history` lists one row per history
/// entry of the image's config, newest first; the rows of non-empty entries are the layers.
fn layer_sizes(engine: &Engine, image: &str) -> Result<Vec<(u64, String)>, Error> {
    let cmd = if engine.is_podman() {
        Cmd::engine(engine).args(["history", "--no-trunc", "--format", "json", image])
    } else {
        Cmd::engine(engine).args([
            "history",
            "--no-trunc",
            "--human=false",
            "--format",
            "{{json .}}",
            image,
        ])
    };
    let raw = capture(&cmd)?;
    let rows: Vec<Value> = if engine.is_podman() {
        serde_json::from_str(&raw).unwrap_or_default()
    } else {
        raw.lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect()
    };
    let mut out: Vec<(u64, String)> = rows
        .iter()
        .map(|r| {
            let size = r
                .get("size")
                .or_else(|| r.get("Size"))
                .and_then(|s| s.as_u64().or_else(|| s.as_str()?.parse().ok()))
                .unwrap_or(0);
            let by = r
                .get("createdBy")
                .or_else(|| r.get("CreatedBy"))
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            (size, by)
        })
        .collect();
    out.reverse();
    Ok(out)
}

/// Writes an SBOM document: [`nss_inspect::cyclonedx`] or [`nss_inspect::spdx`].
pub type SbomWriter = fn(&ImageArchive, &SbomInputs<'_>) -> Result<String, nss_inspect::Error>;

/// `nss sbom`: an SBOM of the built image, in the format `write` gives.
pub fn sbom(
    session: &Session,
    engine: &Engine,
    kind: ImageKind,
    write: SbomWriter,
) -> Result<String, Error> {
    let image = session.image(kind)?;
    inspect(engine, &image, kind)?;
    let saved = save(session, engine, &image)?;
    let lock_path = session.project_dir.join("uv.lock");
    let lock = match std::fs::read_to_string(&lock_path) {
        Ok(text) => Some(Lock::parse(&text, &session.display_path(&lock_path))?),
        Err(_) => None,
    };
    let base_digest = saved
        .archive
        .labels
        .get("org.opencontainers.image.base.name")
        .and_then(|base| {
            let raw = capture(&Cmd::engine(engine).args(["image", "inspect", base])).ok()?;
            let v: Value = serde_json::from_str(&raw).ok()?;
            let d = v.get(0)?["RepoDigests"].get(0)?.as_str()?.to_string();
            Some(d.rsplit_once('@').map_or(d.clone(), |(_, d)| d.to_string()))
        });
    write(
        &saved.archive,
        &SbomInputs {
            reference: &image,
            lock: lock.as_ref(),
            base_digest: base_digest.as_deref(),
            timestamp: None,
            tool_version: env!("CARGO_PKG_VERSION"),
        },
    )
    .map_err(Error::from)
}

/// Where the last size report of a tag is kept, for the delta of the next one.
fn previous_report_path(session: &Session, image: &str) -> Option<PathBuf> {
    let env = session.vars.env();
    let cache = env
        .get(crate::env::XDG_CACHE_HOME)
        .filter(|c| Path::new(c).is_absolute())
        .map(PathBuf::from)
        .or_else(|| {
            env.get(crate::env::HOME)
                .filter(|h| !h.is_empty())
                .map(|h| Path::new(h).join(".cache"))
        })?;
    let name: String = image
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    Some(cache.join("nss").join("size").join(format!("{name}.json")))
}

/// `nss size`: where the image's bytes are. The report is kept under the user's cache
/// directory, so the next report of the same tag shows the change.
pub fn size(session: &Session, engine: &Engine, kind: ImageKind) -> Result<SizeReport, Error> {
    let image = session.image(kind)?;
    let info = inspect(engine, &image, kind)?;
    let total = info["Size"]
        .as_u64()
        .ok_or_else(|| Error::EngineOutput(format!("`image inspect {image}` has no Size")))?;
    let saved = save(session, engine, &image)?;
    let archive = &saved.archive;
    let history = layer_sizes(engine, &image)?;
    let layers = align(&history, archive).ok_or_else(|| {
        Error::EngineOutput(format!(
            "{}'s history of {image} lists {} entries, which do not match the image's {} layers",
            engine.program,
            history.len(),
            archive.layers.len()
        ))
    })?;

    // Stages: the base image's layers, then (dev) the runtime image's, then the image's own.
    let ids: Vec<&str> = archive.layers.iter().map(|l| l.diff_id.as_str()).collect();
    let prefix_len = |other: &[String]| -> Option<usize> {
        (other.len() <= ids.len() && other.iter().zip(&ids).all(|(a, b)| a == b))
            .then_some(other.len())
    };
    let mut bounds = Vec::new();
    if let Some(base) = archive.labels.get("org.opencontainers.image.base.name")
        && let Some(n) = layers_of(engine, base).and_then(|l| prefix_len(&l))
    {
        bounds.push(("base".to_string(), n));
    }
    if kind == ImageKind::Dev
        && let Some(n) = session
            .image(ImageKind::Runtime)
            .ok()
            .and_then(|r| layers_of(engine, &r))
            .and_then(|l| prefix_len(&l))
    {
        bounds.push(("runtime".to_string(), n));
    }
    let stages = Stages {
        bounds,
        rest: kind.as_str().to_string(),
    };

    let keep = previous_report_path(session, &image);
    let previous = keep
        .as_deref()
        .and_then(|p| std::fs::read_to_string(p).ok())
        .and_then(|t| serde_json::from_str::<SizeReport>(&t).ok());
    let mut report = SizeReport::new(
        &image,
        archive,
        &EngineSizes { total, layers },
        &stages,
        previous.as_ref(),
    )?;
    if let Some(p) = &keep {
        // Kept without its delta: the next report compares with this image only.
        let mut kept = report.clone();
        kept.delta = None;
        let _ = crate::write::write_file(p, kept.to_json().as_bytes());
    }
    if previous.as_ref().is_some_and(|p| p.id == report.id) {
        report.delta = None;
    }
    Ok(report)
}

/// The sizes of the history rows that made layers, in the archive's layer order. The
/// engine lists one row per history entry of the config, so the config's `empty_layer`
/// flags pick the rows; when the counts differ, rows are matched to layers by instruction.
fn align(history: &[(u64, String)], archive: &ImageArchive) -> Option<Vec<u64>> {
    if history.len() == archive.history.len() {
        let sizes: Vec<u64> = history
            .iter()
            .zip(&archive.history)
            .filter(|(_, (_, empty))| !empty)
            .map(|((size, _), _)| *size)
            .collect();
        return (sizes.len() == archive.layers.len()).then_some(sizes);
    }
    let mut sizes = Vec::with_capacity(archive.layers.len());
    let mut rows = history.iter();
    for layer in &archive.layers {
        let (size, _) =
            rows.find(|(_, by)| nss_inspect::instruction_text(by) == layer.created_by)?;
        sizes.push(*size);
    }
    Some(sizes)
}
