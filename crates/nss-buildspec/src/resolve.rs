//! Resolution of every pin, highest precedence first:
//! `NAME=value` > `NSS_<NAME>` > `[tool.nss]` > derived from pyproject > default.

use std::collections::{BTreeMap, BTreeSet};
use std::str::FromStr;

use pep440_rs::{Version, VersionSpecifiers};
use toml_edit::{Item, TableLike, Value};

use crate::env;
use crate::error::{Error, Result};
use crate::pep::{inclusive_lower_bound, one_line, parse_specifiers, plain_release};
use crate::platform::Platform;
use crate::project::Project;
use crate::source::{Resolved, Source};
use crate::spec::{BuildSpec, CudaImageType};
use crate::versions::{Minor, TABLES, parse_minor, parse_triple};

/// Declares pin keys, one a line: `NAME = "tool-key", env::NSS_NAME;` (the `NAME=value`
/// name is the constant's own).
macro_rules! pin_keys {
    ($($vis:vis $name:ident = $tool:literal, $env:path;)*) => {
        $($vis const $name: Key = Key { arg: stringify!($name), env: $env, tool: $tool };)*
    };
}

mod workflow;

/// What the caller adds to the project files: `NAME=value` arguments, the
/// environment and the target platform.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Inputs {
    /// `NAME=value` arguments (`CUDA_VERSION=12.8`): the highest precedence.
    /// Names: the six pins, `GPU_EXTRAS`, `CPU_EXTRAS`, `APP`. Other names are ignored.
    pub overrides: BTreeMap<String, String>,
    /// A snapshot of the environment; only the `NSS_*` names of [`crate::env`] are read.
    pub env: BTreeMap<String, String>,
    /// The target platform, `linux/amd64` (default) or `linux/arm64`.
    pub platform: Option<String>,
}

impl Inputs {
    /// Inputs with `env` set to the current process environment (variables
    /// whose name or value is not UTF-8 are left out).
    pub fn from_process_env() -> Inputs {
        let env = std::env::vars_os()
            .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
            .collect();
        Inputs {
            env,
            ..Inputs::default()
        }
    }
}

/// The platform used when [`Inputs::platform`] is `None`: [`Platform::DEFAULT`]'s name.
pub const DEFAULT_PLATFORM: &str = Platform::DEFAULT.name();

/// The Ubuntu version of the nvidia/cuda base image when nothing names one.
pub const DEFAULT_UBUNTU_VERSION: &str = "22.04";

/// The console script when neither `[tool.nss] app` nor `[project.scripts]` names one.
pub const DEFAULT_APP: &str = "python";

/// One resolvable value: its `NAME=value` name, its `NSS_*` variable and its
/// `[tool.nss]` key.
pub(crate) struct Key {
    pub(crate) arg: &'static str,
    pub(crate) env: &'static str,
    /// Dotted for nested tables: `system-packages.runtime`.
    pub(crate) tool: &'static str,
}

pin_keys! {
    CUDA_VERSION = "cuda-version", env::NSS_CUDA_VERSION;
    UBUNTU_VERSION = "ubuntu-version", env::NSS_UBUNTU_VERSION;
    CUDA_IMAGE_TYPE = "cuda-image-type", env::NSS_CUDA_IMAGE_TYPE;
    PYTHON_VERSION = "python-version", env::NSS_PYTHON_VERSION;
    UV_VERSION = "uv-version", env::NSS_UV_VERSION;
    CUDA_ARCH_FLAGS = "cuda-arch-flags", env::NSS_CUDA_ARCH_FLAGS;
    GPU_EXTRAS = "gpu-extras", env::NSS_GPU_EXTRAS;
    CPU_EXTRAS = "cpu-extras", env::NSS_CPU_EXTRAS;
    APP = "app", env::NSS_APP;
}

/// The `NAME=value` names [`resolve`] reads from [`Inputs::overrides`]: the six
/// pins of [`crate::PIN_NAMES`], `GPU_EXTRAS`, `CPU_EXTRAS`, `APP`, then the
/// workflow pins (base images, Python source, system packages, commands).
pub const OVERRIDE_NAMES: &[&str] = &[
    CUDA_VERSION.arg,
    UBUNTU_VERSION.arg,
    CUDA_IMAGE_TYPE.arg,
    PYTHON_VERSION.arg,
    UV_VERSION.arg,
    CUDA_ARCH_FLAGS.arg,
    GPU_EXTRAS.arg,
    CPU_EXTRAS.arg,
    APP.arg,
    workflow::CUDA_IMAGE.arg,
    workflow::UV_IMAGE.arg,
    workflow::PYTHON_IMAGE.arg,
    workflow::PYTHON_SOURCE.arg,
    workflow::DEV_COMMAND.arg,
    workflow::TEST_COMMAND.arg,
    workflow::SYSTEM_PACKAGES_DEPS.arg,
    workflow::SYSTEM_PACKAGES_RUNTIME.arg,
    workflow::SYSTEM_PACKAGES_DEV.arg,
];

/// The keys `[tool.nss]` accepts.
pub const TOOL_NSS_KEYS: &[&str] = &[
    "cuda-version",
    "ubuntu-version",
    "cuda-image-type",
    "python-version",
    "uv-version",
    "cuda-arch-flags",
    "gpu-extras",
    "cpu-extras",
    "app",
    "cuda-image",
    "uv-image",
    "python-image",
    "python-source",
    "dev-command",
    "test-command",
    // A table: `deps`, `runtime`, `dev` (see [`crate::workflow::SYSTEM_PACKAGE_STAGES`]).
    "system-packages",
    // Read by other crates: nss-cli (`secrets` passed to `nss run` by name) and
    // nss-labels (`[tool.nss.labels]` overrides).
    "secrets",
    "labels",
];

const UV_FIX: &str = "set [tool.uv] required-version to a range with an inclusive lower bound such as \">=0.9.14\", or pass UV_VERSION=x.y.z";

/// An explicitly given value: a string, or a list (`[tool.nss]` extras).
pub(crate) enum Raw {
    Str(String),
    List(Vec<String>),
}

impl Raw {
    /// The value as written, for messages.
    pub(crate) fn shown(&self) -> String {
        match self {
            Raw::Str(s) => s.clone(),
            Raw::List(l) => l.join(" "),
        }
    }
}

