//! The resolved build specification.

use std::fmt;

use crate::source::Resolved;
use crate::workflow::{BASE_PIN_NAMES, PythonSource, SystemPackages};

/// The build-arg names of the six pins, in the order `nss spec` prints them.
pub const PIN_NAMES: [&str; 6] = [
    "CUDA_VERSION",
    "UBUNTU_VERSION",
    "CUDA_IMAGE_TYPE",
    "PYTHON_VERSION",
    "UV_VERSION",
    "CUDA_ARCH_FLAGS",
];

/// The nvidia/cuda image variant used by the dependency stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CudaImageType {
    /// CUDA runtime libraries only.
    Runtime,
    /// Runtime plus headers and nvcc, for source builds of CUDA extensions.
    Devel,
}

impl CudaImageType {
    /// The tag component: `runtime` or `devel`.
    pub fn as_str(self) -> &'static str {
        match self {
            CudaImageType::Runtime => "runtime",
            CudaImageType::Devel => "devel",
        }
    }
}

impl fmt::Display for CudaImageType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which image a set of build args is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ImageFlavor {
    /// The CUDA image (`containers/Dockerfile.cuda`): GPU extras, every pin.
    Gpu,
    /// The CPU-only test image (`containers/Dockerfile.test_ci`): CPU extras, Python and uv pins.
    Cpu,
}

/// Every pin of a build, each with its provenance.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct BuildSpec {
    /// `CUDA_VERSION`, full `X.Y.Z`, e.g. `12.8.1`.
    pub cuda_version: Resolved<String>,
    /// `UBUNTU_VERSION`, e.g. `22.04`.
    pub ubuntu_version: Resolved<String>,
    /// `CUDA_IMAGE_TYPE`.
    pub cuda_image_type: Resolved<CudaImageType>,
    /// `PYTHON_VERSION`, full `X.Y.Z`.
    pub python_version: Resolved<String>,
    /// `UV_VERSION`, full `X.Y.Z`.
    pub uv_version: Resolved<String>,
    /// `CUDA_ARCH_FLAGS`, e.g. `80;86;90;90a`.
    pub cuda_arch_flags: Resolved<String>,
    /// Extras installed in the GPU image, e.g. `["cu128", "engine"]`.
    pub gpu_extras: Resolved<Vec<String>>,
    /// Extras installed in the CPU test image, e.g. `["cpu", "engine"]`.
    pub cpu_extras: Resolved<Vec<String>>,
    /// The console script the image runs, e.g. `safe-synthesizer`.
    pub app: Resolved<String>,
    /// `CUDA_IMAGE`: repository of the CUDA base, e.g. `docker.io/nvidia/cuda`.
    pub cuda_image: Resolved<String>,
    /// `UV_IMAGE`: repository of uv's image, e.g. `ghcr.io/astral-sh/uv`.
    pub uv_image: Resolved<String>,
    /// `PYTHON_IMAGE`: repository of the CPU test image's base, e.g. `docker.io/library/python`.
    pub python_image: Resolved<String>,
    /// `PYTHON_SOURCE`: where the CUDA image's interpreter comes from.
    pub python_source: Resolved<PythonSource>,
    /// The dev image's command line when `CMD` is not given, e.g. `make test`.
    pub dev_command: Resolved<String>,
    /// The CPU test image's command line when `CMD` is not given, e.g. `make test-ci`.
    pub test_command: Resolved<String>,
    /// apt packages the project adds per stage.
    pub system_packages: SystemPackages,
}

