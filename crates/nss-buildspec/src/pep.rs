//! PEP 440 rules nss applies: the inclusive lower bound of a specifier set,
//! and plain `X.Y.Z` release versions.

use std::str::FromStr;

use pep440_rs::{Operator, Version, VersionSpecifier, VersionSpecifiers};

/// Parses a specifier set, treating a bare version (`0.9.14`) as `==0.9.14`.
pub(crate) fn parse_specifiers(text: &str) -> Result<VersionSpecifiers, String> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err("is empty".to_owned());
    }
    match VersionSpecifiers::from_str(trimmed) {
        Ok(specs) => Ok(specs),
        Err(spec_err) => match Version::from_str(trimmed) {
            Ok(v) => Ok(VersionSpecifiers::from(VersionSpecifier::equals_version(v))),
            Err(_) => Err(format!(
                "{text:?} is not a PEP 440 specifier set ({})",
                one_line(&spec_err.to_string())
            )),
        },
    }
}

/// The inclusive lower bound of a specifier set as a plain `X.Y.Z` release:
/// the highest version named by `>=`, `==`, `~=` or `===` (a bare version
/// counts as `==`), which must itself satisfy every specifier of the set.
///
/// Deliberate choices, each an error with a reason:
/// - no `>=`/`==`/`~=` (only `>`, `<`, `<=`, `!=` or `==X.*`): no inclusive lower bound;
/// - the bound fails another specifier (`>=1.0, <0.5`, `>=0.9.14, !=0.9.14`): unsatisfiable;
/// - a pre-release, dev, post-release, local label or non-zero epoch: uv publishes
///   final `X.Y.Z` releases only, so such a bound names no uv release.
///
/// An explicit `0!` epoch is the default epoch and is accepted; `>=0.9` gives `0.9.0`.
pub(crate) fn inclusive_lower_bound(text: &str) -> Result<String, String> {
    let specs = parse_specifiers(text)?;
    let lower = specs
        .iter()
        .filter(|s| {
            matches!(
                s.operator(),
                Operator::GreaterThanEqual
                    | Operator::Equal
                    | Operator::TildeEqual
                    | Operator::ExactEqual
            )
        })
        .map(VersionSpecifier::version)
        .max()
        .cloned()
        .ok_or_else(|| format!("{text:?} has no inclusive lower bound"))?;
    if let Some(failing) = specs.iter().find(|s| !s.contains(&lower)) {
        return Err(format!(
            "{text:?} is unsatisfiable at its inclusive lower bound {lower}: {failing} excludes it"
        ));
    }
    plain_release(&lower).map_err(|why| format!("{text:?} has the lower bound {lower}, {why}"))
}

/// `X.Y.Z` of a final release with epoch 0 and at most three release numbers
/// (missing ones are zero: `0.9` -> `0.9.0`).
pub(crate) fn plain_release(v: &Version) -> Result<String, String> {
    if v.epoch() != 0 {
        return Err("which has an epoch; uv releases have none".to_owned());
    }
    if v.any_prerelease() {
        return Err("a pre-release; uv publishes images for final releases only".to_owned());
    }
    if v.is_post() {
        return Err("a post-release; uv publishes plain X.Y.Z releases only".to_owned());
    }
    if v.is_local() {
        return Err("which has a local version label; uv releases have none".to_owned());
    }
    let r = v.release();
    if r.len() > 3 {
        return Err("which has more than three release numbers".to_owned());
    }
    let n = |i: usize| r.get(i).copied().unwrap_or(0);
    Ok(format!("{}.{}.{}", n(0), n(1), n(2)))
}

/// The first line of a possibly multi-line message, without a trailing period.
pub(crate) fn one_line(msg: &str) -> String {
    msg.lines()
        .next()
        .unwrap_or("")
        .trim()
        .trim_end_matches('.')
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Specifier -> lower bound. Cases follow the list and the PEP 440
    /// sections on exclusions, pre-/post-releases, epochs and whitespace
    /// (<https://peps.python.org/pep-0440/#version-specifiers>).
    #[test]
    fn lower_bound_ok() {
        let cases = [
            // The reference project's range.
            (">=0.9.14, <0.11.0", "0.9.14"),
            ("==0.9.14", "0.9.14"),
            // A bare version is treated as ==.
            ("0.9.14", "0.9.14"),
            ("~=0.9.14", "0.9.14"),
            // Whitespace anywhere PEP 440 allows it.
            ("  >= 0.9.14 ,< 0.11  ", "0.9.14"),
            (">=0.9.14,<0.11.0", "0.9.14"),
            // Order does not matter; the highest inclusive bound wins.
            ("<0.11, >=0.9.14", "0.9.14"),
            (">=0.8, >=0.9.14", "0.9.14"),
            // An exclusive bound below the inclusive one is fine.
            (">0.5, >=0.9.14", "0.9.14"),
            // != exclusions that do not hit the bound.
            (">=0.9.14, !=0.9.15", "0.9.14"),
            (">=0.9.14, !=0.10.*", "0.9.14"),
            // Missing release numbers are zero.
            (">=0.9", "0.9.0"),
            ("~=0.9", "0.9.0"),
            // The default epoch written out.
            (">=0!0.9.14", "0.9.14"),
            // An upper bound that is a pre-release does not matter.
            (">=0.9.14, <0.11.0a1", "0.9.14"),
            // Leading v and normalisation.
            ("==v0.9.14", "0.9.14"),
            ("===0.9.14", "0.9.14"),
        ];
        for (spec, want) in cases {
            assert_eq!(inclusive_lower_bound(spec).as_deref(), Ok(want), "{spec}");
        }
    }

    /// Specifier -> a fragment the error must contain.
    #[test]
    fn lower_bound_errors() {
        let cases = [
            (">0.5", "no inclusive lower bound"),
            ("<0.11", "no inclusive lower bound"),
            ("<=0.11, !=0.10.0", "no inclusive lower bound"),
            ("==0.9.*", "no inclusive lower bound"),
            ("!=0.9.14", "no inclusive lower bound"),
            (
                ">=1.0, <0.5",
                "unsatisfiable at its inclusive lower bound 1.0: <0.5 excludes it",
            ),
            (">=0.9.14, !=0.9.14", "!=0.9.14 excludes it"),
            (">=0.9, >0.9", ">0.9 excludes it"),
            ("==0.9.14, ==0.9.15", "==0.9.14 excludes it"),
            // Pre-, dev- and post-releases, local labels and epochs are no uv release.
            (">=0.9.14rc1", "a pre-release"),
            (">=0.9.14.dev0", "a pre-release"),
            ("==0.9.14.post1", "a post-release"),
            ("==0.9.14+local", "local version label"),
            (">=1!0.9.14", "has an epoch"),
            (">=0.9.14.1", "more than three release numbers"),
            ("", "is empty"),
            ("   ", "is empty"),
            ("latest", "is not a PEP 440 specifier set"),
            (">=", "is not a PEP 440 specifier set"),
            (">= 0.9.14 <0.11", "is not a PEP 440 specifier set"),
        ];
        for (spec, fragment) in cases {
            let err = inclusive_lower_bound(spec).expect_err(spec);
            assert!(err.contains(fragment), "{spec}: {err}");
            assert!(!err.contains('\n'), "{spec}: {err}");
        }
    }
}
