//! Generation rules: overrides, versions, licenses, URLs, and errors naming their source.

use std::collections::BTreeMap;

use nss_labels::{GitFacts, GitTag, ImageKind, keys};

use crate::util::{COMMIT, git, labels_with};

const BASE: &str = "[project]\nname = \"demo\"\nversion = \"1.0\"\ndescription = \"Demo\"\n";

fn runtime(pyproject: &str) -> nss_labels::Labels {
    labels_with(pyproject, ImageKind::Runtime, &git(), &BTreeMap::new()).expect(pyproject)
}

#[test]
fn overrides_apply_to_every_image_and_per_image_wins() {
    let text = format!(
        "{BASE}[tool.nss.labels]\ntitle = \"Demo App\"\nvendor = \"Example\"\n\"com.example.team\" = \"ml\"\nurl = \"\"\n\
         [tool.nss.labels.dev]\ndescription = \"Dev shell\"\nusage = \"docker run -it demo-dev bash\"\n"
    );
    let runtime = labels_with(&text, ImageKind::Runtime, &git(), &BTreeMap::new()).unwrap();
    let dev = labels_with(&text, ImageKind::Dev, &git(), &BTreeMap::new()).unwrap();
    assert_eq!(runtime.get(keys::TITLE), Some("Demo App"));
    assert_eq!(dev.get(keys::TITLE), Some("Demo App (dev)"));
    assert_eq!(runtime.get(keys::DESCRIPTION), Some("Demo"));
    assert_eq!(dev.get(keys::DESCRIPTION), Some("Dev shell"));
    assert_eq!(dev.get(keys::USAGE), Some("docker run -it demo-dev bash"));
    // the dev override leaves the runtime image the caller's usage text
    assert_eq!(runtime.get(keys::USAGE), Some(crate::util::USAGE));
    for l in [&runtime, &dev] {
        assert_eq!(l.get(keys::VENDOR), Some("Example"));
        assert_eq!(l.get("com.example.team"), Some("ml"));
        // an empty override removes the label (url fell back to the git remote)
        assert_eq!(l.get(keys::URL), None);
    }
    let origin = runtime
        .iter()
        .find(|l| l.key == keys::VENDOR)
        .unwrap()
        .origin
        .to_string();
    assert_eq!(origin, "pyproject.toml [tool.nss.labels] vendor");
}

#[test]
fn urls_from_project_urls_with_common_spellings() {
    let text = format!(
        "{BASE}[project.urls]\nHomepage = \"https://example.com\"\n\"Source Code\" = \"https://example.com/src\"\nDOCS = \"https://example.com/docs\"\n"
    );
    let l = runtime(&text);
    assert_eq!(l.get(keys::URL), Some("https://example.com"));
    assert_eq!(l.get(keys::SOURCE), Some("https://example.com/src"));
    assert_eq!(l.get(keys::DOCUMENTATION), Some("https://example.com/docs"));
    // no [project.urls]: source and url from the git remote
    let l = runtime(BASE);
    assert_eq!(
        l.get(keys::SOURCE),
        Some("https://github.com/NVIDIA-NeMo/Safe-Synthesizer")
    );
    assert_eq!(
        l.get(keys::URL),
        Some("https://github.com/NVIDIA-NeMo/Safe-Synthesizer")
    );
    assert_eq!(l.get(keys::DOCUMENTATION), None);
}

/// PEP 621 / PEP 639 license spellings.
#[test]
fn licenses_from_each_license_form() {
    let cases = [
        (
            "license = \"MIT OR Apache-2.0\"\n",
            Some("MIT OR Apache-2.0"),
        ),
        (
            "license = { text = \"BSD-3-Clause\" }\n",
            Some("BSD-3-Clause"),
        ),
        ("license = { file = \"LICENSE\" }\n", None),
        ("", None),
    ];
    for (line, want) in cases {
        let l = runtime(&format!("{BASE}{line}"));
        assert_eq!(l.get(keys::LICENSES), want, "{line}");
    }
    let l = runtime(&format!("{BASE}license = {{ file = \"LICENSE\" }}\n"));
    assert!(
        l.notes()
            .iter()
            .any(|n| n.contains("[tool.nss.labels] licenses")),
        "{:?}",
        l.notes()
    );
}

/// Version sources, in order: static, exact tag, describe, fallback, none.
#[test]
fn version_sources() {
    let dynamic = "[project]\nname = \"demo\"\ndynamic = [\"version\"]\n";
    let with_fallback =
        format!("{dynamic}[tool.uv-dynamic-versioning]\nfallback-version = \"0.0.0\"\n");
    let tag = |name: &str, distance| GitFacts {
        tag: Some(GitTag {
            name: name.into(),
            distance,
        }),
        ..git()
    };
    let cases: Vec<(&str, String, GitFacts, Option<String>)> = vec![
        (
            "static",
            BASE.to_string(),
            tag("v9.9.9", 0),
            Some("1.0".into()),
        ),
        (
            "exact tag",
            dynamic.to_string(),
            tag("v1.2.3", 0),
            Some("1.2.3".into()),
        ),
        (
            "tag without v",
            dynamic.to_string(),
            tag("2.0.0rc1", 0),
            Some("2.0.0rc1".into()),
        ),
        (
            "describe",
            dynamic.to_string(),
            tag("v1.2.3", 4),
            Some(format!("1.2.3.post4.dev0+{}", &COMMIT[..7])),
        ),
        ("fallback", with_fallback, git(), Some("0.0.0".into())),
        ("none", dynamic.to_string(), git(), None),
        (
            "missing",
            "[project]\nname = \"demo\"\n".to_string(),
            git(),
            None,
        ),
    ];
    for (case, text, facts, want) in cases {
        let l = labels_with(&text, ImageKind::Runtime, &facts, &BTreeMap::new()).expect(case);
        assert_eq!(l.get(keys::VERSION), want.as_deref(), "{case}");
        if want.is_none() {
            assert!(
                l.notes()
                    .iter()
                    .any(|n| n.contains("version label omitted")),
                "{case}: {:?}",
                l.notes()
            );
        }
    }
}