/// Resolves every pin of `project`, each with its [`Source`].
///
/// Precedence, highest first: `NAME=value` in [`Inputs::overrides`]
/// ([`Source::Cli`]) > `NSS_<NAME>` in [`Inputs::env`] ([`Source::Env`]) >
/// `[tool.nss]` ([`Source::ToolNss`]) > derived from `pyproject.toml` /
/// `.python-version` ([`Source::PyProject`], [`Source::PythonVersionFile`],
/// [`Source::Derived`]) > built-in default ([`Source::Default`]).
/// Empty strings count as unset.
pub fn resolve(project: &Project, inputs: &Inputs) -> Result<BuildSpec> {
    let cx = Cx {
        project,
        inputs,
        tool: project.tool_nss(),
    };
    cx.check_tool_keys()?;
    let platform = cx.platform()?;
    let uv_version = cx.uv_version()?;
    let python_version = cx.python_version(&uv_version)?;
    let extras = Extras::scan(project)?;
    let cuda_version = cx.cuda_version(&extras)?;
    let ubuntu_version = cx.chain(
        &UBUNTU_VERSION,
        |raw, src| cx.ubuntu(raw, src),
        || Ok(None),
        || {
            Ok(Resolved::new(
                DEFAULT_UBUNTU_VERSION.to_owned(),
                Source::Default,
            ))
        },
    )?;
    let cuda_image_type = cx.chain(
        &CUDA_IMAGE_TYPE,
        image_type,
        || Ok(None),
        || Ok(Resolved::new(CudaImageType::Runtime, Source::Default)),
    )?;
    check_published(&cuda_version, &ubuntu_version, &cuda_image_type)?;
    let cuda_arch_flags = cx.chain(
        &CUDA_ARCH_FLAGS,
        arch_flags,
        || {
            let flags = platform.0.cuda_arch_flags();
            let rule = if platform.1 {
                format!("platform {}", platform.0)
            } else {
                format!("default platform {}", platform.0)
            };
            Ok(Some(Resolved::new(
                flags.to_owned(),
                Source::Derived { rule },
            )))
        },
        unreachable_default,
    )?;
    check_arch_against_cuda(&cuda_arch_flags, &cuda_version)?;
    let gpu_extras = cx.chain(
        &GPU_EXTRAS,
        |raw, src| extras.named(raw, src, GPU_EXTRAS.arg),
        || extras.gpu(cx.project, &cuda_version).map(Some),
        unreachable_default,
    )?;
    let cpu_extras = cx.chain(
        &CPU_EXTRAS,
        |raw, src| extras.named(raw, src, CPU_EXTRAS.arg),
        || Ok(Some(extras.cpu(cx.project))),
        unreachable_default,
    )?;
    let app = cx.chain(
        &APP,
        app_name,
        || cx.derived_app(),
        || Ok(Resolved::new(DEFAULT_APP.to_owned(), Source::Default)),
    )?;
    let wf = workflow::resolve_workflow(&cx)?;
    Ok(BuildSpec {
        cuda_version,
        ubuntu_version,
        cuda_image_type,
        python_version,
        uv_version,
        cuda_arch_flags,
        gpu_extras,
        cpu_extras,
        app,
        cuda_image: wf.cuda_image,
        uv_image: wf.uv_image,
        python_image: wf.python_image,
        python_source: wf.python_source,
        dev_command: wf.dev_command,
        test_command: wf.test_command,
        system_packages: wf.system_packages,
    })
}

/// For chains whose derived step always answers.
fn unreachable_default<T>() -> Result<Resolved<T>> {
    Err(Error::Conflict {
        problem: "internal: a derived value was expected".to_owned(),
        fix: "report this as a bug in nss-buildspec".to_owned(),
    })
}

/// The resolution context.
pub(crate) struct Cx<'a> {
    pub(crate) project: &'a Project,
    inputs: &'a Inputs,
    tool: Option<&'a dyn TableLike>,
}

