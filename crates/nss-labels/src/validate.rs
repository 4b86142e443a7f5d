//! Label validation: keys, values, and the typed fields (URLs, SPDX, RFC 3339, commit ids).

use crate::{Error, Origin, keys};

/// Checks one label: the key is well formed and the value is acceptable for it.
///
/// - key: lowercase reverse-DNS notation as the OCI annotation rules and Docker's
///   label guidelines ask: at least two dot-separated components, each of
///   `[a-z0-9]` and inner `-`, starting and ending with a letter or digit;
///   the `com.docker.`, `io.docker.` and `org.dockerproject.` namespaces are reserved;
/// - value: non-empty, no newline or other control character;
/// - [`keys::URL_KEYS`]: an absolute URL with a host and no credentials;
/// - [`keys::LICENSES`]: a valid SPDX license expression;
/// - [`keys::CREATED`]: an RFC 3339 timestamp;
/// - [`keys::REVISION`]: a full hex commit id (40 or 64 lowercase hex digits).
///
/// The error names the label and `origin`.
pub fn validate_label(key: &str, value: &str, origin: &Origin) -> Result<(), Error> {
    let fail = |problem: String| Error::InvalidLabel {
        key: key.to_string(),
        value: value.to_string(),
        origin: Box::new(origin.clone()),
        problem,
    };
    if let Err(problem) = check_key(key) {
        return Err(fail(problem));
    }
    if value.is_empty() {
        return Err(fail(
            "the value is empty; set a value or remove the label".into(),
        ));
    }
    if let Some(c) = value.chars().find(|c| c.is_control()) {
        return Err(fail(format!(
            "the value contains the control character {c:?}; labels are one line of text"
        )));
    }
    if keys::URL_KEYS.contains(&key) {
        check_url(value).map_err(fail)?;
    } else if key == keys::LICENSES {
        spdx::Expression::parse(value).map_err(|e| {
            fail(format!(
                "{value:?} is not a valid SPDX license expression ({}); use an identifier such as `Apache-2.0` or `MIT OR Apache-2.0`",
                e.reason
            ))
        })?;
    } else if key == keys::CREATED {
        value.parse::<jiff::Timestamp>().map_err(|e| {
            fail(format!(
                "{value:?} is not an RFC 3339 timestamp ({e}); e.g. `2025-01-31T12:00:00Z`"
            ))
        })?;
    } else if key == keys::REVISION {
        let hex = value
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        if !(hex && (value.len() == 40 || value.len() == 64)) {
            return Err(fail(format!(
                "{value:?} is not a full commit id (40 or 64 lowercase hex digits, as `git rev-parse HEAD` prints)"
            )));
        }
    }
    Ok(())
}

fn check_key(key: &str) -> Result<(), String> {
    let problem = |what: &str| {
        Err(format!(
            "the key {key:?} {what}; keys are lowercase reverse-DNS names such as `com.example.team`"
        ))
    };
    if key.is_empty() {
        return problem("is empty");
    }
    let parts: Vec<&str> = key.split('.').collect();
    if parts.len() < 2 {
        return problem("has no namespace (no dot)");
    }
    for part in &parts {
        if part.is_empty() {
            return problem("has an empty component (leading, trailing or doubled dot)");
        }
        if !part
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            return problem("may hold only lowercase letters, digits, dots and hyphens");
        }
        if part.starts_with('-') || part.ends_with('-') || part.contains("--") {
            return problem(
                "has a component starting or ending with a hyphen, or a doubled hyphen",
            );
        }
    }
    for reserved in ["com.docker.", "io.docker.", "org.dockerproject."] {
        if key.starts_with(reserved) {
            return problem(&format!("is in the reserved `{reserved}*` namespace"));
        }
    }
    Ok(())
}

fn check_url(value: &str) -> Result<(), String> {
    let url = url::Url::parse(value).map_err(|e| {
        format!("{value:?} is not an absolute URL ({e}); e.g. `https://github.com/org/repo`")
    })?;
    if url.cannot_be_a_base() || url.host_str().is_none_or(str::is_empty) {
        return Err(format!(
            "{value:?} is not a URL with a host; e.g. `https://github.com/org/repo`"
        ));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(format!(
            "the URL {} carries credentials; labels are public, remove the user and password",
            redact(&url)
        ));
    }
    Ok(())
}

