//! The checks: pure functions from a [`Probe`] and [`Settings`] to findings.

use std::io;
use std::path::{Path, PathBuf};

use crate::cuda::{self, Compatibility, CudaVersion, DriverVersion};
use crate::env;
use crate::probe::{DirState, Probe, Writability, which};
use crate::report::{Finding, Level, Report};
use crate::scope::{InfoCommands, Scope};

/// The data directory when [`NSS_WORKSPACE`](env::NSS_WORKSPACE) is unset.
pub const DEFAULT_WORKSPACE: &str = "/workspace";
/// The shared-memory mount PyTorch data loaders use.
pub const SHM_PATH: &str = "/dev/shm";
/// Below this, `/dev/shm` gets a warning (256 MiB; docker and podman default to 64 MiB).
pub const SHM_MIN_BYTES: u64 = 256 * 1024 * 1024;
/// Where the NVIDIA kernel module reports its version (read, never `nvidia-smi`).
pub const DRIVER_VERSION_PATH: &str = "/proc/driver/nvidia/version";
/// Device nodes that show a GPU was injected: `/dev/nvidiactl` (Linux; present with any
/// GPU), `/dev/nvidia0`, and `/dev/dxg` (WSL2).
pub const GPU_DEVICE_NODES: [&str; 3] = ["/dev/nvidiactl", "/dev/nvidia0", "/dev/dxg"];

const MIB: u64 = 1024 * 1024;
const USER_FIX: &str = "--user \"$(id -u):$(id -g)\"";

/// What the checks need besides the environment itself, usually read from it with
/// [`Settings::from_env`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// The data directory ([`NSS_WORKSPACE`](env::NSS_WORKSPACE), default `/workspace`).
    pub workspace: PathBuf,
    /// A directory the app writes to ([`NSS_ARTIFACTS_DIR`](env::NSS_ARTIFACTS_DIR)).
    pub artifacts: Option<PathBuf>,
    /// Subcommands that get only the workspace checks.
    pub info_commands: InfoCommands,
    /// Finding ids to drop ([`NSS_PREFLIGHT_IGNORE`](env::NSS_PREFLIGHT_IGNORE)).
    pub ignore: Vec<String>,
    /// `false` when [`NSS_PREFLIGHT`](env::NSS_PREFLIGHT) says `off`.
    pub enabled: bool,
    /// Refuse to start the app on a warning or error (`NSS_PREFLIGHT=strict` or `--strict`).
    pub strict: bool,
    /// Report as JSON (`NSS_PREFLIGHT=json` or `--json`).
    pub json: bool,
    /// Words of `NSS_PREFLIGHT` that were not understood.
    pub unknown_words: Vec<String>,
    /// Path variables left at their default because their value holds a control character
    /// (a newline would split the report's lines): (variable, the value escaped).
    pub invalid_paths: Vec<(&'static str, String)>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            workspace: PathBuf::from(DEFAULT_WORKSPACE),
            artifacts: None,
            info_commands: InfoCommands::default(),
            ignore: Vec::new(),
            enabled: true,
            strict: false,
            json: false,
            unknown_words: Vec::new(),
            invalid_paths: Vec::new(),
        }
    }
}

fn non_empty<P: Probe + ?Sized>(probe: &P, name: &str) -> Option<String> {
    probe.var(name).filter(|v| !v.trim().is_empty())
}

impl Settings {
    /// Reads the `NSS_*` variables (see [`env`](crate::env)); unset ones keep the defaults.
    pub fn from_env<P: Probe + ?Sized>(probe: &P) -> Self {
        let mut s = Settings::default();
        let mut path_var = |name: &'static str| {
            let v = non_empty(probe, name)?;
            if v.chars().any(char::is_control) {
                s.invalid_paths
                    .push((name, crate::report::escape_controls(&v)));
                return None;
            }
            Some(PathBuf::from(v))
        };
        let workspace = path_var(env::NSS_WORKSPACE);
        let artifacts = path_var(env::NSS_ARTIFACTS_DIR);
        if let Some(ws) = workspace {
            s.workspace = ws;
        }
        s.artifacts = artifacts;
        if let Some(list) = probe.var(env::NSS_PREFLIGHT_INFO_COMMANDS) {
            s.info_commands = InfoCommands::parse(&list);
        }
        if let Some(list) = probe.var(env::NSS_PREFLIGHT_IGNORE) {
            s.ignore = list
                .split(',')
                .map(str::trim)
                .filter(|w| !w.is_empty())
                .map(String::from)
                .collect();
        }
        for word in probe.var(env::NSS_PREFLIGHT).unwrap_or_default().split(',') {
            match word.trim().to_ascii_lowercase().as_str() {
                "" | "on" | "1" | "true" | "yes" => {}
                "off" | "0" | "false" | "no" => s.enabled = false,
                "strict" => s.strict = true,
                "json" => s.json = true,
                _ => s.unknown_words.push(word.trim().to_string()),
            }
        }
        s
    }
}

