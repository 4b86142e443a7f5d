//! Project metadata read from `pyproject.toml`: `[project]`, `[project.urls]`,
//! `[tool.uv-dynamic-versioning]` and the `[tool.nss.labels]` overrides.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use toml_edit::{DocumentMut, Item, Value};

use crate::{Error, ImageKind, keys};

/// A person from `[project] authors` or `maintainers`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Person {
    /// `name`, when given.
    pub name: Option<String>,
    /// `email`, when given.
    pub email: Option<String>,
}

impl Person {
    /// `Name <email>`, `Name` or `email`.
    pub fn display(&self) -> Option<String> {
        match (&self.name, &self.email) {
            (Some(n), Some(e)) => Some(format!("{n} <{e}>")),
            (Some(n), None) => Some(n.clone()),
            (None, Some(e)) => Some(e.clone()),
            (None, None) => None,
        }
    }
}

/// `[project] version`, or how to find it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum ProjectVersion {
    /// `version = "1.2.3"`.
    Static {
        /// The version as written.
        version: String,
    },
    /// `dynamic = ["version"]`: taken from git tags (uv-dynamic-versioning style).
    Dynamic {
        /// `[tool.uv-dynamic-versioning] fallback-version`, when set.
        fallback: Option<String>,
    },
    /// Neither a version nor a dynamic version.
    Missing,
}

/// `[project] license`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum License {
    /// `license = "Apache-2.0"` (PEP 639: an SPDX expression).
    Expression {
        /// The expression.
        expression: String,
    },
    /// `license = { text = "..." }` (PEP 621 legacy).
    Text {
        /// The text.
        text: String,
    },
    /// `license = { file = "LICENSE" }` (PEP 621 legacy): no SPDX id to take.
    File {
        /// The file name.
        file: String,
    },
}

/// Label overrides from `[tool.nss.labels]` (all images) and
/// `[tool.nss.labels.runtime|dev|test]` (one image), keys already expanded to
/// full label keys.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Overrides {
    /// `[tool.nss.labels] key = "value"`: every image.
    pub common: BTreeMap<String, String>,
    /// `[tool.nss.labels.<kind>] key = "value"`: one image; wins over `common`.
    pub per_kind: BTreeMap<ImageKind, BTreeMap<String, String>>,
}

/// Keys that cannot be overridden for every image at once in `[tool.nss.labels]`.
const NOT_COMMON: [&str; 3] = [keys::USAGE, keys::REVISION, keys::CREATED];

/// What labels need from `pyproject.toml`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Metadata {
    /// The `pyproject.toml` read (for provenance).
    pub path: PathBuf,
    /// `[project] name`.
    pub name: String,
    /// `[project] description`.
    pub description: Option<String>,
    /// `[project] version` or `dynamic`.
    pub version: ProjectVersion,
    /// `[project] license`.
    pub license: Option<License>,
    /// `[project.urls]` in file order: `(key as written, url)`.
    pub urls: Vec<(String, String)>,
    /// `[project] authors`.
    pub authors: Vec<Person>,
    /// `[project] maintainers`.
    pub maintainers: Vec<Person>,
    /// `[tool.nss.labels]`.
    pub overrides: Overrides,
}

/// The `[project.urls]` keys (normalised: lowercase, without spaces or punctuation,
/// as PyPI's well-known project URLs do) that name the source repository.
pub const SOURCE_URL_KEYS: [&str; 6] = [
    "source",
    "sourcecode",
    "repository",
    "repo",
    "code",
    "github",
];
/// The `[project.urls]` keys (normalised) that name the home page.
pub const HOMEPAGE_URL_KEYS: [&str; 3] = ["homepage", "home", "website"];
/// The `[project.urls]` keys (normalised) that name the documentation.
pub const DOCUMENTATION_URL_KEYS: [&str; 3] = ["documentation", "docs", "doc"];

impl Metadata {
    /// Reads `<dir>/pyproject.toml`.
    pub fn load(dir: &Path) -> Result<Self, Error> {
        let path = dir.join("pyproject.toml");
        let text =
            nss_buildspec::read_project_file(&path, nss_buildspec::FileKind::PyProject, Some(dir))
                .map_err(|e| {
                    // The reader's message starts with the path, which this error shows itself.
                    let message = e.to_string();
                    let prefix = format!("{}: ", path.display());
                    Error::ReadPyProject {
                        path: path.clone(),
                        problem: message
                            .strip_prefix(&prefix)
                            .unwrap_or(&message)
                            .to_string(),
                    }
                })?;
        Self::from_toml(&text, path)
    }

