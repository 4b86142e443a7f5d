//! `nss doctor`: can this host build and run the project's images? One item per
//! capability: project, engine, BuildKit, the NVIDIA driver and the verdict for the
//! project's CUDA, GPU device nodes, GPU access from containers, arm64 emulation, registry.

use std::path::Path;

use nss_preflight::{Compatibility, Probe};

use crate::engine::{Engine, EngineKind};
use crate::env;
use crate::host_gpu::{self, DriverState};
use crate::session::Session;

/// One line of `nss doctor`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DoctorItem {
    /// What was checked.
    pub item: &'static str,
    /// True when fine.
    pub ok: bool,
    /// What was found, or the fix.
    pub detail: String,
    /// Facts as data for `--format json` (e.g. `driver`, `cuda_supported`, `verdict`).
    pub facts: Vec<(&'static str, String)>,
}

impl DoctorItem {
    fn new(item: &'static str, ok: bool, detail: impl Into<String>) -> Self {
        Self {
            item,
            ok,
            detail: detail.into(),
            facts: Vec::new(),
        }
    }

    fn fact(mut self, key: &'static str, value: impl Into<String>) -> Self {
        self.facts.push((key, value.into()));
        self
    }

    /// `{"item", "ok", "detail", ...facts}`.
    pub fn to_json(&self) -> serde_json::Value {
        let mut o = serde_json::Map::new();
        o.insert("item".into(), self.item.into());
        o.insert("ok".into(), self.ok.into());
        o.insert("detail".into(), self.detail.clone().into());
        for (k, v) in &self.facts {
            o.insert((*k).into(), v.clone().into());
        }
        serde_json::Value::Object(o)
    }
}

impl std::fmt::Display for DoctorItem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let status = if self.ok { "ok     " } else { "missing" };
        write!(f, "{status} {:<12} {}", self.item, self.detail)
    }
}

/// `nss doctor --format json`: `{"items": [{"item", "ok", "detail", ...}]}`.
pub fn to_json(items: &[DoctorItem]) -> serde_json::Value {
    serde_json::json!({ "items": items.iter().map(DoctorItem::to_json).collect::<Vec<_>>() })
}

/// Every item, reading the host through `probe` (the real system: `SystemProbe`).
pub fn doctor<P: Probe + ?Sized>(session: &Session, probe: &P) -> Vec<DoctorItem> {
    let mut items = Vec::new();
    let spec = session.project().and_then(|p| session.spec(&p, None));
    let cuda = spec.as_ref().ok().map(|s| s.cuda_version.value.clone());
    items.push(match &spec {
        Ok(_) => DoctorItem::new(
            "project",
            true,
            format!(
                "{} ({})",
                session.project_dir.display(),
                session.project_dir_source.describe()
            ),
        ),
        Err(e) => DoctorItem::new("project", false, e.to_string()),
    });
    let engine = match crate::engine::detect(&session.vars, true) {
        Ok(e) => {
            items.push(DoctorItem::new(
                "engine",
                true,
                format!("{} ({}) answers", e.kind.describe(), e.program),
            ));
            Some(e)
        }
        Err(e) => {
            items.push(DoctorItem::new("engine", false, e.to_string()));
            None
        }
    };
    if let Some(e) = &engine {
        let detail = match e.kind {
            EngineKind::DockerBuildx => "buildx plugin (multi-arch capable)",
            EngineKind::DockerBuiltinBuildkit => {
                "built-in BuildKit (DOCKER_BUILDKIT=1); multi-arch needs buildx: apt install docker-buildx"
            }
            EngineKind::Podman => "buildah inside podman (--manifest for multi-arch)",
        };
        items.push(match &e.cannot_build {
            Some(why) => DoctorItem::new(
                "buildkit",
                false,
                format!("{why}; {} (nss run works)", crate::engine::NO_BUILDKIT_FIX),
            ),
            None => DoctorItem::new("buildkit", true, detail),
        });
    }
    items.extend(gpu_items(probe, cuda.as_deref()));
    if let Some(e) = &engine {
        items.push(container_gpu_item(e, probe));
    }
    items.push(binfmt_item());
    if let Some(reg) = session
        .vars
        .value(env::CONTAINER_GPU_REGISTRY)
        .filter(|r| !r.is_empty())
    {
        items.push(registry_item(&reg));
    }
    items
}

