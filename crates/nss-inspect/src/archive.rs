//! The image archive an engine's `save` writes (`docker save`, `podman save`, both the
//! docker-archive layout): its manifest, config, history and layers, and the filesystem
//! the layers make when applied in order (whiteouts included).

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::Error;
use crate::filesystem::{FileEntry, Filesystem};

/// Files whose content the reader keeps (everything else: path and size only).
fn wanted(path: &str) -> bool {
    path == crate::dpkg::STATUS
        || crate::dpkg::OS_RELEASE.contains(&path)
        || crate::python::is_dist_info_file(path)
        || path == crate::PREFLIGHT_PATH
}

/// Largest kept file: a dpkg status of a big image is a few MB.
const MAX_KEPT: u64 = 64 << 20;

/// One layer of the image, with the history entry that made it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layer {
    /// The uncompressed layer digest (`rootfs.diff_ids`), `sha256:...`.
    pub diff_id: String,
    /// The instruction that made the layer (`created_by` of its history entry), trimmed.
    pub created_by: String,
    /// Bytes of regular files the layer adds (whiteouts and directories count 0).
    pub content_bytes: u64,
    /// Entries in the layer (files, directories, links, whiteouts).
    pub entries: u64,
}

#[derive(Deserialize)]
struct ManifestEntry {
    #[serde(rename = "Config")]
    config: String,
    #[serde(rename = "RepoTags", default)]
    repo_tags: Option<Vec<String>>,
    #[serde(rename = "Layers")]
    layers: Vec<String>,
}

#[derive(Deserialize, Default)]
struct Config {
    #[serde(default)]
    architecture: String,
    #[serde(default)]
    os: String,
    #[serde(default)]
    config: ContainerConfig,
    #[serde(default)]
    history: Vec<History>,
    #[serde(default)]
    rootfs: RootFs,
}

#[derive(Deserialize, Default)]
struct ContainerConfig {
    #[serde(rename = "Labels", default)]
    labels: Option<BTreeMap<String, String>>,
}

#[derive(Deserialize, Default)]
struct History {
    #[serde(default)]
    created_by: String,
    #[serde(default)]
    comment: String,
    #[serde(default)]
    empty_layer: bool,
}

impl History {
    /// The instruction, or the entry's comment in parentheses when none was recorded
    /// (`docker import` writes "Imported from -").
    fn instruction(&self) -> String {
        let text = instruction_text(&self.created_by);
        if text.is_empty() && !self.comment.trim().is_empty() {
            format!("({})", self.comment.trim())
        } else {
            text
        }
    }
}

#[derive(Deserialize, Default)]
struct RootFs {
    #[serde(default)]
    diff_ids: Vec<String>,
}

/// A saved image: its metadata, its layers and the filesystem they make.
#[derive(Debug, Clone)]
pub struct ImageArchive {
    /// The tags the archive names (`RepoTags`), if any.
    pub repo_tags: Vec<String>,
    /// The image ID: the config's digest, `sha256:...`.
    pub id: String,
    /// `linux/amd64` and the like.
    pub platform: String,
    /// The image's labels.
    pub labels: BTreeMap<String, String>,
    /// The layers, base first.
    pub layers: Vec<Layer>,
    /// Every history entry of the config, oldest first: the instruction and whether it
    /// made no layer (`ENV`, `LABEL`, ...).
    pub history: Vec<(String, bool)>,
    /// The final filesystem.
    pub filesystem: Filesystem,
}

fn bad(path: &Path, what: impl std::fmt::Display) -> Error {
    Error::Archive {
        path: path.to_path_buf(),
        what: what.to_string(),
    }
}

/// Trims an instruction as engines record it: BuildKit's `# buildkit` suffix, the
/// classic builder's and buildah's `/bin/sh -c #(nop) ` prefix.
pub fn instruction_text(created_by: &str) -> String {
    let t = created_by.trim();
    let t = t.strip_suffix("# buildkit").unwrap_or(t).trim_end();
    let t = t.strip_prefix("/bin/sh -c #(nop) ").unwrap_or(t).trim();
    let t = match t.strip_prefix("/bin/sh -c ") {
        Some(rest) => format!("RUN {rest}"),
        None => t.to_string(),
    };
    t.split_whitespace().collect::<Vec<_>>().join(" ")
}

