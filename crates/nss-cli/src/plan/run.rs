//! `run`: one named container with the project, the cache and the GPU.

use std::path::{Path, PathBuf};

use crate::cmd::{Cmd, path_str, quote};
use crate::engine::{Engine, EngineKind};

use super::{HF_CACHE_MOUNT, ImageKind, ImageKindExt, Plan, Step, WORKSPACE};

/// The options binding host directory `src` at `dst`: `-v SRC:DST`, or `--mount
/// type=bind,src=SRC,dst=DST` when SRC holds a `:` (which `-v` reads as a separator).
/// The session refuses a source holding both `:` and `,` before planning.
fn bind_args(src: &Path, dst: &str) -> [String; 2] {
    let src = path_str(src);
    if src.contains(':') {
        ["--mount".into(), format!("type=bind,src={src},dst={dst}")]
    } else {
        ["-v".into(), format!("{src}:{dst}")]
    }
}

/// Everything one `run` needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunInputs {
    /// The image to run.
    pub image: String,
    /// Which image it is (the test image gets no GPU options).
    pub kind: ImageKind,
    /// The platform.
    pub platform: String,
    /// The container name (unique per invocation).
    pub name: String,
    /// The project directory, mounted at `/workspace`.
    pub project_dir: PathBuf,
    /// The host HF cache, mounted at `/workspace/.hf_cache`.
    pub hf_cache: PathBuf,
    /// `CONTAINER_GPU_FLAG`, split.
    pub gpu_flag: Vec<String>,
    /// podman: a CDI spec for `nvidia.com/gpu` exists, so `--gpus X` becomes `--device nvidia.com/gpu=X`.
    pub cdi_available: bool,
    /// `CONTAINER_EXTRA_MOUNTS`, split and validated.
    pub extra_mounts: Vec<String>,
    /// Names of secrets set in the environment, passed as `-e NAME`.
    pub secrets: Vec<String>,
    /// The command, split.
    pub cmd: Vec<String>,
    /// stdin is a terminal (`-i`).
    pub stdin_tty: bool,
    /// stdin and stdout are terminals (`-t`).
    pub tty: bool,
}

/// Plans a `run`: the HF cache directory, then one named, removed-on-exit container.
pub fn plan_run(engine: &Engine, r: &RunInputs) -> Plan {
    let mut notes = Vec::new();
    let mut c = Cmd::engine(engine).args(["run", "--rm", "--name", &r.name]);
    if r.stdin_tty {
        c = c.arg("-i");
    }
    if r.tty {
        c = c.arg("-t");
    }
    c = c.args(["--platform", &r.platform]).arg("--shm-size=1g");
    if r.kind != ImageKind::Test {
        c = c.args(gpu_args(engine, &r.gpu_flag, r.cdi_available, &mut notes));
    }
    c = c
        .args(bind_args(&r.project_dir, WORKSPACE))
        .args(bind_args(&r.hf_cache, HF_CACHE_MOUNT))
        .args(["-e".to_string(), format!("HF_HOME={HF_CACHE_MOUNT}")])
        .args(["-e", "DEBIAN_FRONTEND=noninteractive"])
        .args(r.extra_mounts.iter().cloned())
        .args(["-w", WORKSPACE]);
    for s in &r.secrets {
        c = c.args(["-e", s]);
    }
    c = c.arg(r.image.clone()).args(r.cmd.iter().cloned());
    Plan {
        steps: vec![
            Step::CreateDir(r.hf_cache.clone()),
            Step::Container {
                cmd: c,
                name: r.name.clone(),
                engine: engine.clone(),
            },
        ],
        notes,
    }
}

