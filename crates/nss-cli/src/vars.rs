//! Make-style variables: `NAME=value` arguments > environment > built-in default.

use std::collections::BTreeMap;

use crate::env::{self, VarDefault};
use crate::error::Error;

/// Build-spec names a `NAME=value` argument may override besides the variables in
/// [`env::VARIABLES`] (the pins, extras, `APP`, base images, commands, apt packages); they are handed
/// to the build spec, never read from the bare environment.
pub const SPEC_OVERRIDES: &[&str] = nss_buildspec::OVERRIDE_NAMES;

/// Where a variable's value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VarSource {
    /// A `NAME=value` argument.
    Arg,
    /// The environment.
    Env,
    /// The built-in default.
    Default,
}

/// The variables of one `nss` invocation: `NAME=value` arguments over an (injected) environment.
#[derive(Debug, Clone, Default)]
pub struct Vars {
    args: BTreeMap<String, String>,
    env: BTreeMap<String, String>,
}

impl Vars {
    /// Variables over the given environment, with no arguments yet.
    pub fn new(env: BTreeMap<String, String>) -> Self {
        Self {
            args: BTreeMap::new(),
            env,
        }
    }

    /// Adds `NAME=value` arguments. A name that is neither a variable nor a spec override
    /// is an error listing the accepted names (a typo must not be silently ignored).
    pub fn with_args<I, S>(mut self, args: I) -> Result<Self, Error>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        for arg in args {
            let arg = arg.as_ref();
            let Some((name, value)) = arg.split_once('=') else {
                return Err(Error::usage(
                    format!("argument {} is not NAME=value", nss_buildspec::excerpt(arg)),
                    "pass variables as e.g. CMD=\"make test\"",
                ));
            };
            if !is_known(name) && nss_preflight::is_secret_name(name) {
                return Err(Error::usage(
                    format!(
                        "{name} is a secret: never pass its value as an argument (it would show in ps and logs)"
                    ),
                    format!(
                        "pass it by name: export {name}=... in the environment, and nss hands it to the container as -e {name}"
                    ),
                ));
            }
            if !is_known(name) {
                return Err(Error::usage(
                    format!("unknown variable {name:?}"),
                    format!(
                        "accepted: {}",
                        env::VARIABLES
                            .iter()
                            .map(|v| v.name)
                            .chain(SPEC_OVERRIDES.iter().copied())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ));
            }
            self.args.insert(name.to_string(), value.to_string());
        }
        Ok(self)
    }

    /// The raw value: the argument if given, else the environment (empty values included).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.args
            .get(name)
            .or_else(|| self.env.get(name))
            .map(String::as_str)
    }

    /// Where [`Vars::value`] takes `name` from.
    pub fn source(&self, name: &str) -> VarSource {
        if self.args.contains_key(name) {
            VarSource::Arg
        } else if self.env.contains_key(name) {
            VarSource::Env
        } else {
            VarSource::Default
        }
    }

    /// The value, falling back to the built-in default when unset or empty; `None` when
    /// neither is there. [`env::CONTAINER_GPU_FLAG`] and [`env::CONTAINER_EXTRA_MOUNTS`]
    /// keep an explicit empty value (it disables them).
    pub fn value(&self, name: &str) -> Option<String> {
        match self.get(name) {
            Some(v) if !v.is_empty() => Some(v.to_string()),
            Some(_) if name == env::CONTAINER_GPU_FLAG || name == env::CONTAINER_EXTRA_MOUNTS => {
                Some(String::new())
            }
            _ => self.default_of(name),
        }
    }

    /// The built-in default of a variable ([`env::VARIABLES`]), `None` when it has none;
    /// `CONTAINER_HF_CACHE`'s is worked out from `HOME`.
    pub fn default_of(&self, name: &str) -> Option<String> {
        match env::variable(name)?.default {
            VarDefault::Value(v) => Some(v.to_string()),
            _ if name == env::CONTAINER_HF_CACHE => {
                let home = self.env.get(env::HOME).filter(|h| !h.is_empty())?;
                Some(format!("{}/.cache/huggingface", home.trim_end_matches('/')))
            }
            _ => None,
        }
    }

    /// `NSS_DRY_RUN` as a [switch](Self::switch): a dry run that runs for real could push
    /// an image, so a value that is not a switch value is an error, never a silent "false".
    pub fn dry_run(&self) -> Result<bool, Error> {
        self.switch(env::NSS_DRY_RUN)
    }

    /// A boolean variable: `1`, `true`, `yes` are true; unset, empty, `0`, `false`, `no` are
    /// false (any case); anything else is an error naming the accepted values.
    pub fn switch(&self, name: &str) -> Result<bool, Error> {
        let Some(v) = self.get(name) else {
            return Ok(false);
        };
        match v.to_ascii_lowercase().as_str() {
            "1" | "true" | "yes" => Ok(true),
            "" | "0" | "false" | "no" => Ok(false),
            _ => Err(Error::usage(
                format!("{name}={} is not a switch value", nss_buildspec::excerpt(v)),
                "use 1, true or yes to turn it on, or 0, false, no or empty for off",
            )),
        }
    }

    /// The environment the variables were read from.
    pub fn env(&self) -> &BTreeMap<String, String> {
        &self.env
    }

    /// `NAME=value` arguments that override build-spec pins (`CUDA_VERSION=12.6.3`, `EXTRAS=...`).
    pub fn spec_overrides(&self) -> BTreeMap<String, String> {
        self.args
            .iter()
            .filter(|(k, _)| SPEC_OVERRIDES.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }
}