impl BuildSpec {
    /// The six pins in [`PIN_NAMES`] order: `(name, value, source)`.
    pub fn pins(&self) -> [(&'static str, String, &crate::Source); 6] {
        [
            (
                PIN_NAMES[0],
                self.cuda_version.value.clone(),
                &self.cuda_version.source,
            ),
            (
                PIN_NAMES[1],
                self.ubuntu_version.value.clone(),
                &self.ubuntu_version.source,
            ),
            (
                PIN_NAMES[2],
                self.cuda_image_type.value.to_string(),
                &self.cuda_image_type.source,
            ),
            (
                PIN_NAMES[3],
                self.python_version.value.clone(),
                &self.python_version.source,
            ),
            (
                PIN_NAMES[4],
                self.uv_version.value.clone(),
                &self.uv_version.source,
            ),
            (
                PIN_NAMES[5],
                self.cuda_arch_flags.value.clone(),
                &self.cuda_arch_flags.source,
            ),
        ]
    }

    /// The base-image pins in [`BASE_PIN_NAMES`] order: `(name, value, source)`.
    pub fn base_pins(&self) -> [(&'static str, String, &crate::Source); 4] {
        [
            (
                BASE_PIN_NAMES[0],
                self.cuda_image.value.clone(),
                &self.cuda_image.source,
            ),
            (
                BASE_PIN_NAMES[1],
                self.uv_image.value.clone(),
                &self.uv_image.source,
            ),
            (
                BASE_PIN_NAMES[2],
                self.python_image.value.clone(),
                &self.python_image.source,
            ),
            (
                BASE_PIN_NAMES[3],
                self.python_source.value.to_string(),
                &self.python_source.source,
            ),
        ]
    }

    /// The `--build-arg` pairs for one image, in a stable order: the pins the
    /// Dockerfile uses, the base-image pins, the project's apt packages per stage
    /// (space separated), then `EXTRAS` (space separated) and `APP`.
    ///
    /// These are also the `ARG` defaults `nss check` compares against the Dockerfile.
    pub fn build_args(&self, flavor: ImageFlavor) -> Vec<(&'static str, String)> {
        let mut args: Vec<(&'static str, String)> = match flavor {
            ImageFlavor::Gpu => self.pins().into_iter().map(|(n, v, _)| (n, v)).collect(),
            ImageFlavor::Cpu => vec![
                ("PYTHON_VERSION", self.python_version.value.clone()),
                ("UV_VERSION", self.uv_version.value.clone()),
            ],
        };
        let packages = &self.system_packages;
        match flavor {
            ImageFlavor::Gpu => {
                args.push(("CUDA_IMAGE", self.cuda_image.value.clone()));
                args.push(("UV_IMAGE", self.uv_image.value.clone()));
                args.push(("PYTHON_SOURCE", self.python_source.value.to_string()));
                args.push(("SYSTEM_PACKAGES_DEPS", packages.deps.value.join(" ")));
                args.push(("SYSTEM_PACKAGES_RUNTIME", packages.runtime.value.join(" ")));
                args.push(("SYSTEM_PACKAGES_DEV", packages.dev.value.join(" ")));
            }
            ImageFlavor::Cpu => {
                args.push(("PYTHON_IMAGE", self.python_image.value.clone()));
                args.push(("UV_IMAGE", self.uv_image.value.clone()));
                args.push(("SYSTEM_PACKAGES_RUNTIME", packages.runtime.value.join(" ")));
                args.push(("SYSTEM_PACKAGES_DEV", packages.dev.value.join(" ")));
            }
        }
        let extras = match flavor {
            ImageFlavor::Gpu => &self.gpu_extras.value,
            ImageFlavor::Cpu => &self.cpu_extras.value,
        };
        args.push(("EXTRAS", extras.join(" ")));
        args.push(("APP", self.app.value.clone()));
        args
    }

    /// The nvidia/cuda base image of the runtime stage, fully qualified:
    /// `docker.io/nvidia/cuda:12.8.1-runtime-ubuntu22.04`.
    pub fn cuda_base_image(&self) -> String {
        format!(
            "{}:{}-runtime-ubuntu{}",
            self.cuda_image.value, self.cuda_version.value, self.ubuntu_version.value
        )
    }
}

impl BuildSpec {
    /// One line per value, `NAME  value  <- source`: the six pins, the base-image
    /// pins, then `GPU_EXTRAS`, `CPU_EXTRAS`, `APP`, the apt packages per stage and
    /// the dev and test commands (what `nss spec --explain` prints).
    pub fn explain(&self) -> String {
        let mut rows: Vec<(&str, String, String)> = self
            .pins()
            .into_iter()
            .chain(self.base_pins())
            .map(|(n, v, s)| (n, v, s.to_string()))
            .collect();
        rows.push((
            "GPU_EXTRAS",
            self.gpu_extras.value.join(" "),
            self.gpu_extras.source.to_string(),
        ));
        rows.push((
            "CPU_EXTRAS",
            self.cpu_extras.value.join(" "),
            self.cpu_extras.source.to_string(),
        ));
        rows.push(("APP", self.app.value.clone(), self.app.source.to_string()));
        let packages = &self.system_packages;
        for (name, list) in [
            ("SYSTEM_PACKAGES_DEPS", &packages.deps),
            ("SYSTEM_PACKAGES_RUNTIME", &packages.runtime),
            ("SYSTEM_PACKAGES_DEV", &packages.dev),
        ] {
            rows.push((name, list.value.join(" "), list.source.to_string()));
        }
        rows.push((
            "DEV_COMMAND",
            self.dev_command.value.clone(),
            self.dev_command.source.to_string(),
        ));
        rows.push((
            "TEST_COMMAND",
            self.test_command.value.clone(),
            self.test_command.source.to_string(),
        ));
        let name_w = rows.iter().map(|r| r.0.len()).max().unwrap_or(0);
        let value_w = rows.iter().map(|r| r.1.len()).max().unwrap_or(0);
        let mut out = String::new();
        for (name, value, source) in rows {
            out.push_str(&format!(
                "{name:<name_w$}  {value:<value_w$}  <- {source}\n"
            ));
        }
        out
    }

    /// The JSON contract of `nss spec --format json`: one object keyed by the
    /// build-arg names of [`PIN_NAMES`] and [`BASE_PIN_NAMES`], each `{"value": "...", "source": "..."}`
    /// with the source displayed as text.
    pub fn to_json(&self) -> serde_json::Value {
        let mut map = serde_json::Map::new();
        for (name, value, source) in self.pins().into_iter().chain(self.base_pins()) {
            map.insert(
                name.to_owned(),
                serde_json::json!({ "value": value, "source": source.to_string() }),
            );
        }
        serde_json::Value::Object(map)
    }
}
