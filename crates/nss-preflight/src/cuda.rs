//! NVIDIA driver versions, CUDA versions, and which CUDA a driver supports.

use std::fmt;
use std::str::FromStr;

use crate::error::Error;

/// A kernel driver version such as `570.86.10` (the third part may be absent: `570.26`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct DriverVersion {
    /// Branch, e.g. 570.
    pub major: u32,
    /// Second part, e.g. 86.
    pub minor: u32,
    /// Third part, 0 when absent.
    pub patch: u32,
}

/// A CUDA toolkit version, major and minor (`12.8`; the patch level of `12.8.1` is dropped).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct CudaVersion {
    /// Major, e.g. 12.
    pub major: u32,
    /// Minor, e.g. 8.
    pub minor: u32,
}

impl fmt::Display for DriverVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:02}.{:02}", self.major, self.minor, self.patch)
    }
}

impl fmt::Display for CudaVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

fn numbers(text: &str) -> Option<Vec<u32>> {
    text.split('.')
        .map(|part| part.parse::<u32>().ok())
        .collect()
}

impl FromStr for DriverVersion {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self, Error> {
        let bad = || Error::Version {
            what: "driver",
            value: text.to_string(),
        };
        let parts = numbers(text.trim()).ok_or_else(bad)?;
        match parts[..] {
            [major, minor] => Ok(Self {
                major,
                minor,
                patch: 0,
            }),
            [major, minor, patch] => Ok(Self {
                major,
                minor,
                patch,
            }),
            _ => Err(bad()),
        }
    }
}

impl FromStr for CudaVersion {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self, Error> {
        let bad = || Error::Version {
            what: "CUDA",
            value: text.to_string(),
        };
        let parts = numbers(text.trim()).ok_or_else(bad)?;
        match parts[..] {
            [major, minor] | [major, minor, _] => Ok(Self { major, minor }),
            _ => Err(bad()),
        }
    }
}

impl DriverVersion {
    /// Reads the version from the text of `/proc/driver/nvidia/version`, whose first line
    /// reads like `NVRM version: NVIDIA UNIX x86_64 Kernel Module  570.86.10  Thu Jan ...`
    /// (or `... Open Kernel Module for aarch64  575.51.03  Release Build ...`): the first
    /// word of that line made only of digits and dots.
    pub fn from_proc(text: &str) -> Result<Self, Error> {
        let line = text
            .lines()
            .find(|l| l.starts_with("NVRM version:"))
            .unwrap_or("");
        line.split_whitespace()
            .filter(|w| w.contains('.') && w.bytes().all(|b| b.is_ascii_digit() || b == b'.'))
            .find_map(|w| w.parse().ok())
            .ok_or_else(|| Error::Version {
                what: "driver",
                // The first line, cut short: the file may be anything.
                value: text.lines().next().unwrap_or("").chars().take(80).collect(),
            })
    }
}

