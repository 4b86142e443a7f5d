//! The resolved build specification.

use std::fmt;

use crate::source::Resolved;

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
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
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
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
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

    /// The `--build-arg` pairs for one image, in a stable order: the pins the
    /// Dockerfile uses, then `EXTRAS` (space separated) and `APP`.
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
            "docker.io/nvidia/cuda:{}-runtime-ubuntu{}",
            self.cuda_version.value, self.ubuntu_version.value
        )
    }
}

impl BuildSpec {
    /// One line per value, `NAME  value  <- source`: the six pins, then
    /// `GPU_EXTRAS`, `CPU_EXTRAS` and `APP` (what `nss spec --explain` prints).
    pub fn explain(&self) -> String {
        let mut rows: Vec<(&str, String, String)> = self
            .pins()
            .into_iter()
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
    /// six build-arg names of [`PIN_NAMES`], each `{"value": "...", "source": "..."}`
    /// with the source displayed as text.
    pub fn to_json(&self) -> serde_json::Value {
        let mut map = serde_json::Map::new();
        for (name, value, source) in self.pins() {
            map.insert(
                name.to_owned(),
                serde_json::json!({ "value": value, "source": source.to_string() }),
            );
        }
        serde_json::Value::Object(map)
    }
}