    /// Reads the metadata of a loaded project (its parsed `pyproject.toml`).
    pub fn from_project(project: &nss_buildspec::Project) -> Result<Self, Error> {
        Self::from_document(project.document(), project.pyproject_path())
    }

    /// Parses `pyproject.toml` text; `path` is kept for provenance.
    pub fn from_toml(text: &str, path: impl Into<PathBuf>) -> Result<Self, Error> {
        let path = path.into();
        let doc: DocumentMut =
            text.parse()
                .map_err(|e: toml_edit::TomlError| Error::ReadPyProject {
                    path: path.clone(),
                    problem: format!("not valid TOML: {}", e.message()),
                })?;
        Self::from_document(&doc, path)
    }

    /// Reads the metadata from a parsed `pyproject.toml`
    /// (e.g. `nss_buildspec::Project::document()`); `path` is kept for provenance.
    pub fn from_document(doc: &DocumentMut, path: impl Into<PathBuf>) -> Result<Self, Error> {
        let path = path.into();
        let err = |field: &str, problem: &str| Error::PyProject {
            path: path.clone(),
            field: field.to_string(),
            problem: problem.to_string(),
        };
        let project = doc
            .get("project")
            .and_then(Item::as_table_like)
            .ok_or_else(|| {
                err(
                    "[project]",
                    "the table is missing; add `[project]` with at least `name`",
                )
            })?;
        let name = match project.get("name") {
            Some(item) => item
                .as_str()
                .ok_or_else(|| err("[project] name", "must be a string"))?
                .to_string(),
            None => return Err(err("[project] name", "is missing; add `name = \"...\"`")),
        };
        let description = opt_str(project.get("description"))
            .map_err(|p| err("[project] description", p))?
            .filter(|d| !d.trim().is_empty());

        let dynamic = match project.get("dynamic") {
            None => false,
            Some(item) => item
                .as_array()
                .ok_or_else(|| err("[project] dynamic", "must be an array of strings"))?
                .iter()
                .any(|v| v.as_str() == Some("version")),
        };
        let version =
            match opt_str(project.get("version")).map_err(|p| err("[project] version", p))? {
                Some(v) => ProjectVersion::Static { version: v },
                None if dynamic => {
                    let fallback = doc
                        .get("tool")
                        .and_then(|t| t.get("uv-dynamic-versioning"))
                        .and_then(|t| t.get("fallback-version"));
                    let fallback = opt_str(fallback)
                        .map_err(|p| err("[tool.uv-dynamic-versioning] fallback-version", p))?;
                    ProjectVersion::Dynamic { fallback }
                }
                None => ProjectVersion::Missing,
            };

        let license = match project.get("license") {
            None => None,
            Some(item) => {
                if let Some(s) = item.as_str() {
                    Some(License::Expression {
                        expression: s.to_string(),
                    })
                } else if let Some(t) = item.as_table_like() {
                    if let Some(text) =
                        opt_str(t.get("text")).map_err(|p| err("[project] license.text", p))?
                    {
                        Some(License::Text { text })
                    } else if let Some(file) =
                        opt_str(t.get("file")).map_err(|p| err("[project] license.file", p))?
                    {
                        Some(License::File { file })
                    } else {
                        return Err(err("[project] license", "a table needs `text` or `file`"));
                    }
                } else {
                    return Err(err(
                        "[project] license",
                        "must be a string (SPDX expression) or a table",
                    ));
                }
            }
        };

        let mut urls = Vec::new();
        if let Some(item) = project.get("urls") {
            let table = item
                .as_table_like()
                .ok_or_else(|| err("[project.urls]", "must be a table of name = \"url\""))?;
            for (k, v) in table.iter() {
                let v = v
                    .as_str()
                    .ok_or_else(|| err(&format!("[project.urls] {k}"), "must be a string"))?;
                urls.push((k.to_string(), v.to_string()));
            }
        }
        let authors = people(project.get("authors")).map_err(|p| err("[project] authors", &p))?;
        let maintainers =
            people(project.get("maintainers")).map_err(|p| err("[project] maintainers", &p))?;

        let overrides = read_overrides(doc, &path)?;
        Ok(Metadata {
            path,
            name,
            description,
            version,
            license,
            urls,
            authors,
            maintainers,
            overrides,
        })
    }

