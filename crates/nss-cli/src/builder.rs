//! `CONTAINER_GPU_BUILDER`: the buildx builder every build runs on (`--builder NAME`), e.g.
//! one with a native node per platform or a remote BuildKit daemon. Only buildx has
//! builders: with another engine class the variable is refused before anything runs.

use crate::engine::{Engine, EngineKind};
use crate::env;
use crate::error::Error;
use crate::vars::Vars;

/// Refuses `CONTAINER_GPU_BUILDER` where it cannot apply, and a value that is no builder name.
pub(crate) fn check(engine: &Engine, vars: &Vars) -> Result<(), Error> {
    let Some(name) = vars
        .get(env::CONTAINER_GPU_BUILDER)
        .filter(|b| !b.is_empty())
    else {
        return Ok(());
    };
    let valid = !name.starts_with('-')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if !valid {
        return Err(Error::usage(
            format!(
                "{}={}: not a buildx builder name (letters, digits, '-', '_', '.')",
                env::CONTAINER_GPU_BUILDER,
                nss_buildspec::excerpt(name)
            ),
            "`docker buildx ls` lists them",
        ));
    }
    match engine.kind {
        EngineKind::DockerBuildx => Ok(()),
        EngineKind::DockerBuiltinBuildkit => Err(Error::usage(
            format!(
                "{}={name}: {} has no builders (they are buildx's)",
                env::CONTAINER_GPU_BUILDER,
                engine.kind.describe(),
            ),
            format!(
                "install buildx (apt install docker-buildx) or unset {}",
                env::CONTAINER_GPU_BUILDER
            ),
        )),
        EngineKind::Podman => Err(Error::usage(
            format!(
                "{}={name}: podman has no buildx builders (podman 4.3 has no remote build farm)",
                env::CONTAINER_GPU_BUILDER,
            ),
            format!(
                "unset {} or use CONTAINER_CMD=docker with buildx",
                env::CONTAINER_GPU_BUILDER
            ),
        )),
    }
}