/// One of the checks. Each has stable finding ids (listed per variant).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Check {
    /// The workspace is missing or empty, so no data is mounted:
    /// `workspace-missing`, `workspace-empty` (hints), `workspace-not-a-directory`,
    /// `workspace-unreadable` (warnings).
    Workspace,
    /// The workspace (and the artifacts directory) cannot be written by this uid:
    /// `workspace-not-writable`, `artifacts-not-writable` (warnings), `workspace-read-only`,
    /// `artifacts-read-only` (hints).
    Writable,
    /// `HF_HOME` unset (`hf-home-unset`, hint) or pointing nowhere (`hf-home-missing`,
    /// warning).
    HfHome,
    /// No Hugging Face token in the environment or the token file: `hf-token-missing`
    /// (hint). Skipped when offline.
    HfToken,
    /// `HF_HUB_OFFLINE` with a missing or empty model cache: `hf-offline-cache-empty`
    /// (warning).
    HfOffline,
    /// A GPU image with no GPU: `gpu-disabled` (`NVIDIA_VISIBLE_DEVICES=void|none`),
    /// `gpu-not-visible` (no device node, no `nvidia-smi` on PATH); warnings. Images
    /// without `CUDA_VERSION`, `NVIDIA_VISIBLE_DEVICES` or `NVIDIA_REQUIRE_CUDA` are CPU
    /// images and skip this.
    Gpu,
    /// The host driver against the image's CUDA: `driver-too-old` (error: an older CUDA
    /// major), `driver-minor-version-compat` (warning: same major, older minor),
    /// `driver-version-unreadable`, `cuda-version-invalid` (hints).
    Driver,
    /// `/dev/shm` below 256 MiB: `shm-small` (warning), `shm-unreadable` (hint).
    Shm,
}

impl Check {
    /// Every check, in report order.
    pub const ALL: [Check; 8] = [
        Check::Workspace,
        Check::Writable,
        Check::HfHome,
        Check::HfToken,
        Check::HfOffline,
        Check::Gpu,
        Check::Driver,
        Check::Shm,
    ];

    /// Whether this check runs in `scope`: the workspace checks in full runs and info
    /// commands, the rest only in full runs.
    pub fn runs_in(self, scope: Scope) -> bool {
        match scope {
            Scope::Full => true,
            Scope::InfoCommand => matches!(self, Check::Workspace | Check::Writable),
            Scope::HelpOrVersion | Scope::Off => false,
        }
    }

    /// Runs this check.
    pub fn run<P: Probe + ?Sized>(self, probe: &P, settings: &Settings) -> Vec<Finding> {
        let mut out = Vec::new();
        match self {
            Check::Workspace => workspace(probe, settings, &mut out),
            Check::Writable => writable(probe, settings, &mut out),
            Check::HfHome => hf_home(probe, &mut out),
            Check::HfToken => hf_token(probe, &mut out),
            Check::HfOffline => hf_offline(probe, &mut out),
            Check::Gpu => gpu(probe, &mut out),
            Check::Driver => driver(probe, &mut out),
            Check::Shm => shm(probe, &mut out),
        }
        out
    }
}

/// Every finding id the checks can report, for `NSS_PREFLIGHT_IGNORE` (an id not listed
/// here is reported as `preflight-ignore-unknown`, so a typo does not silently keep a
/// finding).
pub const FINDING_IDS: [&str; 23] = [
    "workspace-missing",
    "workspace-empty",
    "workspace-not-a-directory",
    "workspace-unreadable",
    WORKSPACE_IDS.0,
    WORKSPACE_IDS.1,
    ARTIFACTS_IDS.0,
    ARTIFACTS_IDS.1,
    "hf-home-unset",
    "hf-home-missing",
    "hf-token-missing",
    "hf-offline-cache-empty",
    "gpu-disabled",
    "gpu-not-visible",
    "driver-version-unreadable",
    "cuda-version-invalid",
    "driver-minor-version-compat",
    "driver-too-old",
    "shm-small",
    "shm-unreadable",
    "preflight-setting-unknown",
    "preflight-ignore-unknown",
    "preflight-setting-invalid",
];