/// The driver item (driver, the CUDA it supports, the verdict for the project's CUDA) and,
/// when a driver is loaded, the device-node item. With no driver: one item saying so.
pub(crate) fn gpu_items<P: Probe + ?Sized>(
    probe: &P,
    project_cuda: Option<&str>,
) -> Vec<DoctorItem> {
    let project = project_cuda.map_or_else(
        || "the project's CUDA is unknown".to_string(),
        |c| format!("the project's CUDA {c}"),
    );
    let needs = project_cuda
        .and_then(|c| c.parse().ok())
        .and_then(nss_preflight::minimum_driver)
        .map_or_else(String::new, |d| format!(" needs driver {d} or newer"));
    let with_cuda = |item: DoctorItem| match project_cuda {
        Some(c) => item.fact("cuda_project", c),
        None => item,
    };
    let driver = match host_gpu::driver_state(probe, project_cuda) {
        DriverState::Absent => {
            return vec![with_cuda(DoctorItem::new(
                "driver",
                false,
                format!(
                    "no NVIDIA driver found ({} is absent): GPU images cannot use a GPU here; {project}{needs} on the host that runs them",
                    nss_preflight::DRIVER_VERSION_PATH
                ),
            ))];
        }
        DriverState::Unreadable(msg) => {
            return vec![with_cuda(DoctorItem::new("driver", false, msg))];
        }
        DriverState::Present {
            driver,
            supports,
            verdict,
        } => {
            let native = supports.map_or_else(
                || "a CUDA older than 11.0".to_string(),
                |c| format!("CUDA {c}"),
            );
            let head = format!("NVIDIA driver {driver} supports {native} natively");
            let fix = project_cuda
                .and_then(|c| host_gpu::driver_finding(probe, c))
                .map(|(_, fix)| fix)
                .unwrap_or_default();
            let (ok, detail) = match verdict {
                None => (true, format!("{head}; {project}")),
                Some(Compatibility::Supported) => (true, format!("{head}; {project}: supported")),
                Some(Compatibility::Unknown) => (
                    true,
                    format!("{head}; {project}: supported (the driver is newer than nss's table)"),
                ),
                Some(Compatibility::MinorVersionCompatibility { .. }) => (
                    false,
                    format!(
                        "{head}; {project} runs only through CUDA minor-version compatibility (no PTX JIT of newer code): {fix}"
                    ),
                ),
                Some(Compatibility::TooOld { .. }) => (
                    false,
                    format!("{head}; {project} is a newer major: CUDA will not initialise: {fix}"),
                ),
            };
            let mut item =
                with_cuda(DoctorItem::new("driver", ok, detail)).fact("driver", driver.to_string());
            if let Some(c) = supports {
                item = item.fact("cuda_supported", c.to_string());
            }
            if let Some(v) = verdict {
                item = item.fact("verdict", host_gpu::verdict_name(v));
            }
            item
        }
    };
    let nodes = host_gpu::device_nodes(probe);
    let devices = if nodes.is_empty() {
        DoctorItem::new(
            "devices",
            false,
            format!(
                "the driver is loaded but none of {} exists: run `nvidia-modprobe -c 0 -u` (or load the nvidia modules) so the device nodes appear",
                nss_preflight::GPU_DEVICE_NODES.join(", ")
            ),
        )
    } else {
        DoctorItem::new("devices", true, nodes.join(" "))
    };
    vec![driver, devices]
}

