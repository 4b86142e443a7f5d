//! The rule table: stable ids, short names and what each rule checks.

use serde::Serialize;

/// One lint rule: a stable id (`NSS001`), a kebab-case name and a one-line summary.
///
/// Ids never change meaning once published; a retired rule keeps its id unused.
/// Suppressions (`# nss-lint ignore=NSS008 reason`) accept the id or the name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Rule {
    /// Stable id printed in findings, e.g. `NSS002`.
    pub id: &'static str,
    /// Kebab-case name, e.g. `pinned-base-image`.
    pub name: &'static str,
    /// What the rule checks, in one sentence.
    pub summary: &'static str,
}

/// Declares each rule once: its constant, and its place in [`RULES`] (the order given).
macro_rules! rules {
    ($($(#[$doc:meta])* $konst:ident = $id:literal, $name:literal, $summary:literal;)*) => {
        $(
            $(#[$doc])*
            pub const $konst: Rule = Rule { id: $id, name: $name, summary: $summary };
        )*

        /// Every rule, in id order.
        pub const RULES: &[Rule] = &[$($konst),*];
    };
}

rules! {
    /// `NSS001` multi-stage: the Dockerfile has at least two `FROM` stages, so build
    /// tools and caches stay out of the image that ships.
    MULTI_STAGE = "NSS001", "multi-stage",
        "the Dockerfile has at least two stages (build tools stay out of the shipped image)";

    /// `NSS002` pinned-base-image: every `FROM` (and every `COPY --from=` that names
    /// an image rather than a stage) has a tag other than `latest`, or a digest.
    /// `scratch` and earlier stages are fine; `${ARG}` references in `FROM` resolve
    /// through the ARG defaults declared before the first `FROM`.
    PINNED_BASE_IMAGE = "NSS002", "pinned-base-image",
        "every base image (and `COPY --from` image) has a pinned tag or digest \
        (not `latest`, not untagged); ARG references resolve through their defaults";

    /// `NSS003` apt-no-install-recommends: `apt-get install` passes
    /// `--no-install-recommends` (or sets `APT::Install-Recommends=false`).
    APT_NO_INSTALL_RECOMMENDS = "NSS003", "apt-no-install-recommends",
        "`apt-get install` passes `--no-install-recommends`";

    /// `NSS004` apt-cache: a `RUN` that installs apt packages either mounts a cache on
    /// `/var/cache/apt` (or `/var/lib/apt`) or removes `/var/lib/apt/lists` in the same step.
    APT_CACHE = "NSS004", "apt-cache",
        "apt installs use `--mount=type=cache,target=/var/cache/apt` \
        or remove `/var/lib/apt/lists/*` in the same RUN";

    /// `NSS005` package-cache-mount: a `RUN` that installs Python packages with uv
    /// (`uv sync`, `uv pip install|sync`, `uv tool install`, `uv add`) or pip
    /// mounts a build cache (`--mount=type=cache,target=/root/.cache/uv`).
    PACKAGE_CACHE_MOUNT = "NSS005", "package-cache-mount",
        "uv and pip installs mount a build cache (`--mount=type=cache,target=/root/.cache/uv`)";

    /// `NSS006` uv-link-mode: a `RUN` that runs uv with a cache mount has
    /// `UV_LINK_MODE=copy` in effect (ENV or ARG in the stage or a parent stage, an
    /// inline assignment, or `--link-mode copy`): hard links into a cache mount
    /// dangle once the mount is gone.
    UV_LINK_MODE = "NSS006", "uv-link-mode",
        "uv runs with a cache mount have `UV_LINK_MODE=copy` set";

    /// `NSS007` deps-before-source: within a stage, the dependency install
    /// (`uv sync`, `uv pip sync`, `pip install -r`, ...) comes before the project
    /// source is copied (`COPY . .`, `COPY src ...`), so a source edit does not
    /// invalidate the dependency layer. A stage built `FROM` a stage that installed
    /// the dependencies has them already.
    DEPS_BEFORE_SOURCE = "NSS007", "deps-before-source",
        "dependency manifests are copied and installed before the project source is copied";

    /// `NSS008` non-root-user: the stage that runs the app (the final stage and any
    /// stage with its own `ENTRYPOINT` or `CMD`) ends with a non-root `USER`.
    NON_ROOT_USER = "NSS008", "non-root-user",
        "the stage that runs the app sets a non-root `USER`";

    /// `NSS009` init-process: the stage that runs the app starts through an init
    /// (`tini`, `dumb-init`, `catatonit`) as PID 1, so signals are forwarded and
    /// zombies reaped. Running with `docker run --init` instead is a deliberate
    /// choice: suppress the finding with that reason.
    INIT_PROCESS = "NSS009", "init-process",
        "the stage that runs the app has an ENTRYPOINT starting with tini or another init";

    /// `NSS010` json-form: `ENTRYPOINT` and `CMD` use the JSON (exec) form, so the
    /// program gets signals directly instead of through `/bin/sh -c`.
    JSON_FORM = "NSS010", "json-form",
        "`ENTRYPOINT` and `CMD` use the JSON (exec) form";

    /// `NSS011` suppression: every `# nss-lint ignore=RULE reason` comment names
    /// known rules and gives a reason.
    SUPPRESSION = "NSS011", "suppression",
        "`# nss-lint ignore=` comments name a known rule and give a reason";
}

/// Looks a rule up by id (`NSS008`, any case) or name (`non-root-user`).
#[must_use]
pub fn rule(key: &str) -> Option<Rule> {
    RULES
        .iter()
        .copied()
        .find(|r| r.id.eq_ignore_ascii_case(key) || r.name.eq_ignore_ascii_case(key))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_sequential_and_names_kebab_case() {
        for (i, r) in RULES.iter().enumerate() {
            assert_eq!(r.id, format!("NSS{:03}", i + 1), "{r:?}");
            assert!(
                r.name.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
                "{r:?}"
            );
        }
    }

    #[test]
    fn lookup_by_id_or_name() {
        assert_eq!(rule("NSS008"), Some(NON_ROOT_USER));
        assert_eq!(rule("nss008"), Some(NON_ROOT_USER));
        assert_eq!(rule("non-root-user"), Some(NON_ROOT_USER));
        assert_eq!(rule("NSS999"), None);
    }
}