/// The whole preflight for one invocation of the app: decides the [`Scope`] from the app's
/// arguments (without its program name), runs the checks that apply, drops ignored ids,
/// and orders the findings most serious first.
pub fn preflight<P, S>(probe: &P, settings: &Settings, app_args: &[S]) -> Report
where
    P: Probe + ?Sized,
    S: AsRef<std::ffi::OsStr>,
{
    let scope = if settings.enabled {
        Scope::from_args(app_args, &settings.info_commands)
    } else {
        Scope::Off
    };
    run_checks(probe, settings, scope)
}

/// Runs the checks that apply to `scope` (see [`Check::runs_in`]).
pub fn run_checks<P: Probe + ?Sized>(probe: &P, settings: &Settings, scope: Scope) -> Report {
    let mut findings = Vec::new();
    if matches!(scope, Scope::Full | Scope::InfoCommand) {
        for word in &settings.unknown_words {
            findings.push(Finding::new(
                "preflight-setting-unknown",
                Level::Hint,
                format!(
                    "{}: unknown word \"{}\"",
                    env::NSS_PREFLIGHT,
                    crate::report::escape_controls(word)
                ),
                format!(
                    "use a comma-separated list of on, off, strict, json (e.g. {}=strict,json)",
                    env::NSS_PREFLIGHT
                ),
            ));
        }
    }
    if matches!(scope, Scope::Full | Scope::InfoCommand) {
        for (name, value) in &settings.invalid_paths {
            findings.push(Finding::new(
                "preflight-setting-invalid",
                Level::Warning,
                format!("{name}=\"{value}\" holds a control character; it is ignored"),
                format!("set {name} to a plain path"),
            ));
        }
        for id in settings
            .ignore
            .iter()
            .filter(|id| !FINDING_IDS.contains(&id.as_str()))
        {
            findings.push(Finding::new(
                "preflight-ignore-unknown",
                Level::Hint,
                format!(
                    "{}: unknown finding id \"{}\"",
                    env::NSS_PREFLIGHT_IGNORE,
                    crate::report::escape_controls(id)
                ),
                "use the ids printed in brackets after each finding, comma-separated",
            ));
        }
    }
    for check in Check::ALL.into_iter().filter(|c| c.runs_in(scope)) {
        findings.extend(check.run(probe, settings));
    }
    debug_assert!(findings.iter().all(|f| FINDING_IDS.contains(&f.id)));
    findings.retain(|f| !settings.ignore.iter().any(|id| id == f.id));
    findings.sort_by_key(|f| std::cmp::Reverse(f.level));
    Report { scope, findings }
}

fn mount_fix(ws: &Path) -> String {
    let ws = ws.display();
    format!(
        "mount a host directory by absolute path: -v \"$PWD/data:{ws}\"\n\
         a source without a leading / (data:{ws}) is a named volume, a new empty one, not your directory"
    )
}

fn workspace<P: Probe + ?Sized>(probe: &P, s: &Settings, out: &mut Vec<Finding>) {
    let ws = &s.workspace;
    let shown = ws.display();
    match probe.dir_state(ws) {
        Ok(DirState::HasVisible) => {}
        Ok(DirState::Missing) => out.push(Finding::new(
            "workspace-missing",
            Level::Hint,
            format!("{shown} does not exist: no data directory is mounted"),
            mount_fix(ws),
        )),
        Ok(DirState::Empty | DirState::OnlyHidden) => out.push(Finding::new(
            "workspace-empty",
            Level::Hint,
            format!("{shown} is empty: no data is mounted there"),
            mount_fix(ws),
        )),
        Ok(DirState::NotADirectory) => out.push(Finding::new(
            "workspace-not-a-directory",
            Level::Warning,
            format!("{shown} is not a directory"),
            format!("mount a directory there, not a file: -v \"$PWD/data:{shown}\" (or set {} to the data directory)", env::NSS_WORKSPACE),
        )),
        Err(e) => out.push(Finding::new(
            "workspace-unreadable",
            Level::Warning,
            format!("cannot list {shown}: {e}"),
            format!("make the host directory readable by uid {}, or run as its owner: {USER_FIX}", probe.ids().0),
        )),
    }
}