/// Whether containers of this engine get GPUs: podman through a CDI spec, docker through
/// the NVIDIA runtime (or CDI).
fn container_gpu_item<P: Probe + ?Sized>(engine: &Engine, probe: &P) -> DoctorItem {
    let cdi = host_gpu::cdi_spec(probe);
    if engine.is_podman() {
        return match cdi {
            Some(p) => DoctorItem::new(
                "gpus",
                true,
                format!("CDI spec for nvidia.com/gpu: {}", p.display()),
            ),
            None => DoctorItem::new(
                "gpus",
                false,
                format!(
                    "no CDI spec for nvidia.com/gpu ({}): install the NVIDIA Container Toolkit and run `nvidia-ctk cdi generate --output=/etc/cdi/nvidia.yaml` (or CONTAINER_GPU_FLAG= to run without GPUs)",
                    host_gpu::CDI_SPEC_PATHS.join(", ")
                ),
            ),
        };
    }
    let cmd = crate::cmd::Cmd::engine(engine).args(["info", "--format", "{{json .Runtimes}}"]);
    match (crate::exec::capture(&cmd), cdi) {
        (Ok(out), _) if out.contains("nvidia") => {
            DoctorItem::new("gpus", true, "docker's nvidia runtime is registered")
        }
        (_, Some(p)) => DoctorItem::new(
            "gpus",
            true,
            format!("CDI spec for nvidia.com/gpu: {}", p.display()),
        ),
        _ => DoctorItem::new(
            "gpus",
            false,
            "docker has no nvidia runtime: `--gpus all` will fail; install the NVIDIA Container Toolkit (https://docs.nvidia.com/datacenter/cloud-native/container-toolkit/) and run `nvidia-ctk runtime configure --runtime=docker`, or set CONTAINER_GPU_FLAG=",
        ),
    }
}

fn binfmt_item() -> DoctorItem {
    if std::env::consts::ARCH == "aarch64" {
        return DoctorItem::new("arm64", true, "native arm64 host");
    }
    let entry = Path::new("/proc/sys/fs/binfmt_misc/qemu-aarch64");
    match std::fs::read_to_string(entry) {
        Ok(t) if t.starts_with("enabled") => {
            DoctorItem::new("arm64", true, "binfmt qemu-aarch64 enabled")
        }
        _ => DoctorItem::new(
            "arm64",
            false,
            "no binfmt entry for arm64 (/proc/sys/fs/binfmt_misc/qemu-aarch64): apt install qemu-user-static binfmt-support (mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc first if it is not mounted)",
        ),
    }
}

