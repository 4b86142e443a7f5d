//! The registry build cache (`CONTAINER_GPU_CACHE`, `CONTAINER_TEST_CACHE`) and the buildx
//! builder (`CONTAINER_GPU_BUILDER`) as flags of each engine class.
//!
//! A cache variable names a registry repository, e.g. `registry.example/team/nss-cache`.
//! Each image keeps its own cache under its own tag, `REPO:runtime`, `REPO:dev`, `REPO:test`
//! (a tag given in the value is kept as a prefix: `REPO:ci` gives `REPO:ci-runtime`), so
//! builds of one image never overwrite another's cache. The runtime and dev images come
//! from one Dockerfile and share its stages: each of them reads both tags.
//!
//! Per engine class:
//! - buildx: `--cache-from type=registry,ref=R` for each tag read,
//!   `--cache-to type=registry,ref=R,mode=max` for its own tag (every stage's layers,
//!   the dependency stages included).
//! - docker with built-in BuildKit (20.10) has no `--cache-to`: BuildKit's inline cache
//!   (`--build-arg BUILDKIT_INLINE_CACHE=1`) writes the cache metadata into the image,
//!   which is tagged `R` and pushed; `--cache-from R` reads it. Only the layers of the
//!   image itself are cached that way: stages it copies from (the dependency stage) are
//!   rebuilt on a fresh machine when one of their layers is needed.
//! - podman (buildah): `--layers --cache-from REPO --cache-to REPO`: every step's layer is
//!   pushed to the repository under a tag of buildah's own (the step's cache key), so the
//!   three images share one repository; the per-image tags do not apply.

use super::ImageKind;
use crate::engine::{Engine, EngineKind};
use crate::reference::split_tag;

/// The build-arg that makes BuildKit write its inline cache into the image.
pub(crate) const INLINE_CACHE_ARG: &str = "BUILDKIT_INLINE_CACHE";

/// The registry cache of one image build.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildCache {
    /// The repository as the variable gives it (`REPO` or `REPO:TAG`).
    pub repo: String,
    /// The image built.
    pub image: ImageKind,
}

impl BuildCache {
    /// The cache reference of `image`: `REPO:KIND`, or `REPO:TAG-KIND` when a tag is given.
    pub fn reference(&self, image: ImageKind) -> String {
        let (repo, tag) = split_tag(&self.repo);
        match tag {
            Some(t) => format!("{repo}:{t}-{}", image.as_str()),
            None => format!("{repo}:{}", image.as_str()),
        }
    }

    /// The repository without its tag (podman's `--cache-from` / `--cache-to`).
    pub fn repository(&self) -> &str {
        split_tag(&self.repo).0
    }

    /// The references this build reads: the images sharing its Dockerfile, its own first.
    pub fn imports(&self) -> Vec<String> {
        let mut refs = vec![self.reference(self.image)];
        for other in [ImageKind::Runtime, ImageKind::Dev] {
            if other != self.image && self.image != ImageKind::Test {
                refs.push(self.reference(other));
            }
        }
        refs
    }

    /// The reference this build writes.
    pub fn export(&self) -> String {
        self.reference(self.image)
    }

    /// The build flags for `engine` (the inline cache's extra tag and push aside).
    pub fn build_args(&self, engine: &Engine) -> Vec<String> {
        let mut a = Vec::new();
        match engine.kind {
            EngineKind::DockerBuildx => {
                for r in self.imports() {
                    a.extend(["--cache-from".into(), format!("type=registry,ref={r}")]);
                }
                a.extend([
                    "--cache-to".into(),
                    format!("type=registry,ref={},mode=max", self.export()),
                ]);
            }
            EngineKind::DockerBuiltinBuildkit => {
                a.extend(["--build-arg".into(), format!("{INLINE_CACHE_ARG}=1")]);
                for r in self.imports() {
                    a.extend(["--cache-from".into(), r]);
                }
            }
            EngineKind::Podman => {
                let repo = self.repository().to_string();
                a.extend([
                    // buildah's cache key of a step hashes the creation times in its
                    // parent's history: without a fixed time, a metadata step (ARG, ENV)
                    // made on another machine has another key, and so has every step after.
                    "--timestamp".into(),
                    "0".into(),
                    "--layers".into(),
                    "--cache-from".into(),
                    repo.clone(),
                    "--cache-to".into(),
                    repo.clone(),
                ]);
                if engine.needs_tls_verify_false(&repo) {
                    a.push("--tls-verify=false".into());
                }
            }
        }
        a
    }

    /// docker with built-in BuildKit: the tag the image is also given and pushed under.
    pub fn inline_tag(&self, engine: &Engine) -> Option<String> {
        (engine.kind == EngineKind::DockerBuiltinBuildkit).then(|| self.export())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cache(repo: &str, image: ImageKind) -> BuildCache {
        BuildCache {
            repo: repo.into(),
            image,
        }
    }

    #[test]
    fn each_image_has_its_own_tag_and_reads_its_siblings() {
        let c = cache("127.0.0.1:5000/team/cache", ImageKind::Dev);
        assert_eq!(c.export(), "127.0.0.1:5000/team/cache:dev");
        assert_eq!(
            c.imports(),
            [
                "127.0.0.1:5000/team/cache:dev",
                "127.0.0.1:5000/team/cache:runtime"
            ]
        );
        let t = cache("127.0.0.1:5000/team/cache:ci", ImageKind::Test);
        assert_eq!(t.imports(), ["127.0.0.1:5000/team/cache:ci-test"]);
        assert_eq!(t.repository(), "127.0.0.1:5000/team/cache");
        // A port is not a tag.
        assert_eq!(
            cache("localhost:5000/c", ImageKind::Runtime).repository(),
            "localhost:5000/c"
        );
    }
}