/// Finding ids of the writable check: (denied, read-only).
const WORKSPACE_IDS: (&str, &str) = ("workspace-not-writable", "workspace-read-only");
const ARTIFACTS_IDS: (&str, &str) = ("artifacts-not-writable", "artifacts-read-only");

fn writable<P: Probe + ?Sized>(probe: &P, s: &Settings, out: &mut Vec<Finding>) {
    // The workspace: only when it exists (missing is the workspace check's finding).
    if matches!(
        probe.dir_state(&s.workspace),
        Ok(DirState::Empty | DirState::OnlyHidden | DirState::HasVisible)
    ) {
        writable_finding(probe, &s.workspace, WORKSPACE_IDS, out);
    }
    if let Some(artifacts) = &s.artifacts {
        // A missing artifacts directory is created by the app: check the nearest existing
        // ancestor instead.
        let target = artifacts
            .ancestors()
            .find(|p| !p.as_os_str().is_empty() && probe.exists(p));
        if let Some(target) = target {
            writable_finding(probe, target, ARTIFACTS_IDS, out);
        }
    }
}

fn writable_finding<P: Probe + ?Sized>(
    probe: &P,
    path: &Path,
    (denied, read_only): (&'static str, &'static str),
    out: &mut Vec<Finding>,
) {
    let (uid, gid) = probe.ids();
    let shown = path.display();
    match probe.writable(path) {
        Ok(Writability::Writable) => {}
        Ok(Writability::Denied) => out.push(Finding::new(
            denied,
            Level::Warning,
            format!("{shown} is not writable by uid {uid} (gid {gid}): writing results there fails with \"Permission denied\""),
            format!("run as the owner of the host directory: {USER_FIX}, or let uid {uid} write to it on the host"),
        )),
        Ok(Writability::ReadOnly) => out.push(Finding::new(
            read_only,
            Level::Hint,
            format!("{shown} is mounted read-only: the app cannot write results there"),
            "drop :ro from the -v mount if the app should write there",
        )),
        Err(e) => out.push(Finding::new(
            denied,
            Level::Warning,
            format!("cannot tell whether {shown} is writable: {e}"),
            format!("check the mount and its permissions; {USER_FIX} runs as your host user"),
        )),
    }
}

/// huggingface_hub's `HF_HOME`: the variable, else `$XDG_CACHE_HOME/huggingface`, else
/// `$HOME/.cache/huggingface`.
fn hf_home_path<P: Probe + ?Sized>(probe: &P) -> Option<PathBuf> {
    if let Some(home) = non_empty(probe, env::HF_HOME) {
        return Some(PathBuf::from(home));
    }
    if let Some(xdg) = non_empty(probe, env::XDG_CACHE_HOME) {
        return Some(Path::new(&xdg).join("huggingface"));
    }
    non_empty(probe, env::HOME).map(|home| Path::new(&home).join(".cache/huggingface"))
}

fn hf_home<P: Probe + ?Sized>(probe: &P, out: &mut Vec<Finding>) {
    let cache_fix = "mount a host cache and point HF_HOME at it: \
                     -v \"$HOME/.cache/huggingface:/workspace/.hf_cache\" -e HF_HOME=/workspace/.hf_cache";
    match non_empty(probe, env::HF_HOME) {
        None => {
            // A populated default location means the user mounted a cache there.
            let default = hf_home_path(probe);
            if let Some(path) = &default
                && matches!(probe.dir_state(path), Ok(DirState::HasVisible))
            {
                return;
            }
            let at = default.map_or_else(|| "the default cache".to_string(), |p| p.display().to_string());
            out.push(Finding::new(
                "hf-home-unset",
                Level::Hint,
                format!("HF_HOME is not set: models download to {at} inside the container and are lost when it exits"),
                cache_fix,
            ));
        }
        Some(home) => match probe.dir_state(Path::new(&home)) {
            Ok(DirState::Missing) => out.push(Finding::new(
                "hf-home-missing",
                Level::Warning,
                format!("HF_HOME={home} does not exist: the cache mount is missing, downloads will be lost when the container exits"),
                format!("mount the cache there: -v \"$HOME/.cache/huggingface:{home}\""),
            )),
            Ok(DirState::NotADirectory) => out.push(Finding::new(
                "hf-home-missing",
                Level::Warning,
                format!("HF_HOME={home} is not a directory"),
                format!("mount a directory there: -v \"$HOME/.cache/huggingface:{home}\""),
            )),
            Ok(_) => {}
            Err(e) => out.push(Finding::new(
                "hf-home-missing",
                Level::Warning,
                format!("cannot read HF_HOME={home}: {e}"),
                format!("make it readable by uid {}, or run as its owner: {USER_FIX}", probe.ids().0),
            )),
        },
    }
}

