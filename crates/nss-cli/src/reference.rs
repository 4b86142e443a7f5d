//! Image references, checked against the distribution reference grammar
//! (<https://github.com/distribution/reference/blob/main/reference.go>):
//!
//! ```text
//! reference       := name [ ":" tag ] [ "@" digest ]
//! name            := [domain '/'] remote-name
//! domain          := host [':' port-number]
//! host            := domain-name | IPv4address | '[' IPv6address ']'
//! domain-name     := domain-component ['.' domain-component]*
//! domain-component:= /([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])/
//! remote-name     := path-component ['/' path-component]*
//! path-component  := alpha-numeric [separator alpha-numeric]*
//! alpha-numeric   := /[a-z0-9]+/
//! separator       := /[_.]|__|[-]*/
//! tag             := /[\w][\w.-]{0,127}/
//! digest          := algorithm ":" hex   (algorithm /[a-z0-9]+([+._-][a-z0-9]+)*/, hex >= 32)
//! ```
//! The whole name is at most 255 characters.

use crate::error::Error;

/// Checks an image reference such as `nss-gpu:latest` or `127.0.0.1:5000/org/nss-gpu:1.0`.
/// `what` names the variable the reference came from, for the error message.
pub fn validate_reference(reference: &str, what: &str) -> Result<(), Error> {
    check(reference).map_err(|why| {
        Error::usage(
            format!(
                "{what}={} is not a valid image reference: {why}",
                nss_buildspec::excerpt(reference)
            ),
            "use NAME[:TAG] with a lowercase name, e.g. nss-gpu:latest",
        )
    })
}

/// `(name, tag)` of a reference without digest: the tag is what follows the last `:` after
/// the last `/` (`127.0.0.1:5000/app:1` is `127.0.0.1:5000/app` and `1`).
pub(crate) fn split_tag(reference: &str) -> (&str, Option<&str>) {
    let slash = reference.rfind('/').map_or(0, |i| i + 1);
    match reference[slash..].rfind(':') {
        Some(i) => (&reference[..slash + i], Some(&reference[slash + i + 1..])),
        None => (reference, None),
    }
}

fn check(reference: &str) -> Result<(), String> {
    if reference.is_empty() {
        return Err("it is empty".into());
    }
    let (rest, digest) = match reference.split_once('@') {
        Some((r, d)) => (r, Some(d)),
        None => (reference, None),
    };
    if let Some(d) = digest {
        check_digest(d)?;
    }
    let (name, tag) = split_tag(rest);
    if let Some(t) = tag {
        check_tag(t)?;
    }
    if name.len() > 255 {
        return Err("the name is longer than 255 characters".into());
    }
    let mut parts: Vec<&str> = name.split('/').collect();
    let first = parts[0];
    let has_domain = parts.len() > 1
        && (first.contains('.')
            || first.contains(':')
            || first == "localhost"
            || first.chars().any(|c| c.is_ascii_uppercase()));
    if has_domain {
        check_domain(first)?;
        parts.remove(0);
    }
    for p in parts {
        check_path_component(p)?;
    }
    Ok(())
}

fn check_domain(domain: &str) -> Result<(), String> {
    let (host, port) = if let Some(rest) = domain.strip_prefix('[') {
        let (ip6, after) = rest
            .split_once(']')
            .ok_or("unclosed '[' in the registry host")?;
        if ip6.parse::<std::net::Ipv6Addr>().is_err() {
            return Err(format!("registry host [{ip6}] is not an IPv6 address"));
        }
        (None, after.strip_prefix(':'))
    } else {
        match domain.split_once(':') {
            Some((h, p)) => (Some(h), Some(p)),
            None => (Some(domain), None),
        }
    };
    if let Some(host) = host {
        for c in host.split('.') {
            let ok = !c.is_empty()
                && c.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '-')
                && !c.starts_with('-')
                && !c.ends_with('-');
            if !ok {
                return Err(format!("registry host {host:?} is not a valid host name"));
            }
        }
    }
    if let Some(p) = port
        && (p.is_empty() || !p.chars().all(|c| c.is_ascii_digit()))
    {
        return Err(format!("registry port {p:?} is not a number"));
    }
    Ok(())
}

fn check_path_component(p: &str) -> Result<(), String> {
    let bad = || {
        Err(format!(
            "path component {p:?} must be lowercase letters and digits separated by '.', '_', '__' or '-'"
        ))
    };
    if p.is_empty() {
        return Err("the name has an empty path component".into());
    }
    let bytes = p.as_bytes();
    let alnum = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    if !alnum(bytes[0]) || !alnum(bytes[bytes.len() - 1]) {
        return bad();
    }
    let mut i = 0;
    while i < bytes.len() {
        if alnum(bytes[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && !alnum(bytes[i]) {
            i += 1;
        }
        let sep = &p[start..i];
        let ok = sep == "." || sep == "_" || sep == "__" || sep.chars().all(|c| c == '-');
        if !ok {
            return bad();
        }
    }
    Ok(())
}

fn check_tag(t: &str) -> Result<(), String> {
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let ok = !t.is_empty()
        && t.len() <= 128
        && t.chars().next().is_some_and(word)
        && t.chars().all(|c| word(c) || c == '.' || c == '-');
    if ok {
        Ok(())
    } else {
        Err(format!(
            "tag {t:?} must match [A-Za-z0-9_][A-Za-z0-9_.-]{{0,127}}"
        ))
    }
}

fn check_digest(d: &str) -> Result<(), String> {
    let Some((alg, hex)) = d.split_once(':') else {
        return Err(format!("digest {d:?} must be ALGORITHM:HEX"));
    };
    let alg_ok = !alg.is_empty()
        && alg.split(['+', '.', '_', '-']).all(|s| {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        });
    let hex_ok = hex.len() >= 32 && hex.chars().all(|c| c.is_ascii_hexdigit());
    if alg_ok && hex_ok {
        Ok(())
    } else {
        Err(format!(
            "digest {d:?} must be ALGORITHM:HEX (at least 32 hex digits)"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_references_of_the_grammar() {
        // Cases after distribution/reference's reference_test.go.
        for ok in [
            "nss-gpu:latest",
            "nss-gpu",
            "org/nss-gpu:1.0",
            "ghcr.io/nvidia-nemo/nss-gpu:latest",
            "127.0.0.1:5000/nss-gpu:latest",
            "localhost:5000/a/b",
            "localhost/a",
            "[::1]:5000/a:b",
            "a__b-c---d/e.f_g",
            "Registry.Example.com/a",
            "a@sha256:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
            "a:t@sha256:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
            "a:_TAG.1-x",
        ] {
            assert!(check(ok).is_ok(), "{ok}: {:?}", check(ok));
        }
    }

    #[test]
    fn rejects_references_outside_the_grammar() {
        for bad in [
            "",
            "NSS-GPU:latest", // uppercase repository
            "nss gpu",        // space
            "nss-gpu:",       // empty tag
            "nss-gpu:-x",     // tag starts with '-'
            "a/-b",           // component starts with a separator
            "a..b",           // two dots
            "a/b/",           // empty component
            "host:port/a",    // port not a number
            "a@sha256:abc",   // short digest
            "a:b:c",          // two tags
            ":latest",        // no name
        ] {
            assert!(check(bad).is_err(), "{bad} should be rejected");
        }
        let long = format!("{}:t", "a".repeat(256));
        assert!(check(&long).is_err());
    }
}
