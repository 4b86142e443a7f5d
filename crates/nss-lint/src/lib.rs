//! Dockerfile conventions for CUDA + uv images, as rules with stable ids.
//!
//! `nss lint` and `nss check` call [`lint_file`]; each [`Finding`] prints as
//! `FILE:LINE: RULE-ID message`. The Dockerfile is read with `nss-dockerfile`,
//! the workspace's one reader (parser directives, continuations, heredocs,
//! JSON and shell forms, flags such as `RUN --mount=...`).
//!
//! | id | name | checks |
//! |----|------|--------|
//! | `NSS001` | `multi-stage` | at least two stages |
//! | `NSS002` | `pinned-base-image` | every `FROM`, and every `COPY --from=` naming an image, has a tag other than `latest`, or a digest; `${ARG}` resolves through its default; `scratch` and earlier stages are fine |
//! | `NSS003` | `apt-no-install-recommends` | `apt-get install --no-install-recommends` |
//! | `NSS004` | `apt-cache` | apt installs mount a cache on `/var/cache/apt` or remove `/var/lib/apt/lists/*` |
//! | `NSS005` | `package-cache-mount` | `uv sync`, `uv pip install`, `pip install`, ... mount a build cache |
//! | `NSS006` | `uv-link-mode` | uv with a cache mount runs with `UV_LINK_MODE=copy` |
//! | `NSS007` | `deps-before-source` | dependencies are installed before the source is copied |
//! | `NSS008` | `non-root-user` | the stage that runs the app sets a non-root `USER` |
//! | `NSS009` | `init-process` | the stage that runs the app starts through tini (or another init) |
//! | `NSS010` | `json-form` | `ENTRYPOINT` and `CMD` use the JSON form |
//! | `NSS011` | `suppression` | `# nss-lint ignore=` comments name known rules and give a reason |
//!
//! "The stage that runs the app" is the final stage plus any stage with its own
//! `ENTRYPOINT`; `USER` and `ENTRYPOINT` are inherited from an earlier stage
//! named in `FROM`. A comment `# nss-lint ignore=RULE-ID reason` on the line(s)
//! before an instruction, or inside it, suppresses that rule's finding for that
//! instruction; a suppression without a reason is itself a finding (`NSS011`).
//!
//! # Reading
//!
//! A file is linted when BuildKit would build it: [`lint`] errs only where
//! `nss-dockerfile` (and so BuildKit) errs. `ENTRYPOINT []` resets the
//! entrypoint (the stage then has none); JSON that does not parse is the shell
//! form; the commands of a `RUN` heredoc are checked like a shell-form `RUN`.
//! Shell-form commands are split into simple commands with shell quoting
//! (`shell-words`); variables are not expanded.
//!
//! [`scan_context`] looks at a build context before a build: its size, whether a
//! `.dockerignore` exists, and whether `.venv`, `.git`, `node_modules` or large
//! files would be sent to the engine.
//!
//! ```
//! use nss_lint::{lint, PINNED_BASE_IMAGE, NON_ROOT_USER};
//!
//! let findings = lint(r#"
//! FROM python:3.11-slim AS build
//! RUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt
//!
//! FROM python:latest
//! COPY --from=build /usr/local /usr/local
//! ## nss-lint ignore=NSS008 this image only runs one-off maintenance as root
//! USER root
//! ENTRYPOINT ["tini", "--", "python"]
//! "#)?;
//!
//! assert_eq!(findings.len(), 1);
//! assert_eq!(findings[0].rule, PINNED_BASE_IMAGE);
//! assert_eq!(findings[0].line, 5);
//! assert_eq!(
//!     findings[0].display_with("Dockerfile".as_ref()).to_string(),
//!     "Dockerfile:5: NSS002 base image `python:latest` uses the `latest` tag: pin a version tag or digest",
//! );
//! assert!(!findings.iter().any(|f| f.rule == NON_ROOT_USER));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod context;
mod error;
mod finding;
mod lint;
mod report;
mod rules;
mod shell;
mod suppress;

pub use context::{
    ContextReport, ContextWarning, DEFAULT_LARGE_FILE_BYTES, ScanOptions, UNWANTED_DIRS,
    scan_context,
};
pub use error::Error;
pub use finding::Finding;
pub use lint::{INIT_PROGRAMS, lint, lint_dockerfile, lint_file, lint_named};
pub use report::{JsonFinding, RULES_DOC, help_uri, to_json, to_sarif};
pub use rules::{
    APT_CACHE, APT_NO_INSTALL_RECOMMENDS, DEPS_BEFORE_SOURCE, INIT_PROCESS, JSON_FORM, MULTI_STAGE,
    NON_ROOT_USER, PACKAGE_CACHE_MOUNT, PINNED_BASE_IMAGE, RULES, Rule, SUPPRESSION, UV_LINK_MODE,
    rule,
};
