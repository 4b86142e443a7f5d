//! Several images in one call (`nss build --image runtime,dev,test`).
//!
//! buildx: one `docker buildx bake` over a bake definition written for this invocation
//! (one target per image, each with its own tag, build args, labels and cache), so BuildKit
//! solves the stages the images share once. docker with built-in BuildKit and podman: the
//! builds one after the other, the preflight image built once; later builds reuse the
//! shared stages from the engine's local cache (and the registry cache when set).

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::cmd::{Cmd, path_str};
use crate::engine::{Engine, EngineKind};

use super::build::{builder_for, image_steps};
use super::{BUILD_CA_SECRET_ID, BuildInputs, Plan, Preflight, Step, preflight_steps};

/// The bake definition's file name in its directory.
pub(crate) const BAKE_FILE: &str = "docker-bake.json";

/// Plans the builds of several images (in the order given; at least one).
pub fn plan_build_all(engine: &Engine, all: &[BuildInputs]) -> Plan {
    let mut steps = Vec::new();
    let mut notes: Vec<String> = Vec::new();
    // Each distinct preflight source built once; its image reused by every build.
    let mut preflights: Vec<(Preflight, Option<String>)> = Vec::new();
    let mut images = Vec::new();
    for inputs in all {
        let image = match preflights.iter().find(|(p, _)| *p == inputs.preflight) {
            Some((_, image)) => image.clone(),
            None => {
                let (s, image) = preflight_steps(
                    engine,
                    &inputs.preflight,
                    inputs.build_ca.as_deref(),
                    inputs.builder.as_deref(),
                );
                steps.extend(s);
                preflights.push((inputs.preflight.clone(), image.clone()));
                image
            }
        };
        images.push(image);
        if let Some(n) = inputs.attestations.note(engine)
            && !notes.contains(&n)
        {
            notes.push(n);
        }
    }
    if engine.kind == EngineKind::DockerBuildx && all.len() > 1 {
        let first = &all[0];
        let dir = first.scratch_dir.join(format!("nss-bake.{}", first.run_id));
        let definition = bake_definition(all, &images);
        steps.push(Step::WriteFile {
            dir: dir.clone(),
            name: BAKE_FILE.into(),
            contents: definition.to_string(),
        });
        let mut bake = Cmd::engine(engine).args(["buildx", "bake"]);
        if let Some(b) = builder_for(engine, first) {
            bake = bake.args(["--builder", b]);
        }
        if first.plain_progress {
            bake = bake.arg("--progress=plain");
        }
        bake = bake
            .arg("--load")
            .args(["-f".to_string(), path_str(&dir.join(BAKE_FILE))]);
        steps.push(Step::Run(bake));
        steps.push(Step::Cleanup(Box::new(Step::RemoveDir(dir))));
    } else {
        for (inputs, image) in all.iter().zip(&images) {
            steps.extend(image_steps(engine, inputs, image.as_deref()));
        }
    }
    Plan { steps, notes }
}

/// The bake definition (JSON): a `default` group of one target per image.
fn bake_definition(all: &[BuildInputs], preflight_images: &[Option<String>]) -> Value {
    let mut targets = serde_json::Map::new();
    for (inputs, preflight) in all.iter().zip(preflight_images) {
        let mut args: BTreeMap<String, String> = inputs.build_args.iter().cloned().collect();
        if let Some(p) = preflight {
            args.insert("PREFLIGHT_IMAGE".into(), p.clone());
        }
        let labels = inputs.labels.to_map();
        let mut t = json!({
            "context": path_str(&inputs.context),
            "dockerfile": path_str(&inputs.dockerfile),
            "tags": [inputs.tag],
            "platforms": [inputs.platform],
            "args": args,
            "labels": labels,
        });
        if let Some(target) = inputs.image.target() {
            t["target"] = json!(target);
        }
        if let Some(ca) = &inputs.build_ca {
            t["secret"] = json!([format!("id={BUILD_CA_SECRET_ID},src={}", path_str(ca))]);
        }
        if let Some(cache) = inputs.build_cache() {
            t["cache-from"] = json!(
                cache
                    .imports()
                    .iter()
                    .map(|r| format!("type=registry,ref={r}"))
                    .collect::<Vec<_>>()
            );
            t["cache-to"] = json!([format!("type=registry,ref={},mode=max", cache.export())]);
        }
        let mut attest = Vec::new();
        if inputs.attestations.sbom {
            attest.push("type=sbom");
        }
        if inputs.attestations.provenance {
            attest.push("type=provenance,mode=max");
        }
        if !attest.is_empty() {
            t["attest"] = json!(attest);
        }
        targets.insert(inputs.image.as_str().into(), t);
    }
    let names: Vec<&str> = all.iter().map(|i| i.image.as_str()).collect();
    json!({
        "group": { "default": { "targets": names } },
        "target": targets,
    })
}