impl Cx<'_> {
    /// The one precedence chain every value goes through.
    pub(crate) fn chain<T>(
        &self,
        key: &Key,
        parse: impl FnOnce(Raw, &Source) -> Result<T>,
        derived: impl FnOnce() -> Result<Option<Resolved<T>>>,
        default: impl FnOnce() -> Result<Resolved<T>>,
    ) -> Result<Resolved<T>> {
        if let Some((raw, source)) = self.explicit(key)? {
            let value = parse(raw, &source)?;
            return Ok(Resolved::new(value, source));
        }
        if let Some(resolved) = derived()? {
            return Ok(resolved);
        }
        default()
    }

    /// The explicitly given value of `key`: `NAME=value`, then `NSS_<NAME>`, then `[tool.nss]`.
    fn explicit(&self, key: &Key) -> Result<Option<(Raw, Source)>> {
        let given = |v: Option<&String>| v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
        if let Some(v) = given(self.inputs.overrides.get(key.arg)) {
            return Ok(Some((
                Raw::Str(v),
                Source::Cli {
                    name: key.arg.to_owned(),
                },
            )));
        }
        if let Some(v) = given(self.inputs.env.get(key.env)) {
            return Ok(Some((
                Raw::Str(v),
                Source::Env {
                    var: key.env.to_owned(),
                },
            )));
        }
        let mut path = key.tool.split('.');
        let first = path.next().unwrap_or_default();
        let mut item = self.tool.and_then(|t| t.get(first));
        for part in path {
            item = item.and_then(Item::as_table_like).and_then(|t| t.get(part));
        }
        let Some(item) = item else {
            return Ok(None);
        };
        let source = Source::ToolNss {
            path: self.project.pyproject_path().to_path_buf(),
            key: key.tool.to_owned(),
        };
        let list_ok = key.tool.ends_with("extras") || key.tool.starts_with("system-packages");
        let raw = match item.as_value() {
            Some(Value::String(s)) => Raw::Str(s.value().trim().to_owned()),
            Some(Value::Array(a)) if list_ok => Raw::List(
                a.iter()
                    .map(|v| v.as_str().map(str::to_owned))
                    .collect::<Option<Vec<_>>>()
                    .ok_or_else(|| self.tool_type_error(key.tool, "an array of strings", item))?,
            ),
            _ => {
                let want = if list_ok {
                    "an array of strings"
                } else {
                    "a string"
                };
                return Err(self.tool_type_error(key.tool, want, item));
            }
        };
        Ok(Some((raw, source)))
    }

    fn tool_type_error(&self, key: &str, want: &str, item: &Item) -> Error {
        Error::Field {
            path: self.project.pyproject_path().to_path_buf(),
            field: format!("[tool.nss] {key}"),
            problem: must_be(want, item),
            fix: format!("write it as {want}, e.g. {}", example(key)),
        }
    }

    fn check_tool_keys(&self) -> Result<()> {
        if let Some(item) = self
            .project
            .document()
            .get("tool")
            .and_then(|t| t.get("nss"))
            && !item.is_table_like()
        {
            return Err(Error::Field {
                path: self.project.pyproject_path().to_path_buf(),
                field: "[tool.nss]".to_owned(),
                problem: must_be("a table", item),
                fix: "write it as a [tool.nss] table of keys".to_owned(),
            });
        }
        let Some(tool) = self.tool else { return Ok(()) };
        if let Some(item) = tool.get("secrets") {
            let names = item
                .as_array()
                .and_then(|a| a.iter().map(|v| v.as_str()).collect::<Option<Vec<&str>>>());
            let Some(names) = names else {
                return Err(self.tool_type_error("secrets", "an array of strings", item));
            };
            if let Some(bad) = names.iter().find(|n| !env_var_name(n)) {
                return Err(Error::Field {
                    path: self.project.pyproject_path().to_path_buf(),
                    field: "[tool.nss] secrets".to_owned(),
                    problem: format!(
                        "has {}, which is not an environment-variable name",
                        crate::error::excerpt(bad)
                    ),
                    fix: "list variable names only (letters, digits, '_'), e.g. secrets = [\"WANDB_API_KEY\"]; nss passes each as -e NAME".to_owned(),
                });
            }
        }
        for (key, _) in tool.iter() {
            if !TOOL_NSS_KEYS.contains(&key) {
                return Err(Error::Field {
                    path: self.project.pyproject_path().to_path_buf(),
                    field: format!("[tool.nss] {key}"),
                    problem: "is not a key nss knows".to_owned(),
                    fix: format!("use one of: {}", TOOL_NSS_KEYS.join(", ")),
                });
            }
        }
        if let Some(item) = tool.get("system-packages") {
            let table = item.as_table_like().ok_or_else(|| {
                self.tool_type_error("system-packages", "a table of stage = [packages]", item)
            })?;
            for (stage, _) in table.iter() {
                if !crate::workflow::SYSTEM_PACKAGE_STAGES.contains(&stage) {
                    return Err(Error::Field {
                        path: self.project.pyproject_path().to_path_buf(),
                        field: format!("[tool.nss] system-packages.{stage}"),
                        problem: "is not a stage nss installs packages in".to_owned(),
                        fix: format!(
                            "use one of: {}",
                            crate::workflow::SYSTEM_PACKAGE_STAGES.join(", ")
                        ),
                    });
                }
            }
        }
        Ok(())
    }

    /// The target platform and whether it was given (`false`: the default).
    fn platform(&self) -> Result<(Platform, bool)> {
        let Some(p) = self
            .inputs
            .platform
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty())
        else {
            return Ok((Platform::DEFAULT, false));
        };
        if let Some(known) = Platform::from_name(p) {
            return Ok((known, true));
        }
        Err(Error::Value {
            name: "platform".to_owned(),
            value: p.to_owned(),
            origin: "the target platform".to_owned(),
            problem: "is not a supported platform".to_owned(),
            fix: format!("use one of: {}", Platform::names()),
        })
    }

    /// `[project] <key>` through `as_` (e.g. [`Item::as_str`]): `None` when absent, an error
    /// naming `field` when it is not `want`.
    fn project_value<'s, T>(
        &'s self,
        key: &str,
        field: &str,
        want: &str,
        fix: &str,
        as_: impl Fn(&'s Item) -> Option<T>,
    ) -> Result<Option<T>> {
        let Some(item) = project_key(self.project, key) else {
            return Ok(None);
        };
        as_(item)
            .map(Some)
            .ok_or_else(|| self.pyproject_field(field, must_be(want, item), fix))
    }

    fn pyproject_field(&self, field: &str, problem: String, fix: &str) -> Error {
        Error::Field {
            path: self.project.pyproject_path().to_path_buf(),
            field: field.to_owned(),
            problem,
            fix: fix.to_owned(),
        }
    }

    // ---- UV_VERSION ----

    fn uv_version(&self) -> Result<Resolved<String>> {
        let required = self
            .project
            .document()
            .get("tool")
            .and_then(|t| t.get("uv"))
            .and_then(|u| u.get("required-version"));
        self.chain(
            &UV_VERSION,
            |raw, src| {
                let value = raw.shown();
                let bad = |problem: String| value_error(&UV_VERSION, &value, src, problem, "give a uv release such as 0.9.14".to_owned());
                let version = Version::from_str(&value).map_err(|e| bad(format!("is not a version ({})", one_line(&e.to_string()))))?;
                let plain = plain_release(&version).map_err(|why| bad(format!("is {}", why.trim_start_matches("which "))))?;
                if let Some(spec) = required.and_then(Item::as_str)
                    && let Ok(specs) = parse_specifiers(spec)
                        && !specs.contains(&version) {
                            return Err(Error::Conflict {
                                problem: format!(
                                    "UV_VERSION={value} from {src} is outside [tool.uv] required-version {spec:?} in {}",
                                    self.project.pyproject_path().display()
                                ),
                                fix: "pick a uv version inside the range, or change required-version".to_owned(),
                            });
                        }
                Ok(plain)
            },
            || {
                let field = "[tool.uv] required-version";
                let Some(item) = required else { return Ok(None) };
                let spec = item
                    .as_str()
                    .ok_or_else(|| self.pyproject_field(field, must_be("a string", item), UV_FIX))?;
                let value = inclusive_lower_bound(spec).map_err(|problem| self.pyproject_field(field, problem, UV_FIX))?;
                Ok(Some(Resolved::new(
                    value,
                    Source::PyProject {
                        path: self.project.pyproject_path().to_path_buf(),
                        key: "tool.uv.required-version".to_owned(),
                        detail: format!("inclusive lower bound of {spec:?}"),
                    },
                )))
            },
            || Err(self.pyproject_field("[tool.uv] required-version", "is missing".to_owned(), UV_FIX)),
        )
    }

    // ---- PYTHON_VERSION ----

    /// `[project] requires-python`, parsed, with its text.
    fn requires_python(&self) -> Result<Option<(VersionSpecifiers, String)>> {
        let fix = "write a PEP 440 range such as \">=3.11\"";
        let field = "[project] requires-python";
        let Some(text) =
            self.project_value("requires-python", field, "a string", fix, Item::as_str)?
        else {
            return Ok(None);
        };
        let specs = parse_specifiers(text).map_err(|p| self.pyproject_field(field, p, fix))?;
        Ok(Some((specs, text.to_owned())))
    }

    fn python_version(&self, uv: &Resolved<String>) -> Result<Resolved<String>> {
        let requires = self.requires_python()?;
        let uv = parse_triple(&uv.value).unwrap_or([0, 0, 0]);
        let check = |full: String, origin: &dyn Fn() -> String| -> Result<String> {
            if let Some((specs, text)) = &requires {
                let v = Version::from_str(&full).map_err(|e| Error::Conflict {
                    problem: format!("internal: {full} is not a version ({e})"),
                    fix: "report this as a bug in nss-buildspec".to_owned(),
                })?;
                if !specs.contains(&v) {
                    return Err(Error::Conflict {
                        problem: format!(
                            "python {full} from {} is outside [project] requires-python {text:?} in {}",
                            origin(),
                            self.project.pyproject_path().display()
                        ),
                        fix: "pick a python version requires-python allows, or change requires-python".to_owned(),
                    });
                }
            }
            Ok(full)
        };
        self.chain(
            &PYTHON_VERSION,
            |raw, src| {
                let value = raw.shown();
                let full = complete_python(&value, uv).map_err(|p| {
                    value_error(
                        &PYTHON_VERSION,
                        &value,
                        src,
                        p,
                        format!(
                            "use X.Y or X.Y.Z of a CPython uv can install ({})",
                            TABLES.python_minors()
                        ),
                    )
                })?;
                check(full, &|| src.to_string())
            },
            || {
                if let Some(file) = self.project.python_version_file() {
                    let path = file.path.display().to_string();
                    let fix = "write X.Y or X.Y.Z of a CPython on its first line, e.g. 3.11";
                    let Some(text) = file.version.as_deref() else {
                        return Err(Error::Field {
                            path: file.path.clone(),
                            field: "first line".to_owned(),
                            problem: "is missing (the file is empty)".to_owned(),
                            fix: fix.to_owned(),
                        });
                    };
                    let full = complete_python(text, uv).map_err(|p| Error::Field {
                        path: file.path.clone(),
                        field: format!("version {text:?}"),
                        problem: p,
                        fix: fix.to_owned(),
                    })?;
                    let full = check(full, &|| path.clone())?;
                    return Ok(Some(Resolved::new(
                        full,
                        Source::PythonVersionFile {
                            path: file.path.clone(),
                        },
                    )));
                }
                let Some((specs, text)) = &requires else {
                    return Ok(None);
                };
                let (minor, patch) = TABLES
                    .python
                    .keys()
                    .filter_map(|m| Some((*m, TABLES.python_patch_for_uv(*m, uv)?)))
                    .find(|((a, b), p)| specs.contains(&Version::new([*a, *b, *p])))
                    .ok_or_else(|| {
                        self.pyproject_field(
                            "[project] requires-python",
                            format!(
                                "{text:?} allows none of the CPython minors uv can install ({})",
                                TABLES.python_minors()
                            ),
                            "widen requires-python, or set [tool.nss] python-version",
                        )
                    })?;
                Ok(Some(Resolved::new(
                    format!("{}.{}.{patch}", minor.0, minor.1),
                    Source::PyProject {
                        path: self.project.pyproject_path().to_path_buf(),
                        key: "project.requires-python".to_owned(),
                        detail: format!(
                            "lowest minor {text:?} allows, newest patch uv {}.{}.{} installs",
                            uv[0], uv[1], uv[2]
                        ),
                    },
                )))
            },
            || {
                let (a, b) = TABLES.python_default_minor;
                let patch = TABLES.python_patch_for_uv((a, b), uv).unwrap_or_default();
                Ok(Resolved::new(format!("{a}.{b}.{patch}"), Source::Default))
            },
        )
    }

    // ---- CUDA_VERSION ----

    fn cuda_version(&self, extras: &Extras) -> Result<Resolved<String>> {
        self.chain(
            &CUDA_VERSION,
            |raw, src| {
                let value = raw.shown();
                complete_cuda(&value).map_err(|p| value_error(&CUDA_VERSION, &value, src, p, format!("use X.Y or X.Y.Z of an nvidia/cuda release ({})", TABLES.cuda_list())))
            },
            || {
                let evidence = cuda_evidence(self.project, extras)?;
                let Some((minor, reasons)) = evidence.iter().next() else { return Ok(None) };
                if evidence.len() > 1 {
                    let listed: Vec<String> = evidence
                        .iter()
                        .map(|((a, b), why)| format!("{a}.{b} ({})", why.iter().map(|w| w.detail.as_str()).collect::<Vec<_>>().join(", ")))
                        .collect();
                    return Err(Error::Conflict {
                        problem: format!("{} names several CUDA versions: {}", self.project.pyproject_path().display(), listed.join("; ")),
                        fix: "choose one with [tool.nss] cuda-version, NSS_CUDA_VERSION or CUDA_VERSION=X.Y".to_owned(),
                    });
                }
                let full = complete_cuda(&format!("{}.{}", minor.0, minor.1)).map_err(|p| {
                    self.pyproject_field(&reasons[0].field, format!("names CUDA {}.{} ({}), which {p}", minor.0, minor.1, reasons[0].detail), "set [tool.nss] cuda-version to a published CUDA version")
                })?;
                let first = &reasons[0];
                Ok(Some(Resolved::new(
                    full,
                    Source::PyProject {
                        path: self.project.pyproject_path().to_path_buf(),
                        key: first.key.clone(),
                        detail: format!("{}, newest nvidia/cuda patch", first.detail),
                    },
                )))
            },
            || {
                let (a, b) = TABLES.cuda_default;
                let full = TABLES.newest_cuda((a, b)).map(|r| r.to_version_string()).unwrap_or_default();
                Ok(Resolved::new(full, Source::Default))
            },
        )
    }

    // ---- UBUNTU_VERSION ----

    fn ubuntu(&self, raw: Raw, src: &Source) -> Result<String> {
        let value = raw.shown();
        let ok = value.len() == 5 && parse_minor(&value).is_some() && value.as_bytes()[2] == b'.';
        if ok {
            Ok(value)
        } else {
            Err(value_error(
                &UBUNTU_VERSION,
                &value,
                src,
                "is not an Ubuntu release number".to_owned(),
                "use YY.MM, e.g. 22.04 or 24.04".to_owned(),
            ))
        }
    }

    // ---- APP ----

    fn derived_app(&self) -> Result<Option<Resolved<String>>> {
        let fix = "write [project.scripts] as a table of name = \"module:function\"";
        let Some(table) = self.project_value(
            "scripts",
            "[project.scripts]",
            "a table",
            fix,
            Item::as_table_like,
        )?
        else {
            return Ok(None);
        };
        let names: Vec<&str> = table.iter().map(|(k, _)| k).collect();
        for name in &names {
            if let Err(problem) = console_script_name(name) {
                return Err(self.pyproject_field(
                    "[project.scripts]",
                    format!("key {} {problem}", crate::error::excerpt(name)),
                    "rename the console script (letters, digits, '.', '_', '-'), or set [tool.nss] app",
                ));
            }
        }
        match names.as_slice() {
            [] => Ok(None),
            [one] => Ok(Some(Resolved::new(
                (*one).to_owned(),
                Source::PyProject {
                    path: self.project.pyproject_path().to_path_buf(),
                    key: "project.scripts".to_owned(),
                    detail: "the only console script".to_owned(),
                },
            ))),
            many => Err(Error::Conflict {
                problem: format!(
                    "{}: [project.scripts] has several console scripts ({})",
                    self.project.pyproject_path().display(),
                    many.join(", ")
                ),
                fix: format!(
                    "choose one with [tool.nss] app = \"{}\", NSS_APP or APP=NAME",
                    many[0]
                ),
            }),
        }
    }
}

