//! Every environment variable nss-preflight reads, in one place.
//!
//! The checks read variables only through [`Probe::var`](crate::Probe::var), so tests
//! inject them; these constants are the names.

/// Controls the preflight as a whole: a comma-separated list of words.
///
/// - `off` (also `0`, `false`, `no`): run no checks, print nothing, exec the app.
/// - `strict`: like `--strict` (exit 1 on a warning or error instead of exec'ing).
/// - `json`: like `--json` (the report as one JSON object on stderr).
/// - `on` (also `1`, `true`, `yes`, or unset/empty): the default.
///
/// An unknown word becomes a hint (`preflight-setting-unknown`); it never stops the app.
pub const NSS_PREFLIGHT: &str = "NSS_PREFLIGHT";

/// The data directory the app works in; default [`DEFAULT_WORKSPACE`](crate::DEFAULT_WORKSPACE)
/// (`/workspace`).
pub const NSS_WORKSPACE: &str = "NSS_WORKSPACE";

/// A directory the app writes its artifacts to, checked for writability like the workspace.
/// Unset: only the workspace is checked.
pub const NSS_ARTIFACTS_DIR: &str = "NSS_ARTIFACTS_DIR";

/// Subcommands that only inspect (like `config validate`): with one of them only the
/// workspace checks run. Comma-separated; each entry is one or more words matched against
/// the app's leading subcommand words, e.g. `config, models list`. Unset: `config`.
/// Set but empty: no info commands.
pub const NSS_PREFLIGHT_INFO_COMMANDS: &str = "NSS_PREFLIGHT_INFO_COMMANDS";

/// Finding ids to drop from the report, comma-separated (e.g. `hf-token-missing,hf-home-unset`).
pub const NSS_PREFLIGHT_IGNORE: &str = "NSS_PREFLIGHT_IGNORE";

/// Hugging Face home: caches, token. huggingface_hub's default is
/// `$XDG_CACHE_HOME/huggingface`, else `~/.cache/huggingface`.
pub const HF_HOME: &str = "HF_HOME";

/// Hugging Face model cache; huggingface_hub's default is `$HF_HOME/hub`.
pub const HF_HUB_CACHE: &str = "HF_HUB_CACHE";

/// Legacy name of [`HF_HUB_CACHE`], still honoured by huggingface_hub.
pub const HUGGINGFACE_HUB_CACHE: &str = "HUGGINGFACE_HUB_CACHE";

/// Hugging Face access token (the value is never read beyond "set and non-empty").
pub const HF_TOKEN: &str = "HF_TOKEN";

/// Legacy name of [`HF_TOKEN`].
pub const HUGGING_FACE_HUB_TOKEN: &str = "HUGGING_FACE_HUB_TOKEN";

/// Where huggingface_hub stores the token file; default `$HF_HOME/token`.
pub const HF_TOKEN_PATH: &str = "HF_TOKEN_PATH";

/// `1`/`ON`/`YES`/`TRUE` (any case): huggingface_hub makes no network calls, so every
/// model must already be in the cache.
pub const HF_HUB_OFFLINE: &str = "HF_HUB_OFFLINE";

/// Base of the default Hugging Face home (`$XDG_CACHE_HOME/huggingface`).
pub const XDG_CACHE_HOME: &str = "XDG_CACHE_HOME";

/// The user's home directory (default cache location).
pub const HOME: &str = "HOME";

/// Directories searched for `nvidia-smi`.
pub const PATH: &str = "PATH";

/// Set by the NVIDIA Container Toolkit convention: which GPUs to inject. `void` and `none`
/// mean no GPU. Its presence also marks an image as a GPU image.
pub const NVIDIA_VISIBLE_DEVICES: &str = "NVIDIA_VISIBLE_DEVICES";

/// The CUDA toolkit version of an nvidia/cuda image (e.g. `12.8.1`), set in its environment.
pub const CUDA_VERSION: &str = "CUDA_VERSION";

/// The CUDA requirement nvidia/cuda images declare (e.g. `cuda>=12.8 brand=...`); its
/// presence marks an image as a GPU image.
pub const NVIDIA_REQUIRE_CUDA: &str = "NVIDIA_REQUIRE_CUDA";
