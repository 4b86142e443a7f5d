//! Debian and Ubuntu packages installed in an image, from dpkg's status database, and
//! the distribution they come from (`os-release`).

use std::str::FromStr;

use crate::Error;
use crate::filesystem::Filesystem;

/// dpkg's status database, relative to the image root.
pub(crate) const STATUS: &str = "var/lib/dpkg/status";
/// `os-release`, as distributions ship it (`/etc/os-release` links here).
pub(crate) const OS_RELEASE: [&str; 2] = ["usr/lib/os-release", "etc/os-release"];

/// One installed package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Package {
    /// `Package`.
    pub name: String,
    /// `Version`.
    pub version: String,
    /// `Architecture`.
    pub arch: String,
    /// `Source`, without its version, when it differs from the name.
    pub source: Option<String>,
    /// `Installed-Size`, in bytes (dpkg records KiB).
    pub installed_size: u64,
}

/// The distribution of the image: `ID` and `VERSION_ID` of its os-release.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Distro {
    /// `debian`, `ubuntu`, ...
    pub id: String,
    /// `12`, `22.04`, ...
    pub version_id: String,
}

/// Reads the image's os-release; empty when it has none.
pub fn distro(fs: &Filesystem) -> Distro {
    let Some(text) = OS_RELEASE.iter().find_map(|p| fs.kept.get(*p)) else {
        return Distro::default();
    };
    let mut d = Distro::default();
    for line in String::from_utf8_lossy(text).lines() {
        let Some((k, v)) = line.split_once('=') else {
            continue;
        };
        let v = shell_unquote(v);
        match k.trim() {
            "ID" => d.id = v,
            "VERSION_ID" => d.version_id = v,
            _ => {}
        }
    }
    d
}

fn shell_unquote(v: &str) -> String {
    let v = v.trim();
    v.strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .or_else(|| v.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')))
        .unwrap_or(v)
        .to_string()
}

/// The packages dpkg lists as installed, sorted by name and architecture.
pub fn packages(fs: &Filesystem) -> Result<Vec<Package>, Error> {
    let Some(status) = fs.kept.get(STATUS) else {
        return Ok(Vec::new());
    };
    let text = String::from_utf8_lossy(status);
    let db = deb822_fast::Deb822::from_str(&text).map_err(|e| Error::Metadata {
        path: STATUS.to_string(),
        what: e.to_string(),
    })?;
    let mut out: Vec<Package> = db
        .iter()
        .filter(|p| {
            p.get("Status")
                .is_some_and(|s| s.split_whitespace().last() == Some("installed"))
        })
        .filter_map(|p| {
            let name = p.get("Package")?.trim().to_string();
            let source = p
                .get("Source")
                .and_then(|s| s.split_whitespace().next())
                .filter(|s| *s != name)
                .map(str::to_string);
            Some(Package {
                version: p.get("Version")?.trim().to_string(),
                arch: p.get("Architecture").unwrap_or("").trim().to_string(),
                installed_size: p
                    .get("Installed-Size")
                    .and_then(|s| s.trim().parse::<u64>().ok())
                    .unwrap_or(0)
                    * 1024,
                source,
                name,
            })
        })
        .collect();
    out.sort_by(|a, b| (&a.name, &a.arch).cmp(&(&b.name, &b.arch)));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fs(files: &[(&str, &str)]) -> Filesystem {
        let mut fs = Filesystem::default();
        for (p, c) in files {
            fs.kept.insert((*p).to_string(), c.as_bytes().to_vec());
        }
        fs
    }

    #[test]
    fn lists_installed_packages_only() {
        let f = fs(&[(
            STATUS,
            "Package: tini\nStatus: install ok installed\nVersion: 0.19.0-1\nArchitecture: amd64\nInstalled-Size: 10\n\n\
             Package: gone\nStatus: deinstall ok config-files\nVersion: 1\n\n\
             Package: libc6\nStatus: install ok installed\nSource: glibc (2.36-9)\nVersion: 2.36-9+deb12u9\nArchitecture: amd64\nDescription: GNU C Library\n second line\n",
        )]);
        let p = packages(&f).unwrap();
        assert_eq!(p.len(), 2);
        assert_eq!(p[0].name, "libc6");
        assert_eq!(p[0].source.as_deref(), Some("glibc"));
        assert_eq!(p[1].installed_size, 10 * 1024);
    }

    #[test]
    fn reads_os_release() {
        let f = fs(&[("etc/os-release", "ID=debian\nVERSION_ID=\"12\"\n")]);
        assert_eq!(
            distro(&f),
            Distro {
                id: "debian".into(),
                version_id: "12".into()
            }
        );
    }
}