pub(crate) fn value_error(
    key: &Key,
    value: &str,
    src: &Source,
    problem: String,
    fix: String,
) -> Error {
    Error::Value {
        name: key.arg.to_owned(),
        value: value.to_owned(),
        origin: src.to_string(),
        problem,
        fix,
    }
}

fn image_type(raw: Raw, src: &Source) -> Result<CudaImageType> {
    let value = raw.shown();
    match value.as_str() {
        "runtime" => Ok(CudaImageType::Runtime),
        "devel" => Ok(CudaImageType::Devel),
        _ => Err(value_error(
            &CUDA_IMAGE_TYPE,
            &value,
            src,
            "is not an image type".to_owned(),
            "use runtime or devel".to_owned(),
        )),
    }
}

fn app_name(raw: Raw, src: &Source) -> Result<String> {
    let value = raw.shown();
    if let Err(problem) = console_script_name(&value) {
        return Err(value_error(
            &APP,
            &value,
            src,
            problem,
            "give one console script name, e.g. safe-synthesizer".to_owned(),
        ));
    }
    Ok(value)
}

/// A console-script name as nss accepts it (for `APP` and the keys of
/// `[project.scripts]`): ASCII letters, digits, `.`, `_` and `-`, starting with a letter,
/// digit or `_`, at most 128 characters. It becomes a Dockerfile `ARG` default and a
/// program name in the image, so nothing else is let through.
pub(crate) fn console_script_name(name: &str) -> std::result::Result<(), String> {
    let first_ok = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
    if name.is_empty() {
        Err("is empty".to_owned())
    } else if name.len() > 128 {
        Err("is longer than 128 characters".to_owned())
    } else if !first_ok {
        Err("does not start with a letter, digit or '_'".to_owned())
    } else if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')))
    {
        Err(format!(
            "contains {c:?}; a console script name has only letters, digits, '.', '_' and '-'"
        ))
    } else {
        Ok(())
    }
}

