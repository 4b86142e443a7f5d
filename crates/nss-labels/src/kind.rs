//! The images a project ships.

use std::fmt;
use std::str::FromStr;

/// Which image a set of labels describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ImageKind {
    /// The CUDA runtime image (`Dockerfile.cuda`, stage `runtime`).
    Runtime,
    /// The development image (`Dockerfile.cuda`, stage `dev`): runtime plus git,
    /// make and the dev dependency group.
    Dev,
    /// The CPU-only test image (`Dockerfile.test_ci`).
    Test,
}

impl ImageKind {
    /// Every kind, in a stable order.
    pub const ALL: [ImageKind; 3] = [ImageKind::Runtime, ImageKind::Dev, ImageKind::Test];

    /// `runtime`, `dev` or `test`: the name used by `--image`, by
    /// `[tool.nss.labels.<kind>]` and by the `# nss-labels: <kind>` marker.
    pub fn as_str(self) -> &'static str {
        match self {
            ImageKind::Runtime => "runtime",
            ImageKind::Dev => "dev",
            ImageKind::Test => "test",
        }
    }

    /// The Dockerfile stage built (`--target`), `None` for the single-stage test image.
    pub fn target(self) -> Option<&'static str> {
        match self {
            ImageKind::Runtime => Some("runtime"),
            ImageKind::Dev => Some("dev"),
            ImageKind::Test => None,
        }
    }

    /// The build-spec flavor of its build args: GPU for runtime and dev, CPU for test.
    pub fn flavor(self) -> nss_buildspec::ImageFlavor {
        match self {
            ImageKind::Runtime | ImageKind::Dev => nss_buildspec::ImageFlavor::Gpu,
            ImageKind::Test => nss_buildspec::ImageFlavor::Cpu,
        }
    }
}

/// `--image runtime|dev|test` (the names of [`ImageKind::as_str`], no help per value).
#[cfg(feature = "clap")]
impl clap::ValueEnum for ImageKind {
    fn value_variants<'a>() -> &'a [Self] {
        &Self::ALL
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(self.as_str()))
    }
}

impl fmt::Display for ImageKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ImageKind {
    type Err = crate::Error;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ImageKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| crate::Error::UnknownKind {
                name: s.to_string(),
            })
    }
}