fn is_known(name: &str) -> bool {
    env::variable(name).is_some() || SPEC_OVERRIDES.contains(&name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(env: &[(&str, &str)], args: &[&str]) -> Vars {
        let env = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Vars::new(env).with_args(args).unwrap()
    }

    #[test]
    fn precedence_is_argument_then_environment_then_default() {
        // (env, args, name, expected value, expected source)
        type Case<'a> = (
            &'a [(&'a str, &'a str)],
            &'a [&'a str],
            &'a str,
            Option<&'a str>,
            VarSource,
        );
        let cases: &[Case] = &[
            (
                &[],
                &[],
                "CONTAINER_GPU_IMAGE",
                Some("nss-gpu:latest"),
                VarSource::Default,
            ),
            (
                &[("CONTAINER_GPU_IMAGE", "e:1")],
                &[],
                "CONTAINER_GPU_IMAGE",
                Some("e:1"),
                VarSource::Env,
            ),
            (
                &[("CONTAINER_GPU_IMAGE", "e:1")],
                &["CONTAINER_GPU_IMAGE=a:1"],
                "CONTAINER_GPU_IMAGE",
                Some("a:1"),
                VarSource::Arg,
            ),
            (
                &[("HOME", "/home/u")],
                &[],
                "CONTAINER_HF_CACHE",
                Some("/home/u/.cache/huggingface"),
                VarSource::Default,
            ),
            (&[], &[], "CONTAINER_HF_CACHE", None, VarSource::Default),
            (
                &[],
                &["CONTAINER_GPU_FLAG="],
                "CONTAINER_GPU_FLAG",
                Some(""),
                VarSource::Arg,
            ),
            (
                &[],
                &[],
                "CONTAINER_GPU_FLAG",
                Some("--gpus all"),
                VarSource::Default,
            ),
            // An empty image falls back to the default rather than producing `-t ""`.
            (
                &[("CONTAINER_GPU_IMAGE", "")],
                &[],
                "CONTAINER_GPU_IMAGE",
                Some("nss-gpu:latest"),
                VarSource::Env,
            ),
            (
                &[],
                &["CMD=make test"],
                "CMD",
                Some("make test"),
                VarSource::Arg,
            ),
            (&[], &[], "CONTAINER_GPU_REGISTRY", None, VarSource::Default),
        ];
        for (env, args, name, want, source) in cases {
            let v = vars(env, args);
            assert_eq!(
                v.value(name).as_deref(),
                *want,
                "{name} with env {env:?} args {args:?}"
            );
            assert_eq!(v.source(name), *source, "{name} source");
        }
    }

    #[test]
    fn rejects_unknown_names_and_non_assignments() {
        for bad in ["CONTAINER_GPU_IMGE=x", "make", "=x"] {
            let err = Vars::default().with_args([bad]).unwrap_err();
            assert!(matches!(err, Error::Usage { .. }), "{bad}: {err}");
        }
    }

    #[test]
    fn spec_overrides_are_only_pin_arguments() {
        let v = vars(
            &[("CUDA_VERSION", "12.4.1")],
            &["UV_VERSION=0.9.20", "CMD=x"],
        );
        let o = v.spec_overrides();
        assert_eq!(
            o.into_iter().collect::<Vec<_>>(),
            vec![("UV_VERSION".into(), "0.9.20".into())]
        );
    }

    #[test]
    fn dry_run_values() {
        for (val, want) in [
            ("1", true),
            ("true", true),
            ("YES", true),
            ("0", false),
            ("", false),
            ("no", false),
        ] {
            assert_eq!(
                vars(&[("NSS_DRY_RUN", val)], &[]).dry_run().unwrap(),
                want,
                "{val:?}"
            );
        }
        for val in ["on", "y", "2", " 1", "1 ", "dry"] {
            let err = vars(&[("NSS_DRY_RUN", val)], &[]).dry_run().unwrap_err();
            assert!(
                err.to_string().contains("use 1, true or yes"),
                "{val:?}: {err}"
            );
        }
        assert!(!Vars::default().dry_run().unwrap());
    }

    #[test]
    fn attestation_switches_take_switch_values_from_arguments_and_environment() {
        let v = vars(&[("PROVENANCE", "yes")], &["SBOM=1"]);
        assert!(v.switch(env::SBOM).unwrap());
        assert!(v.switch(env::PROVENANCE).unwrap());
        let err = vars(&[], &["SBOM=maybe"]).switch(env::SBOM).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("SBOM=\"maybe\" is not a switch value"),
            "{err}"
        );
    }
}