/// An environment-variable name: ASCII letters, digits and `_`, not starting with a digit.
pub(crate) fn env_var_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Validates `CUDA_ARCH_FLAGS`: `;`-separated SM numbers, each with an optional `a` or `f` suffix.
fn arch_flags(raw: Raw, src: &Source) -> Result<String> {
    let value = raw.shown();
    match parse_arch_flags(&value) {
        Ok(_) => Ok(value),
        Err(problem) => Err(value_error(
            &CUDA_ARCH_FLAGS,
            &value,
            src,
            problem,
            "write SM numbers separated by ';', e.g. 80;86;90;90a".to_owned(),
        )),
    }
}

/// The SM numbers of an arch-flag list.
pub(crate) fn parse_arch_flags(value: &str) -> std::result::Result<Vec<u32>, String> {
    if value.is_empty() {
        return Err("is empty".to_owned());
    }
    value
        .split(';')
        .map(|item| {
            let digits = item.strip_suffix(['a', 'f']).unwrap_or(item);
            if digits.len() >= 2 && digits.len() <= 3 && digits.bytes().all(|b| b.is_ascii_digit())
            {
                digits.parse::<u32>().map_err(|e| e.to_string())
            } else {
                Err(format!(
                    "has {item:?}, which is not an SM number such as 90 or 90a"
                ))
            }
        })
        .collect()
}

/// Architectures the CUDA toolkit version cannot compile for.
fn check_arch_against_cuda(flags: &Resolved<String>, cuda: &Resolved<String>) -> Result<()> {
    let Ok(sms) = parse_arch_flags(&flags.value) else {
        return Ok(());
    };
    let Some([major, minor, _]) = parse_triple(&cuda.value) else {
        return Ok(());
    };
    let problem = if let Some(sm) = sms
        .iter()
        .find(|sm| **sm >= 100)
        .filter(|_| (major, minor) < (12, 8))
    {
        Some(format!("SM {sm} (Blackwell) needs CUDA 12.8 or newer"))
    } else {
        sms.iter()
            .find(|sm| **sm < 75)
            .filter(|_| major >= 13)
            .map(|sm| format!("CUDA 13 dropped SM {sm} (below 75)"))
    };
    match problem {
        Some(problem) => Err(Error::Conflict {
            problem: format!(
                "CUDA_ARCH_FLAGS={} from {} and CUDA_VERSION={} from {}: {problem}",
                flags.value, flags.source, cuda.value, cuda.source
            ),
            fix: "change CUDA_ARCH_FLAGS or CUDA_VERSION".to_owned(),
        }),
        None => Ok(()),
    }
}

