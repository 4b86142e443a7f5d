//! What is in a built container image, read from the image itself: the archive an
//! engine's `save` writes (docker-archive layout), applied layer by layer.
//!
//! - [`ImageArchive`]: the image's ID, platform, labels, layers (with the instruction that
//!   made each) and final filesystem.
//! - [`python::distributions`], [`dpkg::packages`]: what is installed, from `*.dist-info`
//!   and dpkg's status database; [`Lock`] finds the `uv.lock` hash of each distribution.
//! - [`cyclonedx`], [`spdx`]: a CycloneDX 1.5 or SPDX 2.3 SBOM of the image.
//! - [`SizeReport`]: where the bytes are, as text, JSON or an HTML page.
//!
//! ```
//! use nss_inspect::{ImageArchive, Lock, SbomInputs, cyclonedx};
//! # fn layer(files: &[(&str, &[u8])]) -> Vec<u8> {
//! #     let mut b = tar::Builder::new(Vec::new());
//! #     for (p, d) in files {
//! #         let mut h = tar::Header::new_gnu();
//! #         h.set_size(d.len() as u64); h.set_mode(0o644); h.set_cksum();
//! #         b.append_data(&mut h, p, *d).unwrap();
//! #     }
//! #     b.into_inner().unwrap()
//! # }
//! # let dir = tempfile::tempdir()?;
//! # let path = dir.path().join("image.tar");
//! # {
//! #     let l = layer(&[
//! #         ("var/lib/dpkg/status", b"Package: tini\nStatus: install ok installed\nVersion: 0.19.0-1\nArchitecture: amd64\n"),
//! #         ("etc/os-release", b"ID=debian\nVERSION_ID=\"12\"\n"),
//! #         ("opt/venv/lib/python3.11/site-packages/six-1.17.0.dist-info/METADATA", b"Metadata-Version: 2.1\nName: six\nVersion: 1.17.0\nLicense: MIT\n"),
//! #         ("opt/venv/lib/python3.11/site-packages/six-1.17.0.dist-info/WHEEL", b"Wheel-Version: 1.0\nTag: py2-none-any\nTag: py3-none-any\n"),
//! #     ]);
//! #     let config = br#"{"architecture":"amd64","os":"linux","config":{"Labels":{"org.opencontainers.image.base.name":"docker.io/library/debian:12"}},"history":[{"created_by":"COPY . / # buildkit"}],"rootfs":{"type":"layers","diff_ids":["sha256:00"]}}"#;
//! #     let manifest = br#"[{"Config":"config.json","RepoTags":["demo:1"],"Layers":["l/layer.tar"]}]"#;
//! #     let outer = layer(&[("config.json", config), ("l/layer.tar", &l), ("manifest.json", manifest)]);
//! #     std::fs::write(&path, outer)?;
//! # }
//! // `path` holds what `docker save demo:1 -o image.tar` wrote.
//! let image = ImageArchive::open(&path)?;
//! assert_eq!(image.platform, "linux/amd64");
//! assert_eq!(image.layers[0].created_by, "COPY . /");
//!
//! let lock = Lock::parse(r#"
//! [[package]]
//! name = "six"
//! version = "1.17.0"
//! wheels = [{ url = "https://files.example/six-1.17.0-py2.py3-none-any.whl", hash = "sha256:ab0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcd" }]
//! "#, "uv.lock")?;
//! let sbom = cyclonedx(&image, &SbomInputs { reference: "demo:1", lock: Some(&lock), tool_version: "0.1.0", ..Default::default() })?;
//! let doc: serde_json::Value = serde_json::from_str(&sbom)?;
//! assert_eq!(doc["specVersion"], "1.5");
//! let six = doc["components"].as_array().unwrap().iter().find(|c| c["name"] == "six").unwrap();
//! assert_eq!(six["purl"], "pkg:pypi/six@1.17.0");
//! assert_eq!(six["hashes"][0]["content"], "ab0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcd");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::path::PathBuf;

mod archive;
pub mod dpkg;
mod filesystem;
pub mod python;
mod sbom;
mod size;

pub use archive::{ImageArchive, Layer, instruction_text};
pub use filesystem::{FileEntry, Filesystem};
pub use python::Lock;
pub use sbom::{SbomInputs, cyclonedx, spdx};
pub use size::{Delta, EngineSizes, Item, LayerSize, SizeReport, Stages, human};

/// Where images carry nss-preflight, relative to the image root.
pub const PREFLIGHT_PATH: &str = "usr/local/bin/nss-preflight";

/// Errors reading an image or writing its reports.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The image archive cannot be read.
    #[error("{}: {what}", path.display())]
    Archive {
        /// The archive.
        path: PathBuf,
        /// What is wrong.
        what: String,
    },
    /// A metadata file inside the image cannot be parsed.
    #[error("/{path} in the image: {what}")]
    Metadata {
        /// The file, relative to the image root.
        path: String,
        /// What is wrong.
        what: String,
    },
    /// The lockfile cannot be parsed.
    #[error("{path}: {what}")]
    Lock {
        /// The lockfile.
        path: String,
        /// What is wrong.
        what: String,
    },
    /// The SBOM cannot be written.
    #[error("cannot write the SBOM: {0}")]
    Sbom(String),
    /// The engine's sizes do not fit the image.
    #[error("{0}")]
    Size(String),
}

/// The sha256 of `bytes`, lowercase hex.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    let d = sha2::Sha256::digest(bytes);
    let mut s = String::with_capacity(64);
    for b in d {
        use std::fmt::Write;
        let _ = write!(s, "{b:02x}");
    }
    s
}
