//! The variables of one invocation, validated into settings before anything runs.

use std::path::{Path, PathBuf};

use nss_buildspec::Platform;

use crate::env;
use crate::error::Error;
use crate::reference::validate_reference;
use crate::vars::Vars;

/// Where the project directory was taken from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProjectDirSource {
    /// `--project DIR`.
    Flag,
    /// `NSS_PROJECT_DIR`.
    Env,
    /// The nearest ancestor of the current directory holding `pyproject.toml`.
    Ancestor,
    /// The example project bundled with nss.
    Bundled,
}

impl ProjectDirSource {
    /// In words, for `--help` and `doctor`.
    pub fn describe(self) -> &'static str {
        match self {
            ProjectDirSource::Flag => "--project",
            ProjectDirSource::Env => env::NSS_PROJECT_DIR,
            ProjectDirSource::Ancestor => "nearest pyproject.toml above the current directory",
            ProjectDirSource::Bundled => "the bundled example project",
        }
    }
}

/// Picks the project directory: `--project`, else `NSS_PROJECT_DIR`, else the nearest
/// ancestor of `cwd` with a `pyproject.toml`, else `bundled`. Relative paths are against `cwd`.
pub fn project_dir(
    flag: Option<&Path>,
    vars: &Vars,
    cwd: &Path,
    bundled: &Path,
) -> (PathBuf, ProjectDirSource) {
    if let Some(f) = flag {
        return (absolute(cwd, f), ProjectDirSource::Flag);
    }
    if let Some(d) = vars.get(env::NSS_PROJECT_DIR).filter(|d| !d.is_empty()) {
        return (absolute(cwd, Path::new(d)), ProjectDirSource::Env);
    }
    if let Some(a) = cwd.ancestors().find(|a| a.join("pyproject.toml").is_file()) {
        return (a.to_path_buf(), ProjectDirSource::Ancestor);
    }
    (bundled.to_path_buf(), ProjectDirSource::Bundled)
}

fn absolute(base: &Path, p: &Path) -> PathBuf {
    normalize(&if p.is_absolute() {
        p.to_path_buf()
    } else {
        base.join(p)
    })
}