#[test]
fn created_falls_back_to_commit_time_then_omits() {
    let l = runtime(BASE);
    assert_eq!(l.get(keys::CREATED), Some("2025-01-02T03:04:05Z"));
    let empty = BTreeMap::from([("SOURCE_DATE_EPOCH".to_string(), " ".to_string())]);
    let l = labels_with(BASE, ImageKind::Runtime, &git(), &empty).unwrap();
    assert_eq!(
        l.get(keys::CREATED),
        Some("2025-01-02T03:04:05Z"),
        "empty counts as unset"
    );
    let no_time = GitFacts {
        commit_time: None,
        ..git()
    };
    let l = labels_with(BASE, ImageKind::Runtime, &no_time, &BTreeMap::new()).unwrap();
    assert_eq!(l.get(keys::CREATED), None);
    assert!(
        l.notes()
            .iter()
            .any(|n| n.contains("created label omitted"))
    );
}

/// A case: name, pyproject text, git facts, environment, what the error must say.
type ErrorCase = (
    &'static str,
    String,
    GitFacts,
    BTreeMap<String, String>,
    &'static [&'static str],
);

/// Every validation error names the label and where its value came from.
#[test]
fn errors_name_label_and_source() {
    let env = |v: &str| BTreeMap::from([("SOURCE_DATE_EPOCH".to_string(), v.to_string())]);
    let none = BTreeMap::new();
    let cases: Vec<ErrorCase> = vec![
        (
            "bad SPDX in [project] license",
            format!("{BASE}license = \"Apache 2\"\n"),
            git(),
            none.clone(),
            &[
                "label org.opencontainers.image.licenses",
                "pyproject.toml [project] license",
                "SPDX",
            ],
        ),
        (
            "bad SPDX in license.text",
            format!("{BASE}license = {{ text = \"Proprietary license\" }}\n"),
            git(),
            none.clone(),
            &[
                "org.opencontainers.image.licenses",
                "[project] license.text",
            ],
        ),
        (
            "relative homepage",
            format!("{BASE}[project.urls]\nHomepage = \"example.com\"\n"),
            git(),
            none.clone(),
            &[
                "label org.opencontainers.image.url",
                "[project.urls] Homepage",
                "absolute URL",
            ],
        ),
        (
            "credentials in a source URL",
            format!("{BASE}[project.urls]\nRepository = \"https://u:p@example.com/r\"\n"),
            git(),
            none.clone(),
            &[
                "org.opencontainers.image.source",
                "[project.urls] Repository",
                "credentials",
            ],
        ),
        (
            "newline in description",
            "[project]\nname = \"demo\"\ndescription = \"two\\nlines\"\n".to_string(),
            git(),
            none.clone(),
            &[
                "org.opencontainers.image.description",
                "[project] description",
                "control character",
            ],
        ),
        (
            "bad override key",
            format!("{BASE}[tool.nss.labels]\n\"Com.Example\" = \"x\"\n"),
            git(),
            none.clone(),
            &[
                "label Com.Example",
                "[tool.nss.labels] Com.Example",
                "lowercase",
            ],
        ),
        (
            "per-image override with a newline",
            format!("{BASE}[tool.nss.labels.test]\nusage = \"a\\nb\"\n"),
            git(),
            none.clone(),
            &[], // generated for runtime: the test table does not apply
        ),
        (
            "short revision from git",
            BASE.to_string(),
            GitFacts {
                commit: Some("abc1234".into()),
                ..git()
            },
            none.clone(),
            &[
                "label org.opencontainers.image.revision",
                "git: HEAD commit",
                "commit id",
            ],
        ),
        (
            "SOURCE_DATE_EPOCH not a number",
            BASE.to_string(),
            git(),
            env("yesterday"),
            &["SOURCE_DATE_EPOCH=\"yesterday\"", "seconds since 1970"],
        ),
        (
            "SOURCE_DATE_EPOCH out of range",
            BASE.to_string(),
            git(),
            env("99999999999999"),
            &["SOURCE_DATE_EPOCH", "seconds since 1970"],
        ),
    ];
    for (case, text, facts, env, needles) in cases {
        let result = labels_with(&text, ImageKind::Runtime, &facts, &env);
        if needles.is_empty() {
            assert!(result.is_ok(), "{case}: {result:?}");
            let err = labels_with(&text, ImageKind::Test, &facts, &env)
                .expect_err(case)
                .to_string();
            assert!(
                err.contains("[tool.nss.labels.test] usage"),
                "{case}: {err}"
            );
            continue;
        }
        let err = result.expect_err(case).to_string();
        for needle in needles {
            assert!(err.contains(needle), "{case}: {err:?} lacks {needle:?}");
        }
    }
}
