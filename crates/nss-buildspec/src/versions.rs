//! The embedded version tables (`data/versions.toml`), parsed once.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use toml_edit::{DocumentMut, Item};

/// The raw data file, embedded at compile time.
const VERSIONS_TOML: &str = include_str!("../data/versions.toml");

/// A `major.minor` pair.
pub(crate) type Minor = (u64, u64);

/// One nvidia/cuda release and the Ubuntu versions it publishes images for.
#[derive(Debug, Clone)]
pub(crate) struct CudaRelease {
    /// `[major, minor, patch]`.
    pub(crate) version: [u64; 3],
    /// Ubuntu versions, e.g. `22.04`.
    pub(crate) ubuntu: Vec<String>,
}

impl CudaRelease {
    /// `X.Y.Z`.
    pub(crate) fn to_version_string(&self) -> String {
        let [a, b, c] = self.version;
        format!("{a}.{b}.{c}")
    }
}

/// The parsed tables.
#[derive(Debug)]
pub(crate) struct Tables {
    /// The day the tables were last compared with upstream.
    pub(crate) checked: String,
    /// The Python minor used when nothing else names one.
    pub(crate) python_default_minor: Minor,
    /// CPython minor -> `(patch, first uv release that installs it)`, by patch.
    pub(crate) python: BTreeMap<Minor, Vec<(u64, [u64; 3])>>,
    /// The CUDA `major.minor` used when the project names no accelerator.
    pub(crate) cuda_default: Minor,
    /// nvidia/cuda releases, ascending.
    pub(crate) cuda: Vec<CudaRelease>,
}

/// The tables, parsed on first use.
pub(crate) static TABLES: LazyLock<Tables> =
    LazyLock::new(|| parse(VERSIONS_TOML).unwrap_or_else(|e| panic!("data/versions.toml: {e}")));

/// The day the embedded version tables were last compared with the upstream
/// CPython (python-build-standalone) and nvidia/cuda release lists, `YYYY-MM-DD`.
pub fn versions_checked() -> &'static str {
    &TABLES.checked
}

/// Every nvidia/cuda tag the embedded table knows, e.g. `12.8.1-runtime-ubuntu22.04`.
pub fn known_cuda_tags() -> Vec<String> {
    TABLES
        .cuda
        .iter()
        .flat_map(|r| {
            let v = r.to_version_string();
            r.ubuntu
                .iter()
                .flat_map(move |u| ["runtime", "devel"].map(|t| format!("{v}-{t}-ubuntu{u}")))
        })
        .collect()
}

/// Parses `X.Y` into numbers.
pub(crate) fn parse_minor(s: &str) -> Option<Minor> {
    let (a, b) = s.split_once('.')?;
    Some((num(a)?, num(b)?))
}

/// Parses `X.Y.Z` into numbers.
pub(crate) fn parse_triple(s: &str) -> Option<[u64; 3]> {
    let mut it = s.split('.');
    let v = [num(it.next()?)?, num(it.next()?)?, num(it.next()?)?];
    it.next().is_none().then_some(v)
}

/// A decimal number without sign, leading `+` or spaces.
fn num(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) || s.len() > 9 {
        return None;
    }
    s.parse().ok()
}

fn parse(text: &str) -> Result<Tables, String> {
    let doc: DocumentMut = text.parse().map_err(|e| format!("{e}"))?;
    let str_at = |item: &Item, what: &str| -> Result<String, String> {
        item.as_str()
            .map(str::to_owned)
            .ok_or_else(|| format!("{what} must be a string"))
    };
    let checked = str_at(&doc["checked"], "checked")?;
    let python_default_minor = parse_minor(&str_at(
        &doc["python"]["default-minor"],
        "python.default-minor",
    )?)
    .ok_or("python.default-minor must be X.Y")?;
    let mut python: BTreeMap<Minor, Vec<(u64, [u64; 3])>> = BTreeMap::new();
    let releases = doc["python"]["releases"]
        .as_array()
        .ok_or("python.releases must be an array")?;
    for r in releases.iter() {
        let t = r
            .as_inline_table()
            .ok_or("python.releases entries must be inline tables")?;
        let field = |k: &str| {
            t.get(k)
                .and_then(toml_edit::Value::as_str)
                .and_then(parse_triple)
                .ok_or_else(|| format!("python.releases entry {t} needs {k} = \"X.Y.Z\""))
        };
        let [a, b, c] = field("version")?;
        python.entry((a, b)).or_default().push((c, field("uv")?));
    }
    for patches in python.values_mut() {
        patches.sort();
    }
    let cuda_default = parse_minor(&str_at(&doc["cuda"]["default"], "cuda.default")?)
        .ok_or("cuda.default must be X.Y")?;
    let mut cuda = Vec::new();
    let releases = doc["cuda"]["release"]
        .as_array_of_tables()
        .ok_or("cuda.release must be an array of tables")?;
    for r in releases.iter() {
        let v = r
            .get("version")
            .and_then(Item::as_str)
            .ok_or("cuda.release.version must be a string")?;
        let version =
            parse_triple(v).ok_or_else(|| format!("cuda.release.version {v} must be X.Y.Z"))?;
        let ubuntu = r
            .get("ubuntu")
            .and_then(Item::as_array)
            .ok_or("cuda.release.ubuntu must be an array")?
            .iter()
            .map(|u| {
                u.as_str()
                    .map(str::to_owned)
                    .ok_or("cuda.release.ubuntu entries must be strings")
            })
            .collect::<Result<Vec<_>, _>>()?;
        cuda.push(CudaRelease { version, ubuntu });
    }
    cuda.sort_by_key(|r| r.version);
    Ok(Tables {
        checked,
        python_default_minor,
        python,
        cuda_default,
        cuda,
    })
}

