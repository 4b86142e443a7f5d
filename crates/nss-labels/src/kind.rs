//! The images a project ships.

use std::fmt;
use std::str::FromStr;

/// Which image a set of labels describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
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