/// Errors when nvidia/cuda publishes no `X.Y.Z-<type>-ubuntuU` (or no runtime image of it).
fn check_published(
    cuda: &Resolved<String>,
    ubuntu: &Resolved<String>,
    kind: &Resolved<CudaImageType>,
) -> Result<()> {
    let release = parse_triple(&cuda.value).and_then(|v| TABLES.cuda_release(v));
    let published = release.is_some_and(|r| r.ubuntu.contains(&ubuntu.value));
    if published {
        return Ok(());
    }
    let fix = match release {
        Some(r) => format!(
            "nvidia/cuda publishes {} for ubuntu {}; pick one of those UBUNTU_VERSIONs",
            cuda.value,
            r.ubuntu.join(", ")
        ),
        None => format!(
            "pick a published CUDA_VERSION ({}), or update data/versions.toml (checked {})",
            TABLES.cuda_list(),
            TABLES.checked
        ),
    };
    Err(Error::Conflict {
        problem: format!(
            "nvidia/cuda publishes no {}-{}-ubuntu{} (CUDA_VERSION from {}, UBUNTU_VERSION from {}, CUDA_IMAGE_TYPE from {})",
            cuda.value, kind.value, ubuntu.value, cuda.source, ubuntu.source, kind.source
        ),
        fix,
    })
}

/// `X.Y` or `X.Y.Z` of a CPython minor uv can install; `X.Y` completes to the
/// newest patch the given uv release can install, `X.Y.Z` is kept as given.
fn complete_python(text: &str, uv: [u64; 3]) -> std::result::Result<String, String> {
    let text = text.trim();
    let unknown = || {
        format!(
            "is not a CPython minor uv can install (known: {})",
            TABLES.python_minors()
        )
    };
    if let Some((a, b)) = parse_minor(text) {
        let p = TABLES.python_patch_for_uv((a, b), uv).ok_or_else(unknown)?;
        return Ok(format!("{a}.{b}.{p}"));
    }
    let Some([a, b, c]) = parse_triple(text) else {
        return Err("is not X.Y or X.Y.Z".to_owned());
    };
    // A patch of a known minor up to the newest in the table: an explicit X.Y.Z is the
    // user's choice among released patches; one past the table is a typo (3.11.99) or a
    // release newer than the table, and X.Y takes the newest either way.
    match TABLES.newest_python_patch((a, b)) {
        None => Err(unknown()),
        Some(newest) if c > newest => Err(format!(
            "is not a CPython release in the version table (newest {a}.{b} patch there: {a}.{b}.{newest}, checked {}); use {a}.{b} for the newest, or a released patch",
            TABLES.checked
        )),
        Some(_) => Ok(format!("{a}.{b}.{c}")),
    }
}

/// `X.Y` or `X.Y.Z` of an nvidia/cuda release, completed to `X.Y.Z`.
fn complete_cuda(text: &str) -> std::result::Result<String, String> {
    let text = text.trim();
    if let Some(minor) = parse_minor(text) {
        return TABLES
            .newest_cuda(minor)
            .map(|r| r.to_version_string())
            .ok_or_else(|| {
                format!(
                    "has no nvidia/cuda release in the table (checked {})",
                    TABLES.checked
                )
            });
    }
    match parse_triple(text) {
        Some(v) if TABLES.cuda_release(v).is_some() => Ok(text.to_owned()),
        Some(_) => Err(format!(
            "is not an nvidia/cuda release in the table (checked {})",
            TABLES.checked
        )),
        None => Err("is not X.Y or X.Y.Z".to_owned()),
    }
}

/// `cu128` -> 12.8 (the last digit is the minor), for a whole token.
pub(crate) fn cu_tag(token: &str) -> Option<Minor> {
    let digits = token.strip_prefix("cu")?;
    if !(3..=4).contains(&digits.len()) || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (major, minor) = digits.split_at(digits.len() - 1);
    Some((major.parse().ok()?, minor.parse().ok()?))
}

/// The first `cuXYZ` token in a name or URL (tokens split at non-alphanumerics).
fn cu_in(text: &str) -> Option<Minor> {
    text.split(|c: char| !c.is_ascii_alphanumeric())
        .find_map(cu_tag)
}

/// Why the project uses a CUDA version.
struct Evidence {
    /// The dotted key for [`Source::PyProject`].
    key: String,
    /// The field as a message names it.
    field: String,
    /// What was found.
    detail: String,
}

/// Every CUDA version the project's torch setup names, with the evidence.
fn cuda_evidence(project: &Project, extras: &Extras) -> Result<BTreeMap<Minor, Vec<Evidence>>> {
    let mut found: BTreeMap<Minor, Vec<Evidence>> = BTreeMap::new();
    let doc = project.document();
    let uv = doc.get("tool").and_then(|t| t.get("uv"));
    // 1. The [[tool.uv.index]] that [tool.uv.sources] torch uses.
    let indexes: Vec<(String, String)> = uv
        .and_then(|u| u.get("index"))
        .map(|i| {
            table_likes(i)
                .iter()
                .map(|t| (str_of(*t, "name"), str_of(*t, "url")))
                .collect()
        })
        .unwrap_or_default();
    if let Some(torch) = uv
        .and_then(|u| u.get("sources"))
        .and_then(|s| s.get("torch"))
    {
        for entry in table_likes(torch) {
            let name = str_of(entry, "index");
            if name.is_empty() {
                continue;
            }
            let url = indexes
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, u)| u.clone())
                .unwrap_or_default();
            if let Some(minor) = cu_in(&name).or_else(|| cu_in(&url)) {
                let shown = if url.is_empty() {
                    format!("{name:?}")
                } else {
                    format!("{name:?} ({url})")
                };
                found.entry(minor).or_default().push(Evidence {
                    key: "tool.uv.sources.torch".to_owned(),
                    field: "[tool.uv.sources] torch".to_owned(),
                    detail: format!("torch index {shown}"),
                });
            }
        }
    }
    // 2. A torch pin with a +cuXYZ local version, 3. a cuXYZ extra name.
    for extra in &extras.list {
        if let Some((pin, minor)) = &extra.torch_cuda {
            found.entry(*minor).or_default().push(Evidence {
                key: format!("project.optional-dependencies.{}", extra.name),
                field: format!("[project.optional-dependencies] {}", extra.name),
                detail: format!("torch pin {pin:?}"),
            });
        }
        if let Some(minor) = cu_tag(&extra.name) {
            found.entry(minor).or_default().push(Evidence {
                key: "project.optional-dependencies".to_owned(),
                field: "[project.optional-dependencies]".to_owned(),
                detail: format!("extra {}", extra.name),
            });
        }
    }
    Ok(found)
}