fn registry_item(registry: &str) -> DoctorItem {
    use std::net::ToSocketAddrs;
    let host = registry.split('/').next().unwrap_or(registry);
    let addr = if host.contains(':') && !host.ends_with(']') {
        host.to_string()
    } else {
        format!("{host}:443")
    };
    let reachable = addr
        .to_socket_addrs()
        .ok()
        .and_then(|mut a| a.next())
        .is_some_and(|a| {
            std::net::TcpStream::connect_timeout(&a, std::time::Duration::from_secs(5)).is_ok()
        });
    if reachable {
        DoctorItem::new("registry", true, format!("{addr} reachable"))
    } else {
        DoctorItem::new(
            "registry",
            false,
            format!(
                "{addr} does not answer: check CONTAINER_GPU_REGISTRY={registry}, the network, or start the registry"
            ),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nss_preflight::Snapshot;

    const H200: &str = "NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  580.159.04  Release Build  (nixbld@)\n";
    const R535: &str =
        "NVRM version: NVIDIA UNIX x86_64 Kernel Module  535.104.05  Sat Aug 19 2023\n";
    const R470: &str =
        "NVRM version: NVIDIA UNIX x86_64 Kernel Module  470.42.01  Tue Jun 15 2021\n";

    fn gpu_host(version_file: &str) -> Snapshot {
        Snapshot::new()
            .file(nss_preflight::DRIVER_VERSION_PATH, version_file)
            .device("/dev/nvidiactl")
            .device("/dev/nvidia0")
    }

    fn fact<'a>(item: &'a DoctorItem, key: &str) -> Option<&'a str> {
        item.facts
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.as_str())
    }

    #[test]
    fn no_driver_is_one_line_naming_the_project_cuda() {
        let items = gpu_items(&Snapshot::new(), Some("12.8.1"));
        assert_eq!(items.len(), 1, "{items:?}");
        let line = items[0].to_string();
        assert!(line.starts_with("missing driver "), "{line}");
        assert!(line.contains("no NVIDIA driver found"), "{line}");
        assert!(
            line.contains("CUDA 12.8.1 needs driver 570.26.00"),
            "{line}"
        );
        assert!(!line.contains('\n'));
        assert_eq!(fact(&items[0], "cuda_project"), Some("12.8.1"));
    }

    #[test]
    fn verdicts_follow_the_driver_table() {
        // (case, /proc file, project CUDA, ok, verdict, native CUDA, words in the detail)
        let cases = [
            (
                "H200 580 runs 12.8",
                H200,
                "12.8.1",
                true,
                "supported",
                "13.0",
                "supported",
            ),
            (
                "H200 580 runs 13.0",
                H200,
                "13.0.0",
                true,
                "supported",
                "13.0",
                "supported",
            ),
            (
                "H200 580 runs 13.1 by minor compat",
                H200,
                "13.1.0",
                false,
                "minor-version-compatibility",
                "13.0",
                "upgrade the host driver",
            ),
            (
                "535 runs 12.8 by minor compat",
                R535,
                "12.8.1",
                false,
                "minor-version-compatibility",
                "12.2",
                "CUDA_VERSION=12.2.x",
            ),
            (
                "470 is too old for 12.8",
                R470,
                "12.8.1",
                false,
                "too-old",
                "11.4",
                "CUDA will not initialise",
            ),
            (
                "580 is too old for 14.0",
                H200,
                "14.0.0",
                false,
                "too-old",
                "13.0",
                "upgrade the host driver",
            ),
        ];
        for (case, file, cuda, ok, verdict, native, words) in cases {
            let items = gpu_items(&gpu_host(file), Some(cuda));
            let driver = &items[0];
            assert_eq!(driver.item, "driver", "{case}");
            assert_eq!(driver.ok, ok, "{case}: {driver}");
            assert_eq!(fact(driver, "verdict"), Some(verdict), "{case}");
            assert_eq!(fact(driver, "cuda_supported"), Some(native), "{case}");
            assert_eq!(fact(driver, "cuda_project"), Some(cuda), "{case}");
            assert!(driver.detail.contains(words), "{case}: {driver}");
            assert!(
                driver.detail.contains(&format!("CUDA {cuda}")),
                "{case}: {driver}"
            );
        }
    }

    #[test]
    fn device_nodes_are_listed_or_missing() {
        let items = gpu_items(&gpu_host(H200), Some("12.8.1"));
        assert_eq!(items[1].item, "devices");
        assert!(items[1].ok);
        assert_eq!(items[1].detail, "/dev/nvidiactl /dev/nvidia0");
        let bare = Snapshot::new().file(nss_preflight::DRIVER_VERSION_PATH, H200);
        let items = gpu_items(&bare, Some("12.8.1"));
        assert!(!items[1].ok, "{}", items[1]);
        assert!(items[1].detail.contains("nvidia-modprobe"), "{}", items[1]);
    }

    #[test]
    fn unreadable_driver_file_is_said() {
        let items = gpu_items(
            &Snapshot::new().file(nss_preflight::DRIVER_VERSION_PATH, "garbage\n"),
            Some("12.8.1"),
        );
        assert_eq!(items.len(), 1);
        assert!(!items[0].ok);
        assert!(
            items[0]
                .detail
                .starts_with(nss_preflight::DRIVER_VERSION_PATH),
            "{}",
            items[0]
        );
    }

    #[test]
    fn cdi_spec_is_found_under_etc_or_var_run() {
        assert_eq!(host_gpu::cdi_spec(&Snapshot::new()), None);
        let snap = Snapshot::new().file("/var/run/cdi/nvidia.yaml", "kind: nvidia.com/gpu\n");
        assert_eq!(
            host_gpu::cdi_spec(&snap),
            Some(std::path::PathBuf::from("/var/run/cdi/nvidia.yaml"))
        );
        let other = Snapshot::new().file("/etc/cdi/nvidia.yaml", "kind: example.com/fpga\n");
        assert_eq!(host_gpu::cdi_spec(&other), None);
    }

    #[test]
    fn json_items_carry_item_ok_detail_and_facts() {
        let items = gpu_items(&gpu_host(H200), Some("12.8.1"));
        let json = to_json(&items);
        let first = &json["items"][0];
        assert_eq!(first["item"], "driver");
        assert_eq!(first["ok"], true);
        assert_eq!(first["driver"], "580.159.04");
        assert_eq!(first["cuda_project"], "12.8.1");
        assert!(first["detail"].as_str().is_some_and(|d| d.contains("13.0")));
    }
}