fn redact(url: &url::Url) -> String {
    let mut url = url.clone();
    let _ = url.set_username("");
    let _ = url.set_password(None);
    url.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origin() -> Origin {
        Origin::Default {
            rule: "test".into(),
        }
    }

    /// Valid labels, one per typed field (OCI image spec, annotations.md "Pre-Defined Annotation Keys").
    #[test]
    fn accepts_valid_labels() {
        let cases = [
            (keys::TITLE, "nemo-safe-synthesizer"),
            (
                keys::USAGE,
                r#"docker run --rm -v "$PWD":/workspace img --help"#,
            ),
            (keys::URL, "https://github.com/NVIDIA-NeMo/Safe-Synthesizer"),
            (keys::LICENSES, "Apache-2.0"),
            (keys::LICENSES, "MIT OR Apache-2.0"),
            (keys::CREATED, "2025-01-31T12:00:00Z"),
            (keys::REVISION, "0123456789abcdef0123456789abcdef01234567"),
            ("com.example.team-name", "x"),
            ("io.buildah.version", "1.28"),
        ];
        for (key, value) in cases {
            assert!(
                validate_label(key, value, &origin()).is_ok(),
                "{key}={value}"
            );
        }
    }

    /// One case per validation rule; each names what the message must mention.
    #[test]
    fn rejects_each_invalid_case() {
        let rev = keys::REVISION;
        #[rustfmt::skip]
        let cases: &[(&str, &str, &str, &str)] = &[
            ("empty key", "", "x", "is empty"),
            ("key without namespace", "title", "x", "no namespace"),
            ("uppercase key", "org.Example.x", "x", "lowercase"),
            ("key with space", "org.example.a b", "x", "lowercase"),
            ("doubled dot", "org..example", "x", "empty component"),
            ("trailing dot", "org.example.", "x", "empty component"),
            ("leading hyphen", "org.-example", "x", "hyphen"),
            ("doubled hyphen", "org.ex--ample", "x", "hyphen"),
            ("reserved docker namespace", "com.docker.thing", "x", "reserved"),
            ("empty value", keys::TITLE, "", "empty"),
            ("newline in value", keys::DESCRIPTION, "a\nb", "control character"),
            ("carriage return", keys::DESCRIPTION, "a\rb", "control character"),
            ("tab", keys::DESCRIPTION, "a\tb", "control character"),
            ("nul", keys::DESCRIPTION, "a\0b", "control character"),
            ("relative url", keys::SOURCE, "github.com/org/repo", "absolute URL"),
            ("url without host", keys::URL, "mailto:a@b.c", "host"),
            ("url with credentials", keys::SOURCE, "https://user:tok@github.com/o/r", "credentials"),
            ("bad spdx", keys::LICENSES, "Apache 2", "SPDX"),
            ("unknown spdx id", keys::LICENSES, "Apache-2.1", "SPDX"),
            ("created not rfc3339", keys::CREATED, "2025-01-31", "RFC 3339"),
            ("created epoch", keys::CREATED, "1700000000", "RFC 3339"),
            ("short revision", rev, "0123456", "commit id"),
            ("uppercase revision", rev, "0123456789ABCDEF0123456789ABCDEF01234567", "commit id"),
            ("non-hex revision", rev, "0123456789abcdef0123456789abcdef0123456z", "commit id"),
        ];
        for (case, key, value, needle) in cases {
            let err = validate_label(key, value, &origin())
                .expect_err(case)
                .to_string();
            assert!(err.contains(needle), "{case}: {err:?} lacks {needle:?}");
            assert!(
                err.contains("built-in default: test"),
                "{case}: {err:?} lacks the origin"
            );
        }
    }

    #[test]
    fn credentials_are_not_echoed() {
        let err = validate_label(keys::SOURCE, "https://user:s3cret@host/o/r", &origin())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("label org.opencontainers.image.source"),
            "{err}"
        );
        assert!(!err.contains("s3cret"), "{err}");
    }
}