/// Whether a requirement string names `torch` (not `torchvision`, `torch-x`, ...):
/// a cheap filter before the full PEP 508 parse.
fn names_torch(requirement: &str) -> bool {
    let rest = requirement.trim_start();
    rest.get(..5)
        .is_some_and(|head| head.eq_ignore_ascii_case("torch"))
        && !rest[5..]
            .starts_with(|c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// Tables of an item that is a table, an inline table, or an array of either.
fn table_likes(item: &Item) -> Vec<&dyn TableLike> {
    if let Some(t) = item.as_table_like() {
        return vec![t];
    }
    if let Some(a) = item.as_array_of_tables() {
        return a.iter().map(|t| t as &dyn TableLike).collect();
    }
    if let Some(a) = item.as_array() {
        return a
            .iter()
            .filter_map(|v| v.as_inline_table().map(|t| t as &dyn TableLike))
            .collect();
    }
    Vec::new()
}

fn str_of(t: &dyn TableLike, key: &str) -> String {
    t.get(key)
        .and_then(Item::as_str)
        .unwrap_or_default()
        .to_owned()
}

/// `[project] <key>`, when present.
fn project_key<'p>(project: &'p Project, key: &str) -> Option<&'p Item> {
    project.document().get("project").and_then(|p| p.get(key))
}

/// `must be WANT, found TYPE`: the problem of a value of the wrong TOML type.
fn must_be(want: &str, item: &Item) -> String {
    format!("must be {want}, found {}", type_name(item))
}

fn type_name(item: &Item) -> &'static str {
    match item {
        Item::None => "nothing",
        Item::Table(_) | Item::Value(Value::InlineTable(_)) => "a table",
        Item::ArrayOfTables(_) | Item::Value(Value::Array(_)) => "an array",
        Item::Value(Value::String(_)) => "a string",
        Item::Value(Value::Integer(_)) => "an integer",
        Item::Value(Value::Float(_)) => "a float",
        Item::Value(Value::Boolean(_)) => "a boolean",
        Item::Value(Value::Datetime(_)) => "a datetime",
    }
}

fn example(key: &str) -> &'static str {
    match key {
        "cuda-version" => "cuda-version = \"12.8\"",
        "ubuntu-version" => "ubuntu-version = \"22.04\"",
        "cuda-image-type" => "cuda-image-type = \"runtime\"",
        "python-version" => "python-version = \"3.11\"",
        "uv-version" => "uv-version = \"0.9.14\"",
        "cuda-arch-flags" => "cuda-arch-flags = \"80;86;90;90a\"",
        "gpu-extras" => "gpu-extras = [\"cu128\", \"engine\"]",
        "cpu-extras" => "cpu-extras = [\"cpu\", \"engine\"]",
        "system-packages" => "system-packages.runtime = [\"libpq5\"]",
        k if k.starts_with("system-packages.") => "system-packages.runtime = [\"libpq5\"]",
        "cuda-image" => "cuda-image = \"nvcr.io/nvidia/cuda\"",
        "uv-image" => "uv-image = \"ghcr.io/astral-sh/uv\"",
        "python-image" => "python-image = \"docker.io/library/python\"",
        "python-source" => "python-source = \"base\"",
        "dev-command" => "dev-command = \"make test\"",
        "test-command" => "test-command = \"make test-ci\"",
        _ => "app = \"my-cli\"",
    }
}

/// What an extra is for.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Accel {
    /// Not an accelerator extra.
    None,
    /// The CPU torch extra.
    Cpu,
    /// A CUDA torch extra.
    Cuda(Minor),
    /// Pins torch, but for no accelerator nss recognises.
    Other,
}

#[derive(Debug)]
struct Extra {
    name: String,
    accel: Accel,
    /// A torch pin with a `+cuXYZ` local version, and its CUDA version.
    torch_cuda: Option<(String, Minor)>,
}

/// The extras of `[project.optional-dependencies]`, classified.
#[derive(Debug, Default)]
struct Extras {
    list: Vec<Extra>,
}

impl Extras {
    fn scan(project: &Project) -> Result<Extras> {
        let Some(item) = project_key(project, "optional-dependencies") else {
            return Ok(Extras::default());
        };
        let path = project.pyproject_path();
        let field_err = |field: String, problem: String, fix: &str| Error::Field {
            path: path.to_path_buf(),
            field,
            problem,
            fix: fix.to_owned(),
        };
        let table = item.as_table_like().ok_or_else(|| {
            field_err(
                "[project.optional-dependencies]".to_owned(),
                must_be("a table", item),
                "write it as a table of extra = [requirements]",
            )
        })?;
        let mut list = Vec::new();
        for (name, reqs) in table.iter() {
            let field = format!("[project.optional-dependencies] {name}");
            let reqs = reqs.as_array().ok_or_else(|| {
                field_err(
                    field.clone(),
                    format!(
                        "must be an array of requirement strings, found {}",
                        type_name(reqs)
                    ),
                    "write it as [\"package>=1.0\", ...]",
                )
            })?;
            let mut pins_torch = false;
            let mut torch_cuda = None;
            let mut torch_cpu = false;
            for req in reqs.iter() {
                let text = req.as_str().ok_or_else(|| {
                    field_err(
                        field.clone(),
                        "must hold only requirement strings".to_owned(),
                        "write each requirement as a string, e.g. \"torch==2.9.1\"",
                    )
                })?;
                if !names_torch(text) {
                    continue; // only torch pins matter here; uv validates the rest
                }
                let parsed = pep508_rs::Requirement::<pep508_rs::VerbatimUrl>::from_str(text)
                    .map_err(|e| {
                        field_err(
                            field.clone(),
                            format!(
                                "has {text:?}, which is not a PEP 508 requirement ({})",
                                one_line(&e.to_string())
                            ),
                            "fix the requirement",
                        )
                    })?;
                if parsed.name.as_ref() != "torch" {
                    continue;
                }
                pins_torch = true;
                if let Some(pep508_rs::VersionOrUrl::VersionSpecifier(specs)) =
                    &parsed.version_or_url
                {
                    for spec in specs.iter() {
                        let local: String = spec
                            .version()
                            .local()
                            .iter()
                            .map(ToString::to_string)
                            .collect::<Vec<_>>()
                            .join(".");
                        if let Some(minor) = cu_tag(&local) {
                            torch_cuda.get_or_insert((text.to_owned(), minor));
                        } else if local == "cpu" {
                            torch_cpu = true;
                        }
                    }
                }
            }
            let accel = if let Some(minor) = cu_tag(name).or(torch_cuda.as_ref().map(|(_, m)| *m)) {
                Accel::Cuda(minor)
            } else if name == "cpu" || torch_cpu {
                Accel::Cpu
            } else if pins_torch {
                Accel::Other
            } else {
                Accel::None
            };
            list.push(Extra {
                name: name.to_owned(),
                accel,
                torch_cuda,
            });
        }
        Ok(Extras { list })
    }

