//! A validated set of labels and its renderings.

use std::collections::BTreeMap;

use crate::{Error, ImageKind, Origin, dockerfile, keys, validate_label};

/// One label: key, value and where the value came from.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Label {
    /// The key, e.g. `org.opencontainers.image.title`.
    pub key: String,
    /// The value: non-empty, one line.
    pub value: String,
    /// Where the value came from.
    pub origin: Origin,
}

/// The validated labels of one image, sorted by key (every rendering uses that order).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Labels {
    kind: ImageKind,
    labels: Vec<Label>,
    notes: Vec<String>,
}

impl Labels {
    pub(crate) fn from_parts(kind: ImageKind, mut labels: Vec<Label>, notes: Vec<String>) -> Self {
        labels.sort_by(|a, b| a.key.cmp(&b.key));
        Labels {
            kind,
            labels,
            notes,
        }
    }

    /// Labels from `(key, value)` pairs, validated (each with `origin`); a later
    /// pair replaces an earlier one with the same key.
    pub fn from_pairs<K, V>(
        kind: ImageKind,
        pairs: impl IntoIterator<Item = (K, V)>,
        origin: Origin,
    ) -> Result<Self, Error>
    where
        K: Into<String>,
        V: Into<String>,
    {
        let mut map = BTreeMap::new();
        for (k, v) in pairs {
            let (key, value) = (k.into(), v.into());
            validate_label(&key, &value, &origin)?;
            map.insert(
                key.clone(),
                Label {
                    key,
                    value,
                    origin: origin.clone(),
                },
            );
        }
        Ok(Self::from_parts(
            kind,
            map.into_values().collect(),
            Vec::new(),
        ))
    }

    /// Which image these labels describe.
    pub fn kind(&self) -> ImageKind {
        self.kind
    }

    /// The value of `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.labels
            .iter()
            .find(|l| l.key == key)
            .map(|l| l.value.as_str())
    }

    /// The labels, sorted by key.
    pub fn iter(&self) -> std::slice::Iter<'_, Label> {
        self.labels.iter()
    }

    /// How many labels.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// No labels at all.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// Why labels were left out (no git checkout, no tag, ...): one sentence each.
    pub fn notes(&self) -> &[String] {
        &self.notes
    }

    /// `key -> value`, sorted by key.
    pub fn to_map(&self) -> BTreeMap<String, String> {
        self.labels
            .iter()
            .map(|l| (l.key.clone(), l.value.clone()))
            .collect()
    }

    /// The labels that do not change per commit: all but [`keys::DYNAMIC_KEYS`]
    /// (revision, created, version). These belong in the Dockerfile's static `LABEL` block.
    pub fn static_labels(&self) -> Labels {
        Labels {
            kind: self.kind,
            labels: self
                .labels
                .iter()
                .filter(|l| !keys::DYNAMIC_KEYS.contains(&l.key.as_str()))
                .cloned()
                .collect(),
            notes: Vec::new(),
        }
    }

    /// `docker build` / `podman build` arguments: `["--label", "k=v", ...]`, one
    /// argv element per pair (pass them to `Command::args`, never through a shell).
    pub fn to_args(&self) -> Vec<String> {
        self.labels
            .iter()
            .flat_map(|l| ["--label".to_string(), format!("{}={}", l.key, l.value)])
            .collect()
    }

    /// A Dockerfile block: the `# nss-labels: <kind>` marker line, then one `LABEL`
    /// instruction with every pair double-quoted (`"`, `\` and `$` escaped, so no
    /// value can end the string, continue the line or expand a variable).
    pub fn to_dockerfile(&self) -> String {
        format!(
            "{}\n{}",
            dockerfile::marker(self.kind),
            dockerfile::render_label_instruction(self, '\\')
        )
    }

    /// JSON: one object, label key -> value, keys sorted.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::Value::Object(
            self.labels
                .iter()
                .map(|l| (l.key.clone(), serde_json::Value::String(l.value.clone())))
                .collect(),
        )
    }

    /// Human-readable text: `key  value` per line (keys aligned), then `note: ...` lines.
    pub fn to_text(&self) -> String {
        let width = self.labels.iter().map(|l| l.key.len()).max().unwrap_or(0);
        let mut out = String::new();
        for l in &self.labels {
            out.push_str(&format!("{:width$}  {}\n", l.key, l.value));
        }
        for n in &self.notes {
            out.push_str(&format!("note: {n}\n"));
        }
        out
    }

    /// The labels as annotations on a multi-arch index, minus [`keys::NOT_IN_INDEX`].
    pub fn index_annotations(&self) -> Vec<(&str, &str)> {
        self.labels
            .iter()
            .filter(|l| !keys::NOT_IN_INDEX.contains(&l.key.as_str()))
            .map(|l| (l.key.as_str(), l.value.as_str()))
            .collect()
    }

    /// `docker buildx build` arguments that annotate the pushed index:
    /// `["--annotation", "index:k=v", ...]` (see [`Labels::index_annotations`]).
    /// buildx takes each `--annotation` value verbatim (a string-array flag), so
    /// no quoting is added; pass them as argv elements.
    pub fn buildx_index_annotation_args(&self) -> Vec<String> {
        self.index_annotations()
            .into_iter()
            .flat_map(|(k, v)| ["--annotation".to_string(), format!("index:{k}={v}")])
            .collect()
    }

    /// `podman build --manifest` arguments `["--annotation", "k=v", ...]` (see
    /// [`Labels::index_annotations`]): each value is taken verbatim (a string-array flag).
    pub fn build_annotation_args(&self) -> Vec<String> {
        self.index_annotations()
            .into_iter()
            .flat_map(|(k, v)| ["--annotation".to_string(), format!("{k}={v}")])
            .collect()
    }

    /// podman arguments `["--annotation", "k=v", ...]` for
    /// `podman manifest add` or `podman manifest annotate LIST IMAGE`.
    ///
    /// podman 4.3 has no index-level annotation (`podman manifest annotate --index`
    /// arrived in podman 5): these annotate each platform's entry in the list.
    /// podman reads each `--annotation` value as a CSV record (a string-slice
    /// flag), so a pair holding `"` or `,` is CSV-quoted: `"k=a ""b"", c"`.
    pub fn podman_manifest_annotation_args(&self) -> Vec<String> {
        self.index_annotations()
            .into_iter()
            .flat_map(|(k, v)| ["--annotation".to_string(), csv_field(&format!("{k}={v}"))])
            .collect()
    }
}

/// One CSV field (RFC 4180, as Go's `encoding/csv` reads it): quoted, with
/// inner quotes doubled, when it holds a quote, comma or line break.
fn csv_field(s: &str) -> String {
    if s.contains(['"', ',', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

impl<'a> IntoIterator for &'a Labels {
    type Item = &'a Label;
    type IntoIter = std::slice::Iter<'a, Label>;

    fn into_iter(self) -> Self::IntoIter {
        self.labels.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::csv_field;

    /// RFC 4180 quoting, as Go's encoding/csv (pflag string-slice flags) reads it.
    #[test]
    fn csv_fields() {
        let cases = [
            ("k=v", "k=v"),
            ("k=a b", "k=a b"),
            ("k=a,b", "\"k=a,b\""),
            ("k=say \"hi\"", "\"k=say \"\"hi\"\"\""),
            ("k='single'", "k='single'"),
        ];
        for (input, want) in cases {
            assert_eq!(csv_field(input), want, "{input}");
        }
    }
}
