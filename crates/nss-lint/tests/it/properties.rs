//! Property tests: linting and ignore matching never panic, whatever the input.

use std::path::Path;

use proptest::prelude::*;

/// Pieces of Dockerfiles, including malformed ones, joined into arbitrary files.
const PIECES: &[&str] = &[
    "FROM debian:12 AS a",
    "FROM ${BASE}",
    "FROM a",
    "ARG BASE=python:${PY",
    "ARG PY",
    "RUN apt-get install -y x \\",
    "  && rm -rf /var/lib/apt/lists/*",
    "RUN --mount=type=cache,target=/root/.cache/uv uv sync",
    "RUN [\"sh\", \"-c\", \"pip install 'a\"]",
    "RUN echo \"unterminated",
    "COPY . .",
    "COPY --from=x:latest /a /b",
    "ENV A=1 B=\"2 3\"",
    "ENV UV_LINK_MODE copy",
    "USER root",
    "ENTRYPOINT tini -- app",
    "CMD [\"a\"]",
    "# nss-lint ignore=NSS008",
    "# nss-lint ignore=",
    "# nss-lint",
    "# escape=`",
    "RUN a `",
    "",
    "\\",
    "ü ${",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn lint_never_panics(lines in prop::collection::vec(prop::sample::select(PIECES), 0..24)) {
        let text = lines.join("\n");
        // Either findings or a parse error; both must render as one line each.
        match nss_lint::lint(&text) {
            Ok(findings) => {
                for f in findings {
                    prop_assert!(!f.display_with(Path::new("Dockerfile")).to_string().contains('\n'));
                    prop_assert!(f.line >= 1);
                }
            }
            Err(e) => prop_assert!(!e.to_string().contains('\n')),
        }
    }

    #[test]
    fn lint_never_panics_on_any_text(text in "\\PC{0,200}") {
        let _ = nss_lint::lint(&text);
    }
}
