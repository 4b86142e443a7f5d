//! The filesystem an image's layers make, applied in order, whiteouts honoured: every
//! path with its size, and the content of the few files nss reads.

use std::collections::BTreeMap;

/// A file of the image's final filesystem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileEntry {
    /// Size in bytes (0 for directories and links).
    pub size: u64,
    /// Index of the layer that last wrote it.
    pub layer: usize,
}

/// The filesystem the layers make, applied in order, whiteouts honoured.
#[derive(Debug, Clone, Default)]
pub struct Filesystem {
    /// Every path (relative, no leading `/`), with its size and layer.
    pub files: BTreeMap<String, FileEntry>,
    /// The content of the files nss reads (dpkg status, dist-info metadata, the preflight).
    pub kept: BTreeMap<String, Vec<u8>>,
}

impl Filesystem {
    pub(crate) fn remove_tree(&mut self, path: &str, below_layer: usize) {
        let prefix = format!("{path}/");
        let doomed: Vec<String> = self
            .files
            .range(path.to_string()..)
            .take_while(|(k, _)| k.as_str() == path || k.starts_with(&prefix))
            .filter(|(_, e)| e.layer < below_layer)
            .map(|(k, _)| k.clone())
            .collect();
        for k in doomed {
            self.files.remove(&k);
            self.kept.remove(&k);
        }
    }

    pub(crate) fn remove_children(&mut self, dir: &str, below_layer: usize) {
        let prefix = if dir.is_empty() {
            String::new()
        } else {
            format!("{dir}/")
        };
        let doomed: Vec<String> = self
            .files
            .range(prefix.clone()..)
            .take_while(|(k, _)| k.starts_with(&prefix))
            .filter(|(k, e)| e.layer < below_layer && k.len() > prefix.len())
            .map(|(k, _)| k.clone())
            .collect();
        for k in doomed {
            self.files.remove(&k);
            self.kept.remove(&k);
        }
    }

    /// Total bytes of the regular files under `prefix` (a directory path, no trailing `/`).
    pub fn bytes_under(&self, prefix: &str) -> u64 {
        let p = format!("{prefix}/");
        self.files
            .range(p.clone()..)
            .take_while(|(k, _)| k.starts_with(&p))
            .map(|(_, e)| e.size)
            .sum()
    }
}
