//! Python distributions installed in an image (`*.dist-info` under `site-packages`), and
//! the hashes `uv.lock` records for them.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::Error;
use crate::filesystem::Filesystem;

/// True for the dist-info files the reader keeps: `METADATA`, `WHEEL` and `RECORD`.
pub(crate) fn is_dist_info_file(path: &str) -> bool {
    dist_info_dir(path).is_some()
        && (path.ends_with("/METADATA") || path.ends_with("/WHEEL") || path.ends_with("/RECORD"))
}

/// `.../site-packages/NAME-VER.dist-info` of a path inside it.
fn dist_info_dir(path: &str) -> Option<&str> {
    let (dir, _) = path.rsplit_once('/')?;
    let (parent, leaf) = dir.rsplit_once('/')?;
    (leaf.ends_with(".dist-info") && parent.ends_with("site-packages")).then_some(dir)
}

/// One installed distribution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Distribution {
    /// The name as its metadata spells it.
    pub name: String,
    /// The installed version.
    pub version: String,
    /// `License-Expression`, else `License` (first line), when declared.
    pub license: Option<String>,
    /// The wheel tags it was installed from (`WHEEL`'s `Tag:` lines).
    pub tags: Vec<String>,
    /// Bytes of its files in the image (the files `RECORD` lists that exist).
    pub size: u64,
    /// Its `.dist-info` directory, relative to the image root.
    pub dist_info: String,
}

/// PEP 503 normalised name: lowercase, runs of `-`, `_`, `.` become `-`.
pub fn normalize(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut sep = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            sep = true;
        } else {
            if sep && !out.is_empty() {
                out.push('-');
            }
            sep = false;
            out.extend(c.to_lowercase());
        }
    }
    out
}

/// The distributions installed in the image, sorted by normalised name and version.
pub fn distributions(fs: &Filesystem) -> Result<Vec<Distribution>, Error> {
    let mut out = Vec::new();
    for (path, content) in &fs.kept {
        let Some(dir) = dist_info_dir(path) else {
            continue;
        };
        if !path.ends_with("/METADATA") {
            continue;
        }
        let meta = python_pkginfo::Metadata::parse(content).map_err(|e| Error::Metadata {
            path: path.clone(),
            what: e.to_string(),
        })?;
        let tags = fs
            .kept
            .get(&format!("{dir}/WHEEL"))
            .map(|w| {
                String::from_utf8_lossy(w)
                    .lines()
                    .filter_map(|l| l.strip_prefix("Tag:"))
                    .map(|t| t.trim().to_string())
                    .collect()
            })
            .unwrap_or_default();
        let site = dir.rsplit_once('/').map_or("", |(p, _)| p);
        let size = fs
            .kept
            .get(&format!("{dir}/RECORD"))
            .map(|r| record_size(fs, site, r))
            .unwrap_or_default();
        let license = meta.license_expression.clone().or_else(|| {
            meta.license
                .as_deref()
                .and_then(|l| l.lines().next())
                .map(str::trim)
                .filter(|l| !l.is_empty() && l.len() <= 100)
                .map(str::to_string)
        });
        out.push(Distribution {
            name: meta.name,
            version: meta.version,
            license,
            tags,
            size,
            dist_info: dir.to_string(),
        });
    }
    out.sort_by(|a, b| {
        (normalize(&a.name), &a.version, &a.dist_info).cmp(&(
            normalize(&b.name),
            &b.version,
            &b.dist_info,
        ))
    });
    Ok(out)
}

/// Bytes of the files a `RECORD` lists, as they are in the image.
fn record_size(fs: &Filesystem, site: &str, record: &[u8]) -> u64 {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(record);
    let mut total = 0;
    for row in reader.records().flatten() {
        let Some(rel) = row.get(0) else { continue };
        let path = normalize_path(&format!("{site}/{rel}"));
        if let Some(f) = fs.files.get(&path) {
            total += f.size;
        }
    }
    total
}

/// Resolves `.` and `..` components (RECORD lists scripts as `../../../bin/x`).
fn normalize_path(p: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for c in p.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            c => parts.push(c),
        }
    }
    parts.join("/")
}

#[derive(Deserialize)]
struct LockFile {
    #[serde(default)]
    package: Vec<LockPackage>,
}

#[derive(Deserialize)]
struct LockPackage {
    name: String,
    #[serde(default)]
    version: Option<String>,
    #[serde(default)]
    sdist: Option<LockArtifact>,
    #[serde(default)]
    wheels: Vec<LockArtifact>,
}

#[derive(Deserialize, Clone)]
struct LockArtifact {
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    filename: Option<String>,
    #[serde(default)]
    hash: Option<String>,
}

impl LockArtifact {
    fn file_name(&self) -> Option<&str> {
        self.filename
            .as_deref()
            .or_else(|| self.url.as_deref().and_then(|u| u.rsplit('/').next()))
    }
}

/// The artifacts `uv.lock` pins, by normalised name and version.
#[derive(Debug, Clone, Default)]
pub struct Lock {
    packages: BTreeMap<(String, String), LockedArtifacts>,
}

#[derive(Debug, Clone, Default)]
struct LockedArtifacts {
    /// (wheel file name, sha256 hex)
    wheels: Vec<(String, String)>,
    sdist: Option<String>,
}

