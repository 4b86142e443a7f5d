//! Secret variables: which names hold secrets, and hiding their values in output.
//!
//! A secret is passed into a container by name (`-e HF_TOKEN`), never by value, and no
//! line nss or nss-preflight prints may contain a secret's value. [`is_secret_name`] is
//! the one definition of "a secret variable"; [`Redactor`] is the last line of defence
//! that replaces every current secret value in a line of output.

use std::borrow::Cow;

/// Secret variables known by name: passed into `run` containers by name when set.
pub const KNOWN_SECRETS: [&str; 4] = [
    "HF_TOKEN",
    "HUGGING_FACE_HUB_TOKEN",
    "NSS_INFERENCE_KEY",
    "WANDB_API_KEY",
];

/// Name endings that mark a variable as secret (`GITHUB_TOKEN`, `AWS_SECRET`, ...).
pub const SECRET_SUFFIXES: [&str; 4] = ["_TOKEN", "_KEY", "_SECRET", "_PASSWORD"];

/// Values shorter than this are not redacted (a one-letter value would garble every line;
/// no real token is that short).
pub const MIN_REDACTED_LEN: usize = 4;

/// True for [`KNOWN_SECRETS`] and names ending in one of [`SECRET_SUFFIXES`] (any case).
pub fn is_secret_name(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    KNOWN_SECRETS.contains(&upper.as_str()) || SECRET_SUFFIXES.iter().any(|s| upper.ends_with(s))
}

/// Replaces the values of secret variables in text.
///
/// ```
/// use nss_preflight::Redactor;
///
/// let r = Redactor::from_vars([("HF_TOKEN", "hf_abc123"), ("HOME", "/root")]);
/// assert_eq!(r.redact("token hf_abc123 in /root"), "token <redacted HF_TOKEN> in /root");
/// ```
#[derive(Debug, Clone, Default)]
pub struct Redactor {
    /// (value, name), longest value first so that a value containing another goes first.
    values: Vec<(String, String)>,
}

impl Redactor {
    /// A redactor for the secret variables among `vars` (name, value).
    pub fn from_vars<I, K, V>(vars: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let mut values: Vec<(String, String)> = vars
            .into_iter()
            .filter(|(k, v)| is_secret_name(k.as_ref()) && v.as_ref().len() >= MIN_REDACTED_LEN)
            .map(|(k, v)| (v.as_ref().to_string(), k.as_ref().to_string()))
            .collect();
        values.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| a.cmp(b)));
        values.dedup_by(|a, b| a.0 == b.0);
        Self { values }
    }

    /// `text` with every secret value replaced by `<redacted NAME>`.
    pub fn redact<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let mut out = Cow::Borrowed(text);
        for (value, name) in &self.values {
            if out.contains(value.as_str()) {
                out = Cow::Owned(out.replace(value.as_str(), &format!("<redacted {name}>")));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_names() {
        for name in [
            "HF_TOKEN",
            "WANDB_API_KEY",
            "NSS_INFERENCE_KEY",
            "GITHUB_TOKEN",
            "DB_PASSWORD",
            "aws_secret",
        ] {
            assert!(is_secret_name(name), "{name}");
        }
        for name in ["HOME", "CMD", "TOKENS", "KEYBOARD", "NSS_DRY_RUN"] {
            assert!(!is_secret_name(name), "{name}");
        }
    }

    #[test]
    fn redacts_every_secret_value_and_nothing_else() {
        let r = Redactor::from_vars([
            ("A_TOKEN", "abcd"),
            ("B_TOKEN", "xxabcdxx"),
            ("SHORT_KEY", "x"),
            ("PATH", "abcd-not-secret"),
        ]);
        assert_eq!(
            r.redact("xxabcdxx abcd x"),
            "<redacted B_TOKEN> <redacted A_TOKEN> x"
        );
        assert!(matches!(r.redact("nothing"), Cow::Borrowed(_)));
    }
}