    /// The first `[project.urls]` entry whose normalised key is one of `names`:
    /// `(key as written, url)`.
    pub fn url(&self, names: &[&str]) -> Option<(&str, &str)> {
        self.urls
            .iter()
            .find(|(k, _)| names.contains(&normalise_url_key(k).as_str()))
            .map(|(k, v)| (k.as_str(), v.as_str()))
    }
}

/// PyPI's normalisation of `[project.urls]` labels: lowercase, keeping only
/// letters and digits (`Source Code` -> `sourcecode`).
pub(crate) fn normalise_url_key(key: &str) -> String {
    key.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

fn opt_str(item: Option<&Item>) -> Result<Option<String>, &'static str> {
    match item {
        None => Ok(None),
        Some(item) => item
            .as_str()
            .map(|s| Some(s.to_string()))
            .ok_or("must be a string"),
    }
}

fn people(item: Option<&Item>) -> Result<Vec<Person>, String> {
    let Some(item) = item else {
        return Ok(Vec::new());
    };
    let person = |t: &dyn toml_edit::TableLike| -> Result<Person, String> {
        let get = |k: &str| match t.get(k) {
            None => Ok(None),
            Some(v) => v
                .as_str()
                .map(|s| Some(s.to_string()))
                .ok_or_else(|| format!("`{k}` must be a string")),
        };
        Ok(Person {
            name: get("name")?,
            email: get("email")?,
        })
    };
    if let Some(array) = item.as_array() {
        array
            .iter()
            .map(|v| match v {
                Value::InlineTable(t) => person(t),
                _ => Err(
                    "each entry must be a table like { name = \"...\", email = \"...\" }"
                        .to_string(),
                ),
            })
            .collect()
    } else if let Some(tables) = item.as_array_of_tables() {
        tables.iter().map(|t| person(t)).collect()
    } else {
        Err("must be an array of tables like { name = \"...\", email = \"...\" }".to_string())
    }
}

fn read_overrides(doc: &DocumentMut, path: &Path) -> Result<Overrides, Error> {
    let mut overrides = Overrides::default();
    let Some(table) = doc
        .get("tool")
        .and_then(|t| t.get("nss"))
        .and_then(|t| t.get("labels"))
    else {
        return Ok(overrides);
    };
    let err = |field: String, problem: String| Error::PyProject {
        path: path.to_path_buf(),
        field,
        problem,
    };
    let table = table
        .as_table_like()
        .ok_or_else(|| err("[tool.nss] labels".into(), "must be a table".into()))?;
    for (key, item) in table.iter() {
        if let Ok(kind) = key.parse::<ImageKind>() {
            let sub = item.as_table_like().ok_or_else(|| {
                err(
                    format!("[tool.nss.labels] {key}"),
                    format!("must be a table `[tool.nss.labels.{key}]` of label = \"value\""),
                )
            })?;
            let map = overrides.per_kind.entry(kind).or_default();
            for (k, v) in sub.iter() {
                let field = format!("[tool.nss.labels.{key}] {k}");
                let (full, value) = override_entry(k, v).map_err(|p| err(field, p))?;
                map.insert(full, value);
            }
        } else {
            let field = format!("[tool.nss.labels] {key}");
            let (full, value) = override_entry(key, item).map_err(|p| err(field.clone(), p))?;
            if NOT_COMMON.contains(&full.as_str()) {
                let problem = if full == keys::USAGE {
                    "usage differs per image; set it in [tool.nss.labels.runtime], .dev or .test"
                } else {
                    "comes from git or SOURCE_DATE_EPOCH and cannot be overridden"
                };
                return Err(err(field, problem.into()));
            }
            overrides.common.insert(full, value);
        }
    }
    for (kind, map) in &overrides.per_kind {
        for key in [keys::REVISION, keys::CREATED] {
            if map.contains_key(key) {
                return Err(err(
                    format!(
                        "[tool.nss.labels.{kind}] {}",
                        key.trim_start_matches(keys::OCI_PREFIX)
                    ),
                    "comes from git or SOURCE_DATE_EPOCH and cannot be overridden".into(),
                ));
            }
        }
    }
    Ok(overrides)
}