/// Drops `.` and resolves `..` lexically, so printed paths stay readable.
pub(crate) fn normalize(p: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// Checks a platform against [`Platform::ALL`].
pub(crate) fn validate_platform(platform: &str, what: &str) -> Result<(), Error> {
    if Platform::from_name(platform).is_some() {
        Ok(())
    } else {
        Err(Error::usage(
            format!(
                "{what}={} is not a supported platform",
                nss_buildspec::excerpt(platform)
            ),
            format!("use one of: {}", Platform::names()),
        ))
    }
}

/// Splits a variable with shell rules; an unterminated quote is an error naming it (the
/// value is not quoted: it may hold anything).
pub(crate) fn split_var(name: &str, value: &str) -> Result<Vec<String>, Error> {
    shell_words::split(value).map_err(|_| {
        Error::usage(
            format!("{name} does not split into words: a quote is not closed"),
            format!("close it, e.g. {name}='run --config \"my file.yaml\"'"),
        )
    })
}

/// Refuses engine options (`CONTAINER_EXTRA_MOUNTS`, `CONTAINER_GPU_FLAG`) that set a
/// secret variable by value (`-e HF_TOKEN=...`, `--env=HF_TOKEN=...`): the value would
/// show on the engine's command line and in the dry run. The message names the variable
/// only.
pub fn refuse_secret_values(name: &str, words: &[String]) -> Result<(), Error> {
    let mut it = words.iter();
    while let Some(w) = it.next() {
        let assignment = match w.as_str() {
            "-e" | "--env" => it.next().map(String::as_str),
            other => other
                .strip_prefix("--env=")
                .or_else(|| other.strip_prefix("-e").filter(|r| !r.starts_with('-'))),
        };
        let Some((var, _)) = assignment.and_then(|a| a.split_once('=')) else {
            continue;
        };
        if nss_preflight::is_secret_name(var) {
            return Err(Error::usage(
                format!(
                    "{name} sets the secret {var} by value, which would show on the engine's command line"
                ),
                format!(
                    "pass it by name: export {var}=... and drop it from {name} (nss adds -e {var} for known secrets; otherwise write -e {var} without a value)"
                ),
            ));
        }
    }
    Ok(())
}

/// Engine options that take the next word as their value: one of these last in an option
/// string would take the option nss appends after it (`-w /workspace`) as its value.
const VALUE_OPTIONS: [&str; 16] = [
    "-v",
    "--volume",
    "--mount",
    "-e",
    "--env",
    "--env-file",
    "--device",
    "--tmpfs",
    "-w",
    "--workdir",
    "-u",
    "--user",
    "--network",
    "--add-host",
    "--entrypoint",
    "--gpus",
];

/// Validates `CONTAINER_EXTRA_MOUNTS` words. Every spelling of a bind mount (`-v X`,
/// `-vX`, `-v=X`, `--volume X`, `--volume=X`, `--mount X`, `--mount=X` with `src` or
/// `source`) goes through one check (`bind_source`): a source that is a bare name is an
/// error (docker would create a named volume, or refuse a relative bind), `./x`, `x/y` and
/// `~/x` become absolute. An option left without its value at the end is an error.
pub fn validate_mounts(
    words: &[String],
    cwd: &Path,
    home: Option<&str>,
) -> Result<Vec<String>, Error> {
    let mut out = Vec::with_capacity(words.len());
    let mut it = words.iter().peekable();
    while let Some(w) = it.next() {
        let (flag, attached) = split_option(w);
        let is_volume = flag == "-v" || flag == "--volume";
        let is_mount = flag == "--mount";
        if !(is_volume || is_mount) {
            if VALUE_OPTIONS.contains(&w.as_str()) && it.peek().is_none() {
                return Err(dangling(w));
            }
            out.push(w.clone());
            continue;
        }
        let value = match attached {
            Some(v) => v.to_string(),
            None => match it.next() {
                Some(v) if !v.starts_with('-') => v.clone(),
                _ => return Err(dangling(flag)),
            },
        };
        out.push(flag.to_string());
        out.push(if is_volume {
            volume_spec(flag, &value, cwd, home)?
        } else {
            mount_spec(&value, cwd, home)?
        });
    }
    Ok(out)
}

/// `-vX` / `-v=X` / `--volume=X` / `--mount=X` into the option and its attached value.
fn split_option(w: &str) -> (&str, Option<&str>) {
    for long in ["--volume", "--mount"] {
        if w == long {
            return (long, None);
        }
        if let Some(v) = w.strip_prefix(long).and_then(|r| r.strip_prefix('=')) {
            return (long, Some(v));
        }
    }
    if w == "-v" {
        return ("-v", None);
    }
    if let Some(rest) = w.strip_prefix("-v") {
        return ("-v", Some(rest.strip_prefix('=').unwrap_or(rest)));
    }
    (w, None)
}

fn dangling(flag: &str) -> Error {
    Error::usage(
        format!(
            "CONTAINER_EXTRA_MOUNTS ends with {flag} and no value (it would take nss's own next option as its value)"
        ),
        "give it one, e.g. -v /abs/data:/workspace/data",
    )
}

fn volume_spec(flag: &str, spec: &str, cwd: &Path, home: Option<&str>) -> Result<String, Error> {
    let Some((src, rest)) = spec.split_once(':') else {
        return Ok(spec.to_string()); // `-v /container/path`: an anonymous volume, as asked.
    };
    let shown = format!("{flag} {spec}");
    let dst = rest.split(':').next().unwrap_or(rest);
    let src = bind_source(&shown, src, dst, cwd, home)?;
    Ok(format!("{src}:{rest}"))
}

/// `--mount type=bind,src=...`: the source through [`bind_source`]; other types as given.
fn mount_spec(spec: &str, cwd: &Path, home: Option<&str>) -> Result<String, Error> {
    let fields: Vec<&str> = spec.split(',').collect();
    let is_bind = fields.contains(&"type=bind");
    if !is_bind {
        return Ok(spec.to_string());
    }
    let dst = fields
        .iter()
        .find_map(|f| {
            f.strip_prefix("dst=")
                .or_else(|| f.strip_prefix("destination="))
                .or_else(|| f.strip_prefix("target="))
        })
        .unwrap_or("/data");
    let shown = format!("--mount {spec}");
    let mut out = Vec::with_capacity(fields.len());
    for f in fields {
        match f.split_once('=') {
            Some((key @ ("src" | "source"), src)) => {
                let src = bind_source(&shown, src, dst, cwd, home)?;
                if src.contains(',') {
                    return Err(Error::usage(
                        format!(
                            "CONTAINER_EXTRA_MOUNTS: {shown}: the source path contains ',', which --mount reads as a field separator"
                        ),
                        "use -v SRC:DST for it",
                    ));
                }
                out.push(format!("{key}={src}"));
            }
            _ => out.push(f.to_string()),
        }
    }
    Ok(out.join(","))
}

/// The one check of a bind-mount source: absolute stays, `~`/`./x`/`x/y` become absolute,
/// a bare name is refused (docker reads it as a named volume).
fn bind_source(
    shown: &str,
    src: &str,
    dst: &str,
    cwd: &Path,
    home: Option<&str>,
) -> Result<String, Error> {
    if src.starts_with('/') {
        return Ok(src.to_string());
    }
    if src == "~" || src.starts_with("~/") {
        let Some(home) = home else {
            return Err(Error::usage(
                format!(
                    "CONTAINER_EXTRA_MOUNTS: {shown}: HOME is not set, so ~ cannot be expanded"
                ),
                "write the absolute path",
            ));
        };
        let abs = Path::new(home).join(src.trim_start_matches('~').trim_start_matches('/'));
        return Ok(abs.display().to_string());
    }
    if src.starts_with('.') || src.contains('/') {
        return Ok(absolute(cwd, Path::new(src)).display().to_string());
    }
    let abs = cwd.join(src);
    Err(Error::usage(
        format!(
            "CONTAINER_EXTRA_MOUNTS: {shown} names no directory: docker would create a named volume {src:?} instead of mounting ./{src}"
        ),
        format!(
            "write -v {}:{dst} (or ./{src}:{dst}), or --mount type=volume,src={src},dst={dst} for a real named volume",
            abs.display(),
        ),
    ))
}

/// Validates an image-reference variable and returns its value.
pub(crate) fn image_var(vars: &Vars, name: &str) -> Result<String, Error> {
    let v = vars.value(name).unwrap_or_default();
    validate_reference(&v, name)?;
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        shell_words::split(s).unwrap()
    }

    #[test]
    fn mounts_are_made_absolute_or_refused() {
        let cwd = Path::new("/home/u/proj");
        // (CONTAINER_EXTRA_MOUNTS, expected words or None for an error)
        let cases: &[(&str, Option<&str>)] = &[
            ("-v /data:/workspace/data", Some("-v /data:/workspace/data")),
            (
                "-v ./data:/workspace/data:ro",
                Some("-v /home/u/proj/data:/workspace/data:ro"),
            ),
            ("--volume ~/data:/d", Some("--volume /home/u/data:/d")),
            (
                "--volume=sub/dir:/d",
                Some("--volume /home/u/proj/sub/dir:/d"),
            ),
            ("-v ../x:/x", Some("-v /home/u/x:/x")),
            (
                "--mount type=volume,src=data,dst=/d",
                Some("--mount type=volume,src=data,dst=/d"),
            ),
            ("-v /anonymous", Some("-v /anonymous")),
            ("-v data:/workspace/data", None),
            ("--volume=data:/workspace/data", None),
            ("-v", None),
            // Every spelling goes through the same check.
            ("-vdata:/x", None),
            ("-v=data:/x", None),
            ("--mount type=bind,src=data,dst=/x", None),
            ("--mount=type=bind,source=data,dst=/x", None),
            ("-v./d:/x", Some("-v /home/u/proj/d:/x")),
            ("-v=/abs:/x", Some("-v /abs:/x")),
            (
                "--mount type=bind,src=./d,dst=/x",
                Some("--mount type=bind,src=/home/u/proj/d,dst=/x"),
            ),
            // A dangling option would swallow nss's own -w.
            ("--mount", None),
            ("-v /a:/b --mount", None),
            ("-e", None),
            ("--mount -w", None),
        ];
        for (input, want) in cases {
            let got = validate_mounts(&words(input), cwd, Some("/home/u"));
            match want {
                Some(w) => assert_eq!(got.unwrap(), words(w), "{input}"),
                None => assert!(got.is_err(), "{input} should be refused"),
            }
        }
    }

    #[test]
    fn bare_name_error_shows_the_absolute_form_and_the_volume_alternative() {
        let err = validate_mounts(&words("-v data:/workspace/data"), Path::new("/p"), None)
            .unwrap_err()
            .to_string();
        assert!(err.contains("named volume"), "{err}");
        assert!(err.contains("-v /p/data:/workspace/data"), "{err}");
        assert!(
            err.contains("--mount type=volume,src=data,dst=/workspace/data"),
            "{err}"
        );
    }

    #[test]
    fn platforms_and_splitting() {
        assert!(validate_platform("linux/arm64", "CONTAINER_GPU_PLATFORM").is_ok());
        let err = validate_platform("linux/s390x", "CONTAINER_GPU_PLATFORM")
            .unwrap_err()
            .to_string();
        assert!(err.contains("linux/amd64, linux/arm64"), "{err}");
        assert_eq!(
            split_var("CMD", "run --config 'a b.yaml'").unwrap(),
            ["run", "--config", "a b.yaml"]
        );
        assert!(split_var("CMD", "run 'unterminated").is_err());
    }

    #[test]
    fn project_dir_order() {
        let tmp = tempfile::tempdir().unwrap();
        let proj = tmp.path().join("p");
        std::fs::create_dir_all(proj.join("sub")).unwrap();
        std::fs::write(proj.join("pyproject.toml"), "").unwrap();
        let bundled = Path::new("/bundled");
        let none = Vars::default();
        let env = Vars::new([("NSS_PROJECT_DIR".to_string(), "/e".to_string())].into());
        assert_eq!(
            project_dir(Some(Path::new("/f")), &env, &proj, bundled),
            ("/f".into(), ProjectDirSource::Flag)
        );
        assert_eq!(
            project_dir(None, &env, &proj, bundled),
            ("/e".into(), ProjectDirSource::Env)
        );
        assert_eq!(
            project_dir(None, &none, &proj.join("sub"), bundled),
            (proj.clone(), ProjectDirSource::Ancestor)
        );
        assert_eq!(
            project_dir(None, &none, Path::new("/"), bundled).1,
            ProjectDirSource::Bundled
        );
    }
}
