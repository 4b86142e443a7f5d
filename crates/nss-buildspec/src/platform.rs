//! The platforms nss builds images for and runs them on.

use std::fmt;

/// A platform nss builds for: its OCI name, the `CUDA_ARCH_FLAGS` its images get by
/// default, and the Rust target triple its `nss-preflight` binary is compiled for.
///
/// ```
/// use nss_buildspec::Platform;
///
/// let arm = Platform::from_name("linux/arm64").unwrap();
/// assert_eq!(arm.arch(), "arm64");
/// assert_eq!(arm.rust_triple(), "aarch64-unknown-linux-gnu");
/// assert_eq!(Platform::DEFAULT.name(), "linux/amd64");
/// assert!(Platform::from_name("linux/s390x").is_none());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Platform {
    name: &'static str,
    cuda_arch_flags: &'static str,
    rust_triple: &'static str,
    host_arch: &'static str,
}

impl Platform {
    /// `linux/amd64`.
    pub const AMD64: Platform = Platform {
        name: "linux/amd64",
        cuda_arch_flags: "80;86;90;90a",
        rust_triple: "x86_64-unknown-linux-gnu",
        host_arch: "x86_64",
    };
    /// `linux/arm64`.
    pub const ARM64: Platform = Platform {
        name: "linux/arm64",
        cuda_arch_flags: "90;90a;120;120a",
        rust_triple: "aarch64-unknown-linux-gnu",
        host_arch: "aarch64",
    };
    /// Every platform nss builds for, in the order a multi-platform image lists them.
    pub const ALL: [Platform; 2] = [Platform::AMD64, Platform::ARM64];
    /// The platform used when none is named.
    pub const DEFAULT: Platform = Platform::AMD64;

    /// The platform of an OCI name such as `linux/arm64`.
    pub fn from_name(name: &str) -> Option<Platform> {
        Platform::ALL.into_iter().find(|p| p.name == name)
    }

    /// The platform of the machine this runs on, when nss builds for it.
    pub fn host() -> Option<Platform> {
        Platform::ALL
            .into_iter()
            .find(|p| p.host_arch == std::env::consts::ARCH)
    }

    /// The OCI name, e.g. `linux/amd64`.
    pub const fn name(self) -> &'static str {
        self.name
    }

    /// The architecture part of the name, e.g. `amd64`.
    pub fn arch(self) -> &'static str {
        self.name.rsplit('/').next().unwrap_or(self.name)
    }

    /// The default `CUDA_ARCH_FLAGS` of this platform's images, e.g. `80;86;90;90a`.
    pub const fn cuda_arch_flags(self) -> &'static str {
        self.cuda_arch_flags
    }

    /// The Rust target triple, e.g. `x86_64-unknown-linux-gnu`.
    pub const fn rust_triple(self) -> &'static str {
        self.rust_triple
    }

    /// The names of every platform, comma-separated (for messages).
    pub fn names() -> String {
        Platform::ALL.map(Platform::name).join(", ")
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name)
    }
}