fn override_entry(key: &str, item: &Item) -> Result<(String, String), String> {
    let full = keys::expand(key).ok_or_else(|| {
        format!(
            "unknown label {key:?}; use a short name ({}) or a full reverse-DNS key such as `com.example.team`",
            keys::SHORT_NAMES.join(", ")
        )
    })?;
    let value = item
        .as_str()
        .ok_or_else(|| "must be a string (an empty string removes the label)".to_string())?;
    Ok((full, value.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(text: &str) -> Result<Metadata, Error> {
        Metadata::from_toml(text, "pyproject.toml")
    }

    #[test]
    fn reads_project_fields() {
        let m = meta(
            r#"
[project]
name = "demo"
version = "1.2.3"
description = "A demo"
license = { text = "MIT" }
authors = [{ name = "Ann", email = "ann@example.com" }, { email = "bot@example.com" }]
[project.urls]
"Source Code" = "https://example.com/src"
Docs = "https://example.com/docs"
[tool.nss.labels]
vendor = "Example Inc."
"com.example.team" = "ml"
[tool.nss.labels.dev]
title = "demo dev shell"
"#,
        )
        .unwrap();
        assert_eq!(m.name, "demo");
        assert_eq!(
            m.version,
            ProjectVersion::Static {
                version: "1.2.3".into()
            }
        );
        assert_eq!(m.license, Some(License::Text { text: "MIT".into() }));
        assert_eq!(
            m.url(&SOURCE_URL_KEYS),
            Some(("Source Code", "https://example.com/src"))
        );
        assert_eq!(
            m.url(&DOCUMENTATION_URL_KEYS),
            Some(("Docs", "https://example.com/docs"))
        );
        assert_eq!(m.url(&HOMEPAGE_URL_KEYS), None);
        assert_eq!(
            m.authors[0].display().as_deref(),
            Some("Ann <ann@example.com>")
        );
        assert_eq!(m.authors[1].display().as_deref(), Some("bot@example.com"));
        assert_eq!(m.overrides.common[keys::VENDOR], "Example Inc.");
        assert_eq!(m.overrides.common["com.example.team"], "ml");
        assert_eq!(
            m.overrides.per_kind[&ImageKind::Dev][keys::TITLE],
            "demo dev shell"
        );
    }

    #[test]
    fn dynamic_version_takes_the_fallback() {
        let m = meta(
            "[project]\nname = \"d\"\ndynamic = [\"version\"]\n[tool.uv-dynamic-versioning]\nfallback-version = \"0.0.0\"\n",
        )
        .unwrap();
        assert_eq!(
            m.version,
            ProjectVersion::Dynamic {
                fallback: Some("0.0.0".into())
            }
        );
    }

    /// One case per pyproject shape error; each names the field.
    #[test]
    fn rejects_bad_shapes() {
        let cases = [
            ("no [project]", "[tool.x]\n", "[project]"),
            ("no name", "[project]\nversion = \"1\"\n", "[project] name"),
            (
                "name not a string",
                "[project]\nname = 1\n",
                "[project] name",
            ),
            (
                "license number",
                "[project]\nname = \"d\"\nlicense = 3\n",
                "[project] license",
            ),
            (
                "license empty table",
                "[project]\nname = \"d\"\nlicense = {}\n",
                "[project] license",
            ),
            (
                "url not a string",
                "[project]\nname = \"d\"\nurls = { Source = 1 }\n",
                "[project.urls] Source",
            ),
            (
                "author not a table",
                "[project]\nname = \"d\"\nauthors = [\"Ann\"]\n",
                "[project] authors",
            ),
            (
                "unknown short override",
                "[project]\nname = \"d\"\n[tool.nss.labels]\ncolour = \"x\"\n",
                "[tool.nss.labels] colour",
            ),
            (
                "override not a string",
                "[project]\nname = \"d\"\n[tool.nss.labels]\ntitle = 1\n",
                "[tool.nss.labels] title",
            ),
            (
                "common usage",
                "[project]\nname = \"d\"\n[tool.nss.labels]\nusage = \"x\"\n",
                "usage differs per image",
            ),
            (
                "revision override",
                "[project]\nname = \"d\"\n[tool.nss.labels.dev]\nrevision = \"x\"\n",
                "[tool.nss.labels.dev] revision",
            ),
            ("not toml", "[project\n", "not valid TOML"),
        ];
        for (case, text, needle) in cases {
            let err = meta(text).expect_err(case).to_string();
            assert!(err.contains(needle), "{case}: {err:?} lacks {needle:?}");
            assert!(err.starts_with("pyproject.toml"), "{case}: {err:?}");
        }
    }
}