fn offline<P: Probe + ?Sized>(probe: &P) -> Option<String> {
    // huggingface_hub's truthy values: 1, ON, YES, TRUE (any case).
    probe.var(env::HF_HUB_OFFLINE).filter(|v| {
        matches!(
            v.trim().to_ascii_uppercase().as_str(),
            "1" | "ON" | "YES" | "TRUE"
        )
    })
}

fn hf_token<P: Probe + ?Sized>(probe: &P, out: &mut Vec<Finding>) {
    if offline(probe).is_some()
        || non_empty(probe, env::HF_TOKEN).is_some()
        || non_empty(probe, env::HUGGING_FACE_HUB_TOKEN).is_some()
    {
        return;
    }
    let file = non_empty(probe, env::HF_TOKEN_PATH)
        .map(PathBuf::from)
        .or_else(|| hf_home_path(probe).map(|home| home.join("token")));
    if file.as_deref().is_some_and(|f| probe.exists(f)) {
        return;
    }
    let where_ = file.map_or_else(String::new, |f| {
        format!(" and there is no token file at {}", f.display())
    });
    out.push(Finding::new(
        "hf-token-missing",
        Level::Hint,
        format!("no Hugging Face token: HF_TOKEN is not set{where_}; gated models will fail to download"),
        "pass the token by name so its value stays off the command line: \
         export HF_TOKEN=...; then add -e HF_TOKEN to the run (or mount a cache holding a token file)",
    ));
}

fn hf_offline<P: Probe + ?Sized>(probe: &P, out: &mut Vec<Finding>) {
    let Some(value) = offline(probe) else { return };
    let hub = non_empty(probe, env::HF_HUB_CACHE)
        .or_else(|| non_empty(probe, env::HUGGINGFACE_HUB_CACHE))
        .map(PathBuf::from)
        .or_else(|| hf_home_path(probe).map(|home| home.join("hub")));
    let Some(hub) = hub else { return };
    let state = match probe.dir_state(&hub) {
        Ok(DirState::Missing | DirState::NotADirectory) => "missing",
        Ok(DirState::Empty | DirState::OnlyHidden) => "empty",
        Ok(DirState::HasVisible) | Err(_) => return,
    };
    out.push(Finding::new(
        "hf-offline-cache-empty",
        Level::Warning,
        format!(
            "HF_HUB_OFFLINE={value} but the model cache {} is {state}: every model load will fail",
            hub.display()
        ),
        "mount a populated cache (-v \"$HOME/.cache/huggingface:/workspace/.hf_cache\" -e HF_HOME=/workspace/.hf_cache), or unset HF_HUB_OFFLINE",
    ));
}

fn is_gpu_image<P: Probe + ?Sized>(probe: &P) -> bool {
    [
        env::NVIDIA_VISIBLE_DEVICES,
        env::CUDA_VERSION,
        env::NVIDIA_REQUIRE_CUDA,
    ]
    .iter()
    .any(|name| probe.var(name).is_some())
}

const GPU_FIX: &str = "start the container with --gpus all (docker, with the NVIDIA Container Toolkit) \
                       or --device nvidia.com/gpu=all (podman, with CDI)";

fn gpu<P: Probe + ?Sized>(probe: &P, out: &mut Vec<Finding>) {
    if !is_gpu_image(probe) {
        return;
    }
    if let Some(v) = probe.var(env::NVIDIA_VISIBLE_DEVICES)
        && matches!(v.trim().to_ascii_lowercase().as_str(), "void" | "none")
    {
        out.push(Finding::new(
            "gpu-disabled",
            Level::Warning,
            format!("NVIDIA_VISIBLE_DEVICES={v}: this container gets no GPU"),
            format!("drop -e NVIDIA_VISIBLE_DEVICES={v}, and {GPU_FIX}"),
        ));
        return;
    }
    if GPU_DEVICE_NODES
        .iter()
        .any(|node| probe.exists(Path::new(node)))
        || which(probe, "nvidia-smi").is_some()
    {
        return;
    }
    out.push(Finding::new(
        "gpu-not-visible",
        Level::Warning,
        "no NVIDIA GPU is visible: no /dev/nvidiactl and no nvidia-smi on PATH",
        GPU_FIX,
    ));
}