// The minimum Linux x86_64 driver of each CUDA toolkit's GA release, from NVIDIA's CUDA
// Toolkit release notes, "Table 3: CUDA Toolkit and Corresponding Driver Versions"
// (https://docs.nvidia.com/cuda/cuda-toolkit-release-notes/index.html), checked against
// the 13.2 Update 2 edition. Updates within a minor raise the minimum slightly (12.8 Update
// 1 wants 570.124.06); this table keeps the GA value, so an image is judged by major.minor.
// "Table 2: Minimum Required Driver Version for CUDA Minor Version Compatibility" there
// gives 11.x >= 450, 12.x >= 525 (< 580), 13.x >= 580: the first entry of each major below.
// (CUDA 12.7 was never released; R565 drivers therefore sit in the 12.6 row.)
const DRIVER_TABLE: &[(CudaVersion, DriverVersion)] = &[
    (cuda(11, 0), driver(450, 36, 6)),
    (cuda(11, 1), driver(455, 23, 0)),
    (cuda(11, 2), driver(460, 27, 3)),
    (cuda(11, 3), driver(465, 19, 1)),
    (cuda(11, 4), driver(470, 42, 1)),
    (cuda(11, 5), driver(495, 29, 5)),
    (cuda(11, 6), driver(510, 39, 1)),
    (cuda(11, 7), driver(515, 43, 4)),
    (cuda(11, 8), driver(520, 61, 5)),
    (cuda(12, 0), driver(525, 60, 13)),
    (cuda(12, 1), driver(530, 30, 2)),
    (cuda(12, 2), driver(535, 54, 3)),
    (cuda(12, 3), driver(545, 23, 6)),
    (cuda(12, 4), driver(550, 54, 14)),
    (cuda(12, 5), driver(555, 42, 2)),
    (cuda(12, 6), driver(560, 28, 3)),
    (cuda(12, 8), driver(570, 26, 0)),
    (cuda(12, 9), driver(575, 51, 3)),
    (cuda(13, 0), driver(580, 65, 6)),
    (cuda(13, 1), driver(590, 44, 1)),
    (cuda(13, 2), driver(595, 45, 4)),
];

const fn cuda(major: u32, minor: u32) -> CudaVersion {
    CudaVersion { major, minor }
}

const fn driver(major: u32, minor: u32, patch: u32) -> DriverVersion {
    DriverVersion {
        major,
        minor,
        patch,
    }
}

/// How a driver relates to the CUDA version an image was built for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compatibility {
    /// The driver supports this CUDA version (or a newer one).
    Supported,
    /// Same major, older minor: runs through CUDA minor-version compatibility, with limits
    /// (no PTX JIT of code newer than the driver, some newer APIs unavailable).
    MinorVersionCompatibility {
        /// The newest CUDA this driver supports natively.
        driver_cuda: CudaVersion,
    },
    /// The driver only supports an older CUDA major: the image's CUDA will not initialise.
    TooOld {
        /// The newest CUDA this driver supports (`None`: older than CUDA 11.0).
        driver_cuda: Option<CudaVersion>,
    },
    /// The driver is newer than every row of the table: assumed to support the image.
    Unknown,
}

/// The newest CUDA toolkit a driver supports natively (`None` for drivers older than
/// CUDA 11.0's, 450.36.06).
pub fn supported_cuda(driver: DriverVersion) -> Option<CudaVersion> {
    DRIVER_TABLE
        .iter()
        .rev()
        .find(|(_, min)| *min <= driver)
        .map(|(cuda, _)| *cuda)
}

/// The GA minimum driver for `image` CUDA: its table row, or the next newer one
/// (`None` when `image` is newer than the table).
pub fn minimum_driver(image: CudaVersion) -> Option<DriverVersion> {
    DRIVER_TABLE
        .iter()
        .find(|(cuda, _)| *cuda >= image)
        .map(|(_, driver)| *driver)
}

