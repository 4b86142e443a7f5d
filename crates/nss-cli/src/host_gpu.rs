//! The host's NVIDIA GPU as nss sees it before any container starts: the driver, the CUDA
//! it supports, the verdict for the project's `CUDA_VERSION`, the device nodes and the
//! CDI spec podman needs. Read through nss-preflight's [`Probe`], so tests inject `/proc`
//! and `/dev` trees with a [`nss_preflight::Snapshot`] and nothing here spawns a process.

use std::io;
use std::path::{Path, PathBuf};

use nss_preflight::{
    Check, Compatibility, CudaVersion, DRIVER_VERSION_PATH, DirState, DriverVersion, FsStats,
    GPU_DEVICE_NODES, Probe, Settings, Writability,
};

/// Where the NVIDIA Container Toolkit writes its CDI spec (`nvidia-ctk cdi generate
/// --output=...` as documented, and the toolkit's refresh service).
pub(crate) const CDI_SPEC_PATHS: [&str; 4] = [
    "/etc/cdi/nvidia.yaml",
    "/etc/cdi/nvidia.json",
    "/var/run/cdi/nvidia.yaml",
    "/var/run/cdi/nvidia.json",
];

/// The first CDI spec that names `nvidia.com/gpu` devices.
pub(crate) fn cdi_spec<P: Probe + ?Sized>(probe: &P) -> Option<PathBuf> {
    CDI_SPEC_PATHS.iter().map(PathBuf::from).find(|p| {
        probe
            .read_file(p)
            .is_ok_and(|t| t.contains("nvidia.com/gpu"))
    })
}

/// What the host's driver means for the project's images.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum DriverState {
    /// `/proc/driver/nvidia/version` is absent: no NVIDIA kernel module is loaded.
    Absent,
    /// The file exists but cannot be read or parsed.
    Unreadable(String),
    /// A driver, the newest CUDA it supports natively, and how it relates to the project's.
    Present {
        /// The kernel module's version.
        driver: DriverVersion,
        /// The newest CUDA it supports natively (`None`: older than CUDA 11.0's driver).
        supports: Option<CudaVersion>,
        /// The verdict for the project's CUDA (`None`: the project's CUDA is unknown).
        verdict: Option<Compatibility>,
    },
}

/// Reads the driver from [`DRIVER_VERSION_PATH`] and judges the project's `CUDA_VERSION`
/// (e.g. `12.8.1`) with nss-preflight's driver table.
pub(crate) fn driver_state<P: Probe + ?Sized>(
    probe: &P,
    project_cuda: Option<&str>,
) -> DriverState {
    let text = match probe.read_file(Path::new(DRIVER_VERSION_PATH)) {
        Ok(t) => t,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return DriverState::Absent,
        Err(e) => {
            return DriverState::Unreadable(format!("cannot read {DRIVER_VERSION_PATH}: {e}"));
        }
    };
    let driver = match DriverVersion::from_proc(&text) {
        Ok(d) => d,
        Err(e) => return DriverState::Unreadable(format!("{DRIVER_VERSION_PATH}: {e}")),
    };
    let image = project_cuda.and_then(|c| c.parse::<CudaVersion>().ok());
    DriverState::Present {
        driver,
        supports: nss_preflight::supported_cuda(driver),
        verdict: image.map(|i| nss_preflight::compatibility(driver, i)),
    }
}

/// The words of a verdict as `nss doctor --format json` gives them.
pub(crate) fn verdict_name(v: Compatibility) -> &'static str {
    match v {
        Compatibility::Supported => "supported",
        Compatibility::MinorVersionCompatibility { .. } => "minor-version-compatibility",
        Compatibility::TooOld { .. } => "too-old",
        Compatibility::Unknown => "newer-than-known",
    }
}

/// The message and fix nss-preflight gives inside the image for this driver and CUDA
/// (`None` when it finds nothing to say): the same words on the host as in the container.
pub(crate) fn driver_finding<P: Probe + ?Sized>(
    probe: &P,
    project_cuda: &str,
) -> Option<(String, String)> {
    let view = WithCuda {
        inner: probe,
        cuda: project_cuda,
    };
    Check::Driver
        .run(&view, &Settings::from_env(&view))
        .into_iter()
        .next()
        .map(|f| (f.message, f.fix))
}

/// The GPU device nodes present (`/dev/nvidiactl`, `/dev/nvidia0`, WSL's `/dev/dxg`).
pub(crate) fn device_nodes<P: Probe + ?Sized>(probe: &P) -> Vec<&'static str> {
    GPU_DEVICE_NODES
        .iter()
        .copied()
        .filter(|n| probe.exists(Path::new(n)))
        .collect()
}

/// A probe that answers `CUDA_VERSION` with the project's version: nss-preflight's
/// driver check reads it from the image's environment.
struct WithCuda<'a, P: ?Sized> {
    inner: &'a P,
    cuda: &'a str,
}

impl<P: Probe + ?Sized> Probe for WithCuda<'_, P> {
    fn var(&self, name: &str) -> Option<String> {
        if name == nss_preflight::env::CUDA_VERSION {
            return Some(self.cuda.to_string());
        }
        self.inner.var(name)
    }
    fn dir_state(&self, path: &Path) -> io::Result<DirState> {
        self.inner.dir_state(path)
    }
    fn fs_stats(&self, path: &Path) -> io::Result<FsStats> {
        self.inner.fs_stats(path)
    }
    fn read_file(&self, path: &Path) -> io::Result<String> {
        self.inner.read_file(path)
    }
    fn exists(&self, path: &Path) -> bool {
        self.inner.exists(path)
    }
    fn is_executable(&self, path: &Path) -> bool {
        self.inner.is_executable(path)
    }
    fn writable(&self, path: &Path) -> io::Result<Writability> {
        self.inner.writable(path)
    }
    fn ids(&self) -> (u32, u32) {
        self.inner.ids()
    }
}