    fn plain(&self) -> Vec<String> {
        self.list
            .iter()
            .filter(|e| e.accel == Accel::None)
            .map(|e| e.name.clone())
            .collect()
    }

    fn source(&self, project: &Project, detail: String) -> Source {
        if self.list.is_empty() {
            return Source::Default; // no [project.optional-dependencies]: no extras
        }
        Source::PyProject {
            path: project.pyproject_path().to_path_buf(),
            key: "project.optional-dependencies".to_owned(),
            detail,
        }
    }

    fn describe(accel: Option<&Extra>, plain: &[String]) -> String {
        let head = match accel {
            Some(e) => match e.accel {
                Accel::Cuda((a, b)) => format!("accelerator extra {} (CUDA {a}.{b})", e.name),
                _ => format!("accelerator extra {}", e.name),
            },
            None => "no accelerator extra".to_owned(),
        };
        if plain.is_empty() {
            head
        } else {
            format!("{head} + other extras {}", plain.join(", "))
        }
    }

    fn gpu(&self, project: &Project, cuda: &Resolved<String>) -> Result<Resolved<Vec<String>>> {
        let cudas: Vec<&Extra> = self
            .list
            .iter()
            .filter(|e| matches!(e.accel, Accel::Cuda(_)))
            .collect();
        let want = parse_triple(&cuda.value).map(|[a, b, _]| (a, b));
        let chosen = match cudas.as_slice() {
            [] => None,
            [one] => Some(*one),
            many => Some(*many.iter().find(|e| Some(e.accel.clone()) == want.map(Accel::Cuda)).ok_or_else(|| Error::Conflict {
                problem: format!(
                    "CUDA_VERSION={} from {} matches none of the CUDA extras {} in {}",
                    cuda.value,
                    cuda.source,
                    many.iter().map(|e| e.name.as_str()).collect::<Vec<_>>().join(", "),
                    project.pyproject_path().display()
                ),
                fix: "choose the extras with [tool.nss] gpu-extras, or a CUDA_VERSION one of them names".to_owned(),
            })?),
        };
        Ok(self.with_plain(project, chosen))
    }

    fn cpu(&self, project: &Project) -> Resolved<Vec<String>> {
        let chosen = self
            .list
            .iter()
            .find(|e| e.name == "cpu")
            .or_else(|| self.list.iter().find(|e| e.accel == Accel::Cpu));
        self.with_plain(project, chosen)
    }

    /// The chosen accelerator extra (if any) and every plain extra, explained.
    fn with_plain(&self, project: &Project, chosen: Option<&Extra>) -> Resolved<Vec<String>> {
        let plain = self.plain();
        let detail = Self::describe(chosen, &plain);
        let value = chosen
            .map(|e| e.name.clone())
            .into_iter()
            .chain(plain)
            .collect();
        Resolved::new(value, self.source(project, detail))
    }

    /// Explicit extras: every name must be an extra of the project.
    fn named(&self, raw: Raw, src: &Source, arg: &str) -> Result<Vec<String>> {
        let names: Vec<String> = match raw {
            Raw::Str(s) => s
                .split(|c: char| c.is_whitespace() || c == ',')
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
            Raw::List(l) => l,
        };
        let known: BTreeSet<&str> = self.list.iter().map(|e| e.name.as_str()).collect();
        let invalid = |problem: String, fix: &str| Error::Value {
            name: arg.to_owned(),
            value: names.join(" "),
            origin: src.to_string(),
            problem,
            fix: fix.to_owned(),
        };
        if names.is_empty() {
            return Err(invalid(
                "names no extra".to_owned(),
                "list at least one extra, or remove the setting to derive them",
            ));
        }
        let mut seen = BTreeSet::new();
        if let Some(dup) = names.iter().find(|n| !seen.insert(n.as_str())) {
            return Err(invalid(
                format!("names {} twice", crate::error::excerpt(dup)),
                "list each extra once",
            ));
        }
        if let Some(bad) = names.iter().find(|n| !known.contains(n.as_str())) {
            return Err(Error::Value {
                name: arg.to_owned(),
                value: names.join(" "),
                origin: src.to_string(),
                problem: format!(
                    "names {bad:?}, which [project.optional-dependencies] does not define"
                ),
                fix: if known.is_empty() {
                    "define the extra in [project.optional-dependencies] first".to_owned()
                } else {
                    format!(
                        "use extras the project defines: {}",
                        known.into_iter().collect::<Vec<_>>().join(", ")
                    )
                },
            });
        }
        Ok(names)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cu_tags() {
        // (token, expected CUDA major.minor)
        let cases = [
            ("cu128", Some((12, 8))),
            ("cu118", Some((11, 8))),
            ("cu130", Some((13, 0))),
            ("cu12", None),
            ("cuda", None),
            ("cpu", None),
            ("xcu128", None),
        ];
        for (token, want) in cases {
            assert_eq!(cu_tag(token), want, "{token}");
        }
        assert_eq!(
            cu_in("https://download.pytorch.org/whl/cu128"),
            Some((12, 8))
        );
        assert_eq!(cu_in("pytorch-cu126"), Some((12, 6)));
        assert_eq!(cu_in("https://pypi.nvidia.com"), None);
        // (requirement, names torch)
        let reqs = [
            ("torch==2.9.1+cu128", true),
            (" Torch>=2", true),
            ("torch", true),
            ("torch[x]", true),
            ("torch ; sys_platform=='linux'", true),
            ("torchvision==0.24", false),
            ("torch-c-dlpack-ext", false),
            ("torch_x", false),
            ("tor", false),
            ("", false),
        ];
        for (req, want) in reqs {
            assert_eq!(names_torch(req), want, "{req}");
        }
    }
}