/// Whether `driver` runs an image built for `image` CUDA.
pub fn compatibility(driver: DriverVersion, image: CudaVersion) -> Compatibility {
    let newest_branch = DRIVER_TABLE.last().map_or(0, |(_, d)| d.major);
    if driver.major > newest_branch {
        return Compatibility::Unknown;
    }
    match supported_cuda(driver) {
        Some(driver_cuda) if driver_cuda >= image => Compatibility::Supported,
        Some(driver_cuda) if driver_cuda.major == image.major => {
            Compatibility::MinorVersionCompatibility { driver_cuda }
        }
        driver_cuda => Compatibility::TooOld { driver_cuda },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_proc_driver_version() {
        // (case, /proc/driver/nvidia/version text, expected)
        let cases = [
            (
                "proprietary x86_64",
                "NVRM version: NVIDIA UNIX x86_64 Kernel Module  570.86.10  Thu Jan 16 2025\nGCC version:  gcc version 12.2.0\n",
                Some(driver(570, 86, 10)),
            ),
            (
                "open module aarch64",
                "NVRM version: NVIDIA UNIX Open Kernel Module for aarch64  575.51.03  Release Build  (dvs-builder@U16)  Wed Apr 16\n",
                Some(driver(575, 51, 3)),
            ),
            (
                "two-part version",
                "NVRM version: NVIDIA UNIX x86_64 Kernel Module  570.26  Mon\n",
                Some(driver(570, 26, 0)),
            ),
            ("garbage", "hello\n", None),
            ("empty", "", None),
        ];
        for (case, text, want) in cases {
            assert_eq!(DriverVersion::from_proc(text).ok(), want, "case: {case}");
        }
    }

    #[test]
    fn parses_cuda_versions() {
        let cases = [
            ("12.8.1", Some(cuda(12, 8))),
            ("12.8", Some(cuda(12, 8))),
            (" 13.0.0 ", Some(cuda(13, 0))),
            ("12", None),
            ("12.x", None),
            ("", None),
        ];
        for (text, want) in cases {
            assert_eq!(text.parse::<CudaVersion>().ok(), want, "{text:?}");
        }
    }

    #[test]
    fn driver_branch_table_holds() {
        // The CUDA release notes' driver table: R525 12.0, R530 12.1, R535 12.2, R545 12.3, R550 12.4, R555 12.5,
        // R560 12.6, R570 12.8, R575 12.9, R580 13.0.
        let cases = [
            ("525.60.13", cuda(12, 0)),
            ("530.30.02", cuda(12, 1)),
            ("535.104.05", cuda(12, 2)),
            ("545.23.06", cuda(12, 3)),
            ("550.54.14", cuda(12, 4)),
            ("555.42.02", cuda(12, 5)),
            ("560.35.03", cuda(12, 6)),
            ("565.57.01", cuda(12, 6)),
            ("570.86.10", cuda(12, 8)),
            ("575.51.03", cuda(12, 9)),
            ("580.65.06", cuda(13, 0)),
            ("520.61.05", cuda(11, 8)),
            ("470.82.01", cuda(11, 4)),
        ];
        for (text, want) in cases {
            let d: DriverVersion = text.parse().unwrap();
            assert_eq!(supported_cuda(d), Some(want), "driver {text}");
        }
        assert_eq!(
            supported_cuda(driver(440, 33, 0)),
            None,
            "older than CUDA 11.0"
        );
        assert_eq!(
            supported_cuda(driver(570, 25, 0)),
            Some(cuda(12, 6)),
            "570 pre-release below GA minimum"
        );
    }

    #[test]
    fn compatibility_cases() {
        use Compatibility::*;
        // (case, driver, image CUDA, expected)
        let cases = [
            ("same version", driver(570, 86, 10), cuda(12, 8), Supported),
            (
                "newer driver runs older minor",
                driver(575, 51, 3),
                cuda(12, 8),
                Supported,
            ),
            (
                "newer major driver runs older major",
                driver(580, 65, 6),
                cuda(12, 8),
                Supported,
            ),
            (
                "older minor: minor-version compatibility",
                driver(535, 104, 5),
                cuda(12, 8),
                MinorVersionCompatibility {
                    driver_cuda: cuda(12, 2),
                },
            ),
            (
                "12.x image on an 11.x driver",
                driver(520, 61, 5),
                cuda(12, 0),
                TooOld {
                    driver_cuda: Some(cuda(11, 8)),
                },
            ),
            (
                "13.0 image on R570",
                driver(570, 86, 10),
                cuda(13, 0),
                TooOld {
                    driver_cuda: Some(cuda(12, 8)),
                },
            ),
            (
                "ancient driver",
                driver(418, 39, 0),
                cuda(11, 0),
                TooOld { driver_cuda: None },
            ),
            (
                "driver newer than the table",
                driver(610, 1, 0),
                cuda(14, 0),
                Unknown,
            ),
        ];
        for (case, d, image, want) in cases {
            assert_eq!(compatibility(d, image), want, "case: {case}");
        }
    }
}