fn driver<P: Probe + ?Sized>(probe: &P, out: &mut Vec<Finding>) {
    let Some(image_text) = non_empty(probe, env::CUDA_VERSION) else {
        return;
    };
    let text = match probe.read_file(Path::new(DRIVER_VERSION_PATH)) {
        Ok(text) => text,
        // No driver visible: the GPU check says so.
        Err(e) if e.kind() == io::ErrorKind::NotFound => return,
        Err(e) => {
            out.push(Finding::new(
                "driver-version-unreadable",
                Level::Hint,
                format!("cannot read {DRIVER_VERSION_PATH}: {e}; the driver was not compared with CUDA {image_text}"),
                "",
            ));
            return;
        }
    };
    let driver = match DriverVersion::from_proc(&text) {
        Ok(d) => d,
        Err(e) => {
            out.push(Finding::new(
                "driver-version-unreadable",
                Level::Hint,
                format!(
                    "{DRIVER_VERSION_PATH}: {e}; the driver was not compared with CUDA {image_text}"
                ),
                "",
            ));
            return;
        }
    };
    let image: CudaVersion = match image_text.parse() {
        Ok(v) => v,
        Err(e) => {
            out.push(Finding::new(
                "cuda-version-invalid",
                Level::Hint,
                format!("{}: {e}", env::CUDA_VERSION),
                "images from nvidia/cuda set CUDA_VERSION like 12.8.1; do not override it",
            ));
            return;
        }
    };
    let needed = min_driver(image).map_or_else(String::new, |d| format!(" ({d} or newer)"));
    match cuda::compatibility(driver, image) {
        Compatibility::Supported | Compatibility::Unknown => {}
        Compatibility::MinorVersionCompatibility { driver_cuda } => out.push(Finding::new(
            "driver-minor-version-compat",
            Level::Warning,
            format!(
                "the host driver {driver} supports CUDA {driver_cuda}; this image is built for CUDA {image}, \
                 which runs only through CUDA minor-version compatibility: no PTX JIT of newer code, some newer APIs fail"
            ),
            format!(
                "upgrade the host driver{needed}, or build the image for CUDA {driver_cuda} (nss: CUDA_VERSION={driver_cuda}.x)"
            ),
        )),
        Compatibility::TooOld { driver_cuda } => {
            let supports = driver_cuda.map_or_else(|| "a CUDA older than 11.0".to_string(), |c| format!("CUDA {c}"));
            let other = driver_cuda.map_or_else(String::new, |c| {
                format!(", or build the image for CUDA {c} (nss: CUDA_VERSION={c}.x)")
            });
            out.push(Finding::new(
                "driver-too-old",
                Level::Error,
                format!(
                    "the host driver {driver} supports {supports}; this image is built for CUDA {image}, \
                     a newer major version: CUDA will fail to initialise"
                ),
                format!("upgrade the host driver{needed}{other}"),
            ));
        }
    }
}

fn min_driver(image: CudaVersion) -> Option<DriverVersion> {
    cuda::minimum_driver(image)
}

fn shm<P: Probe + ?Sized>(probe: &P, out: &mut Vec<Finding>) {
    let fix = "start the container with --shm-size=1g, or with --ipc=host";
    match probe.fs_stats(Path::new(SHM_PATH)) {
        Ok(st) if st.total_bytes < SHM_MIN_BYTES => out.push(Finding::new(
            "shm-small",
            Level::Warning,
            format!(
                "{SHM_PATH} is {} MiB, below {} MiB: multi-worker data loading (PyTorch DataLoader) crashes with \"Bus error\"",
                st.total_bytes / MIB,
                SHM_MIN_BYTES / MIB
            ),
            fix,
        )),
        Ok(_) => {}
        Err(e) => out.push(Finding::new(
            "shm-unreadable",
            Level::Hint,
            format!("cannot measure {SHM_PATH}: {e}"),
            fix,
        )),
    }
}

#[cfg(test)]
mod tests;