/// `CONTAINER_GPU_FLAG` for this engine: podman ignores `--gpus`, so it becomes CDI's
/// `--device nvidia.com/gpu=...` when a CDI spec exists, and is dropped (with a note) otherwise.
fn gpu_args(engine: &Engine, flag: &[String], cdi: bool, notes: &mut Vec<String>) -> Vec<String> {
    if engine.honors_gpus_flag() {
        return flag.to_vec();
    }
    let mut out = Vec::new();
    let mut it = flag.iter();
    while let Some(a) = it.next() {
        let value = if a == "--gpus" {
            it.next().cloned()
        } else {
            a.strip_prefix("--gpus=").map(str::to_string)
        };
        match value {
            Some(v) if cdi => {
                let v = if v == "all" { "all".to_string() } else { v.trim_start_matches("device=").to_string() };
                out.extend(["--device".to_string(), format!("nvidia.com/gpu={v}")]);
            }
            Some(_) => notes.push(
                "podman ignores --gpus and no CDI spec for nvidia.com/gpu was found (/etc/cdi, /var/run/cdi): the container gets no GPU; run `nvidia-ctk cdi generate --output=/etc/cdi/nvidia.yaml`, or set CONTAINER_GPU_FLAG= to silence this".into(),
            ),
            None => out.push(a.clone()),
        }
    }
    out
}

/// The `org.opencontainers.image.usage` text: this image's run plan with `$PWD`/`$HOME`
/// placeholders instead of machine paths (and without the per-run name).
pub(crate) fn usage_text(kind: ImageKind, image: &str) -> String {
    let engine = Engine::new(EngineKind::DockerBuildx, "docker");
    let inputs = RunInputs {
        image: image.to_string(),
        kind,
        platform: String::new(),
        name: String::new(),
        project_dir: PathBuf::from("$PWD"),
        hf_cache: PathBuf::from("$HOME/.cache/huggingface"),
        gpu_flag: vec!["--gpus".into(), "all".into()],
        cdi_available: false,
        extra_mounts: Vec::new(),
        secrets: vec!["HF_TOKEN".into()],
        cmd: kind.default_cmd(),
        stdin_tty: false,
        tty: false,
    };
    let plan = plan_run(&engine, &inputs);
    let Some(Step::Container { cmd, .. }) = plan.steps.last() else {
        return String::new();
    };
    let mut words = vec!["docker".to_string()];
    let mut it = cmd.args.iter();
    while let Some(a) = it.next() {
        if a == "--name" || a == "--platform" {
            it.next();
            continue;
        }
        words.push(match a.split_once(':') {
            Some((src, rest)) if src.starts_with('$') => {
                let (var, tail) = src
                    .split_once('/')
                    .map_or((src, String::new()), |(v, t)| (v, format!("/{t}")));
                format!("\"{var}{tail}\":{rest}")
            }
            _ => quote(a),
        });
    }
    words.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each image's usage label is its own run line: the image, its default command, GPUs
    /// only for the CUDA images.
    #[test]
    fn usage_text_differs_per_image() {
        let runtime = usage_text(ImageKind::Runtime, "nss-gpu:latest");
        let dev = usage_text(ImageKind::Dev, "nss-gpu-dev:latest");
        let test = usage_text(ImageKind::Test, "nss-test:latest");
        assert!(runtime.starts_with("docker run --rm "), "{runtime}");
        assert!(runtime.ends_with(" nss-gpu:latest --help"), "{runtime}");
        assert!(runtime.contains(r#"-v "$PWD":/workspace"#), "{runtime}");
        assert!(
            dev.ends_with(" nss-gpu-dev:latest make test"),
            "dev carries the runtime usage: {dev}"
        );
        assert!(
            runtime.contains("--gpus all") && dev.contains("--gpus all"),
            "{runtime}\n{dev}"
        );
        assert!(
            !test.contains("--gpus"),
            "the CPU image asks for GPUs: {test}"
        );
        assert!(test.ends_with(" nss-test:latest"), "{test}");
        assert!(
            !runtime.contains("--name") && !runtime.contains("--platform"),
            "{runtime}"
        );
    }
}
