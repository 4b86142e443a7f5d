//! Build-argument values as a build sees them in `FROM` lines: the global `ARG`s
//! (declared before the first `FROM`) and `$NAME` / `${NAME}` expansion.

use std::collections::{BTreeMap, HashMap};

use crate::dockerfile::Dockerfile;
use crate::words::unquote;

impl Dockerfile {
    /// The global `ARG`s (those before the first `FROM`) with the values a build gives
    /// them, in declaration order resolved: a build argument in `build_args` wins over the
    /// declared default (build arguments reach only declared `ARG`s), and a default may
    /// use earlier ones (`ARG BASE=python:${PY}`). `None`: declared without a value, or
    /// with a default naming an `ARG` that has none.
    #[must_use]
    pub fn global_args(
        &self,
        build_args: &BTreeMap<String, String>,
    ) -> HashMap<String, Option<String>> {
        let mut globals: HashMap<String, Option<String>> = HashMap::new();
        for arg in self.global().iter().filter(|i| i.is("ARG")) {
            for word in arg.words() {
                let (text, expands) = unquote(&word.raw, self.escape);
                let (name, default) = match text.split_once('=') {
                    Some((n, v)) => (n.to_owned(), Some(v.to_owned())),
                    None => (text, None),
                };
                let value = match build_args.get(&name) {
                    Some(given) => Some(given.clone()),
                    None if expands => default.and_then(|v| expand(&v, &globals).ok()),
                    None => default,
                };
                globals.insert(name, value);
            }
        }
        globals
    }
}

/// Expands `$NAME`, `${NAME}`, `${NAME:-default}` and `${NAME-default}` in `raw` from
/// `vars` (an empty value counts as unset); `Err(name)` names the first variable that
/// has no value and no default.
///
/// ```
/// use std::collections::HashMap;
///
/// let vars = HashMap::from([("UV_VERSION".to_owned(), Some("0.9.14".to_owned()))]);
/// assert_eq!(
///     nss_dockerfile::expand("ghcr.io/astral-sh/uv:${UV_VERSION}", &vars).as_deref(),
///     Ok("ghcr.io/astral-sh/uv:0.9.14")
/// );
/// assert_eq!(nss_dockerfile::expand("$NOPE:1", &vars), Err("NOPE".to_owned()));
/// ```
pub fn expand(raw: &str, vars: &HashMap<String, Option<String>>) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = raw;
    while let Some(pos) = rest.find('$') {
        out.push_str(&rest[..pos]);
        let after = &rest[pos + 1..];
        let (expr, tail) = if let Some(inner) = after.strip_prefix('{') {
            let Some(end) = inner.find('}') else {
                return Err(after.to_owned());
            };
            (&inner[..end], &inner[end + 1..])
        } else {
            let end = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(after.len());
            (&after[..end], &after[end..])
        };
        let (name, default) = match expr.split_once(":-").or_else(|| expr.split_once('-')) {
            Some((n, d)) => (n, Some(d)),
            None => (expr, None),
        };
        match vars.get(name).cloned().flatten().filter(|v| !v.is_empty()) {
            Some(value) => out.push_str(&value),
            None => match default {
                Some(d) => out.push_str(d),
                None => return Err(name.to_owned()),
            },
        }
        rest = tail;
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn global_args_take_build_args_for_declared_names_and_expand_defaults() {
        let text = "ARG CUDA_IMAGE=docker.io/nvidia/cuda\nARG CUDA_VERSION=12.8.1\n\
                    ARG BASE=${CUDA_IMAGE}:${CUDA_VERSION}-runtime\nARG QUOTED='$CUDA_VERSION'\n\
                    ARG BARE\nFROM ${BASE}\nARG LATE=1\n";
        let df = Dockerfile::parse(text).unwrap();
        let given = BTreeMap::from([
            ("CUDA_VERSION".to_owned(), "12.6.3".to_owned()),
            ("UNDECLARED".to_owned(), "x".to_owned()),
        ]);
        let globals = df.global_args(&given);
        // (name, value): a build arg wins, defaults expand from earlier values, single
        // quotes do not expand, undeclared and stage-level names are absent.
        let cases: &[(&str, Option<Option<&str>>)] = &[
            ("CUDA_IMAGE", Some(Some("docker.io/nvidia/cuda"))),
            ("CUDA_VERSION", Some(Some("12.6.3"))),
            ("BASE", Some(Some("docker.io/nvidia/cuda:12.6.3-runtime"))),
            ("QUOTED", Some(Some("$CUDA_VERSION"))),
            ("BARE", Some(None)),
            ("UNDECLARED", None),
            ("LATE", None),
        ];
        for (name, want) in cases {
            assert_eq!(
                globals.get(*name).map(|v| v.as_deref()),
                *want,
                "{name} in {globals:?}"
            );
        }
    }

    #[test]
    fn expand_forms() {
        let vars = HashMap::from([
            ("A".to_owned(), Some("a".to_owned())),
            ("EMPTY".to_owned(), Some(String::new())),
            ("NONE".to_owned(), None),
        ]);
        // (raw, expanded or the variable without a value)
        let cases: &[(&str, Result<&str, &str>)] = &[
            ("plain:1", Ok("plain:1")),
            ("$A:1", Ok("a:1")),
            ("${A}b", Ok("ab")),
            ("${EMPTY:-d}", Ok("d")),
            ("${NONE-d}", Ok("d")),
            ("${MISSING:-x.y}", Ok("x.y")),
            ("$NONE", Err("NONE")),
            ("${MISSING}", Err("MISSING")),
            ("${A", Err("{A")),
        ];
        for (raw, want) in cases {
            let got = expand(raw, &vars);
            assert_eq!(got.as_deref().map_err(String::as_str), *want, "{raw}");
        }
    }
}