impl ImageArchive {
    /// Reads an archive written by `docker save` / `podman save` (docker-archive layout).
    pub fn open(path: &Path) -> Result<Self, Error> {
        let mut file = File::open(path).map_err(|e| bad(path, e))?;
        // Index the outer archive: name -> (offset, size) of each member.
        let mut index: BTreeMap<String, (u64, u64)> = BTreeMap::new();
        {
            let mut outer = tar::Archive::new(&mut file);
            for entry in outer.entries_with_seek().map_err(|e| bad(path, e))? {
                let entry = entry.map_err(|e| bad(path, e))?;
                let name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
                let name = name.trim_start_matches("./").to_string();
                index.insert(name, (entry.raw_file_position(), entry.size()));
            }
        }
        let mut member = |name: &str| -> Result<Vec<u8>, Error> {
            let (pos, size) = *index
                .get(name.trim_start_matches("./"))
                .ok_or_else(|| bad(path, format!("has no member {name}")))?;
            if size > MAX_KEPT {
                return Err(bad(path, format!("member {name} is {size} bytes")));
            }
            file.seek(SeekFrom::Start(pos)).map_err(|e| bad(path, e))?;
            let mut buf = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
            (&mut file)
                .take(size)
                .read_to_end(&mut buf)
                .map_err(|e| bad(path, e))?;
            Ok(buf)
        };
        let manifest: Vec<ManifestEntry> = serde_json::from_slice(&member("manifest.json")?)
            .map_err(|e| bad(path, format!("manifest.json: {e}")))?;
        let [entry] = <[ManifestEntry; 1]>::try_from(manifest)
            .map_err(|m| bad(path, format!("holds {} images, not one", m.len())))?;
        let config_bytes = member(&entry.config)?;
        let config: Config = serde_json::from_slice(&config_bytes)
            .map_err(|e| bad(path, format!("{}: {e}", entry.config)))?;
        let id = format!("sha256:{}", crate::sha256_hex(&config_bytes));

        let history: Vec<&History> = config.history.iter().filter(|h| !h.empty_layer).collect();
        let mut layers = Vec::new();
        let mut fs = Filesystem::default();
        let file_path: PathBuf = path.to_path_buf();
        for (i, name) in entry.layers.iter().enumerate() {
            let (pos, size) = *index
                .get(name.trim_start_matches("./"))
                .ok_or_else(|| bad(&file_path, format!("has no layer {name}")))?;
            let mut f = File::open(&file_path).map_err(|e| bad(&file_path, e))?;
            f.seek(SeekFrom::Start(pos))
                .map_err(|e| bad(&file_path, e))?;
            let (content_bytes, entries) = apply_layer(&mut fs, i, f.take(size))
                .map_err(|e| bad(&file_path, format!("layer {name}: {e}")))?;
            layers.push(Layer {
                diff_id: config.rootfs.diff_ids.get(i).cloned().unwrap_or_default(),
                created_by: history.get(i).map(|h| h.instruction()).unwrap_or_default(),
                content_bytes,
                entries,
            });
        }
        Ok(Self {
            repo_tags: entry.repo_tags.unwrap_or_default(),
            id,
            platform: format!("{}/{}", config.os, config.architecture),
            labels: config.config.labels.unwrap_or_default(),
            layers,
            history: config
                .history
                .iter()
                .map(|h| (h.instruction(), h.empty_layer))
                .collect(),
            filesystem: fs,
        })
    }
}

/// Applies one layer tar to the filesystem; returns (regular-file bytes, entries).
fn apply_layer(fs: &mut Filesystem, layer: usize, r: impl Read) -> std::io::Result<(u64, u64)> {
    let mut archive = tar::Archive::new(r);
    let mut bytes = 0;
    let mut count = 0;
    for entry in archive.entries()? {
        let mut entry = entry?;
        count += 1;
        let raw = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let path = raw
            .trim_start_matches("./")
            .trim_start_matches('/')
            .trim_end_matches('/')
            .to_string();
        let (dir, base) = match path.rsplit_once('/') {
            Some((d, b)) => (d.to_string(), b.to_string()),
            None => (String::new(), path.clone()),
        };
        if base == ".wh..wh..opq" {
            fs.remove_children(&dir, layer);
            continue;
        }
        if let Some(victim) = base.strip_prefix(".wh.") {
            let victim = if dir.is_empty() {
                victim.to_string()
            } else {
                format!("{dir}/{victim}")
            };
            fs.remove_tree(&victim, layer + 1);
            continue;
        }
        let kind = entry.header().entry_type();
        let size = if kind.is_file() { entry.size() } else { 0 };
        if !kind.is_dir() {
            // A file replacing a directory of an earlier layer replaces its tree.
            fs.remove_tree(&path, layer);
        }
        bytes += size;
        if kind.is_file() && wanted(&path) && size <= MAX_KEPT {
            let mut buf = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
            entry.read_to_end(&mut buf)?;
            fs.kept.insert(path.clone(), buf);
        } else {
            fs.kept.remove(&path);
        }
        fs.files.insert(path, FileEntry { size, layer });
    }
    Ok((bytes, count))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layer(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut b = tar::Builder::new(Vec::new());
        for (path, data) in entries {
            let mut h = tar::Header::new_gnu();
            if path.ends_with('/') {
                h.set_entry_type(tar::EntryType::Directory);
                h.set_size(0);
            } else {
                h.set_entry_type(tar::EntryType::Regular);
                h.set_size(data.len() as u64);
            }
            h.set_mode(0o644);
            h.set_cksum();
            b.append_data(&mut h, path, *data).unwrap();
        }
        b.into_inner().unwrap()
    }

    #[test]
    fn whiteouts_remove_files_and_trees_of_earlier_layers() {
        let mut fs = Filesystem::default();
        apply_layer(
            &mut fs,
            0,
            &layer(&[
                ("a/", b""),
                ("a/x", b"xx"),
                ("a/y", b"yyy"),
                ("b/", b""),
                ("b/z", b"z"),
            ])[..],
        )
        .unwrap();
        apply_layer(
            &mut fs,
            1,
            &layer(&[("a/.wh.x", b""), ("b/.wh..wh..opq", b""), ("b/n", b"nn")])[..],
        )
        .unwrap();
        let paths: Vec<&str> = fs.files.keys().map(String::as_str).collect();
        assert_eq!(paths, ["a", "a/y", "b", "b/n"]);
        assert_eq!(fs.bytes_under("a"), 3);
        assert_eq!(fs.files["b/n"].layer, 1);
    }

    #[test]
    fn instruction_text_drops_engine_decorations() {
        assert_eq!(
            instruction_text("RUN /bin/sh -c set -e;   uv sync # buildkit"),
            "RUN /bin/sh -c set -e; uv sync"
        );
        assert_eq!(
            instruction_text("/bin/sh -c #(nop) COPY dir:abc in /opt/venv "),
            "COPY dir:abc in /opt/venv"
        );
        assert_eq!(
            instruction_text("/bin/sh -c apt-get update"),
            "RUN apt-get update"
        );
    }
}