impl Tables {
    /// The newest CUDA patch release of `major.minor`.
    pub(crate) fn newest_cuda(&self, minor: Minor) -> Option<&CudaRelease> {
        self.cuda
            .iter()
            .rev()
            .find(|r| (r.version[0], r.version[1]) == minor)
    }

    /// The release `X.Y.Z` exactly.
    pub(crate) fn cuda_release(&self, v: [u64; 3]) -> Option<&CudaRelease> {
        self.cuda.iter().find(|r| r.version == v)
    }

    /// `X.Y.Z` of every known CUDA release, comma separated.
    pub(crate) fn cuda_list(&self) -> String {
        self.cuda
            .iter()
            .map(CudaRelease::to_version_string)
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The newest patch of `minor` that uv `uv` can install; when the table
    /// lists none that old, the oldest patch listed.
    pub(crate) fn python_patch_for_uv(&self, minor: Minor, uv: [u64; 3]) -> Option<u64> {
        let patches = self.python.get(&minor)?;
        patches
            .iter()
            .filter(|(_, since)| *since <= uv)
            .map(|(p, _)| *p)
            .max()
            .or(patches.first().map(|(p, _)| *p))
    }

    /// The newest patch of `minor` in the table, whatever uv it needs.
    pub(crate) fn newest_python_patch(&self, minor: Minor) -> Option<u64> {
        self.python.get(&minor)?.iter().map(|(p, _)| *p).max()
    }

    /// `X.Y` of every known Python minor, comma separated.
    pub(crate) fn python_minors(&self) -> String {
        self.python
            .keys()
            .map(|(a, b)| format!("{a}.{b}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_tables_parse_and_are_consistent() {
        let t = &*TABLES;
        assert_eq!(t.checked.len(), 10, "checked is YYYY-MM-DD");
        assert!(t.python.contains_key(&t.python_default_minor));
        // uv 0.9.14 (the reference project's lower bound) predates 3.11.15.
        assert_eq!(t.python_patch_for_uv((3, 11), [0, 9, 14]), Some(14));
        assert_eq!(t.python_patch_for_uv((3, 11), [0, 10, 8]), Some(15));
        assert_eq!(t.python_patch_for_uv((3, 11), [0, 1, 0]), Some(14));
        assert_eq!(t.python_patch_for_uv((2, 7), [0, 9, 14]), None);
        assert!(t.newest_cuda(t.cuda_default).is_some());
        assert_eq!(
            t.newest_cuda((12, 8))
                .map(CudaRelease::to_version_string)
                .as_deref(),
            Some("12.8.1")
        );
        assert!(known_cuda_tags().contains(&"12.8.1-runtime-ubuntu22.04".to_owned()));
    }

    #[test]
    fn number_parsing() {
        // (input, X.Y, X.Y.Z)
        type Case = (&'static str, Option<Minor>, Option<[u64; 3]>);
        let cases: [Case; 6] = [
            ("3.11", Some((3, 11)), None),
            ("3.11.14", None, Some([3, 11, 14])),
            ("3.x", None, None),
            ("+3.1", None, None),
            ("3.11.14.1", None, None),
            ("", None, None),
        ];
        for (input, minor, triple) in cases {
            assert_eq!(parse_minor(input), minor, "{input}");
            assert_eq!(parse_triple(input), triple, "{input}");
        }
    }
}