/// The artifact a distribution was installed from, as the lock pins it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockedHash {
    /// The wheel's or sdist's file name.
    pub file: Option<String>,
    /// Its sha256, hex.
    pub sha256: String,
}

/// The hex digest of a `sha256:<64 hex digits>` hash; anything else is no hash (an SBOM
/// must not carry a malformed one).
fn sha256_of(hash: Option<&str>) -> Option<String> {
    hash.and_then(|h| h.strip_prefix("sha256:"))
        .filter(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()))
        .map(str::to_ascii_lowercase)
}

impl Lock {
    /// Parses the text of a `uv.lock`; `path` names it in errors.
    pub fn parse(text: &str, path: &str) -> Result<Self, Error> {
        let lock: LockFile = toml_edit::de::from_str(text).map_err(|e| Error::Lock {
            path: path.to_string(),
            what: e.message().to_string(),
        })?;
        let mut packages = BTreeMap::new();
        for p in lock.package {
            let Some(version) = p.version else { continue };
            let wheels = p
                .wheels
                .iter()
                .filter_map(|w| Some((w.file_name()?.to_string(), sha256_of(w.hash.as_deref())?)))
                .collect();
            let sdist = p.sdist.as_ref().and_then(|s| sha256_of(s.hash.as_deref()));
            packages.insert(
                (normalize(&p.name), version),
                LockedArtifacts { wheels, sdist },
            );
        }
        Ok(Self { packages })
    }

    /// The locked artifact a distribution was installed from: the wheel whose tags match
    /// the ones its `WHEEL` file records, else the sdist. `None` when the lock does not pin
    /// this name and version (the project itself, a package from a path).
    pub fn hash_for(&self, dist: &Distribution) -> Option<LockedHash> {
        let locked = self
            .packages
            .get(&(normalize(&dist.name), dist.version.clone()))?;
        let wheel = locked.wheels.iter().find(|(file, _)| {
            let tags = wheel_tags(file);
            dist.tags.iter().any(|t| tags.contains(t))
        });
        match (wheel, &locked.sdist) {
            (Some((file, sha)), _) => Some(LockedHash {
                file: Some(file.clone()),
                sha256: sha.clone(),
            }),
            (None, Some(sha)) => Some(LockedHash {
                file: None,
                sha256: sha.clone(),
            }),
            (None, None) => None,
        }
    }
}

/// Every tag a wheel file name stands for (`py2.py3-none-any` is two tags).
fn wheel_tags(file: &str) -> Vec<String> {
    let stem = file.strip_suffix(".whl").unwrap_or(file);
    let parts: Vec<&str> = stem.split('-').collect();
    if parts.len() < 5 {
        return Vec::new();
    }
    let n = parts.len();
    let (py, abi, plat) = (parts[n - 3], parts[n - 2], parts[n - 1]);
    let mut tags = Vec::new();
    for p in py.split('.') {
        for a in abi.split('.') {
            for pl in plat.split('.') {
                tags.push(format!("{p}-{a}-{pl}"));
            }
        }
    }
    tags
}

#[cfg(test)]
mod tests {
    use super::*;

    // PEP 503's own examples normalise to the same name.
    #[test]
    fn normalizes_like_pep_503() {
        for n in [
            "friendly-bard",
            "Friendly-Bard",
            "FRIENDLY-BARD",
            "friendly.bard",
            "friendly_bard",
            "friendly--bard",
            "FrIeNdLy-._.-bArD",
        ] {
            assert_eq!(normalize(n), "friendly-bard", "{n}");
        }
    }

    #[test]
    fn expands_compressed_wheel_tags() {
        assert_eq!(
            wheel_tags("six-1.17.0-py2.py3-none-any.whl"),
            ["py2-none-any", "py3-none-any"]
        );
        assert!(wheel_tags("not-a-wheel.whl").is_empty());
    }

    #[test]
    fn picks_the_wheel_the_dist_was_installed_from() {
        let lock = Lock::parse(
            r#"
version = 1
[[package]]
name = "Six"
version = "1.17.0"
sdist = { url = "https://x/six-1.17.0.tar.gz", hash = "sha256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" }
wheels = [
  { url = "https://x/six-1.17.0-py2.py3-none-any.whl", hash = "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb" },
  { url = "https://x/six-1.17.0-py3-none-win32.whl", hash = "sha256:short" },
]
[[package]]
name = "mine"
version = "0.1.0"
source = { editable = "." }
"#,
            "uv.lock",
        )
        .unwrap();
        let mut d = Distribution {
            name: "six".into(),
            version: "1.17.0".into(),
            license: None,
            tags: vec!["py3-none-any".into()],
            size: 0,
            dist_info: String::new(),
        };
        assert_eq!(lock.hash_for(&d).unwrap().sha256, "b".repeat(64));
        d.tags = vec!["cp311-cp311-linux_x86_64".into()];
        assert_eq!(
            lock.hash_for(&d),
            Some(LockedHash {
                file: None,
                sha256: "a".repeat(64)
            })
        );
        d.name = "mine".into();
        d.version = "0.1.0".into();
        assert_eq!(lock.hash_for(&d), None);
    }

    #[test]
    fn resolves_record_paths_outside_site_packages() {
        assert_eq!(
            normalize_path("opt/venv/lib/python3.11/site-packages/../../../bin/x"),
            "opt/venv/bin/x"
        );
    }
}
