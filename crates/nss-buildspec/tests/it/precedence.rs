//! Precedence: `NAME=value` > `NSS_<NAME>` > `[tool.nss]` > derived > default.

use nss_buildspec::Source;

use crate::util::{append_pyproject, inputs, reference_copy, spec_of};

#[test]
fn each_layer_beats_the_ones_below() {
    let dir = reference_copy();
    append_pyproject(dir.path(), "\n[tool.nss]\ncuda-version = \"12.9\"\n");
    // (overrides, env, expected value, expected source kind)
    type Pairs = &'static [(&'static str, &'static str)];
    let cases: [(Pairs, Pairs, &str, &str); 4] = [
        (&[], &[], "12.9.1", "tool-nss"),
        (&[], &[("NSS_CUDA_VERSION", "12.6")], "12.6.3", "env"),
        (
            &[("CUDA_VERSION", "12.8.0")],
            &[("NSS_CUDA_VERSION", "12.6")],
            "12.8.0",
            "cli",
        ),
        // Bare CUDA_VERSION in the environment is ignored.
        (&[], &[("CUDA_VERSION", "11.8.0")], "12.9.1", "tool-nss"),
    ];
    for (overrides, env, value, kind) in cases {
        let spec = spec_of(dir.path(), &inputs(overrides, env)).expect("resolves");
        assert_eq!(spec.cuda_version.value, value, "{overrides:?} {env:?}");
        let json = serde_json::to_value(&spec.cuda_version.source).expect("json");
        assert_eq!(json["kind"], kind, "{overrides:?} {env:?}");
    }
}

#[test]
fn derived_beats_default() {
    let dir = reference_copy();
    let spec = spec_of(dir.path(), &inputs(&[], &[("CUDA_VERSION", "11.8.0")])).expect("resolves");
    assert!(
        matches!(spec.cuda_version.source, Source::PyProject { .. }),
        "{}",
        spec.cuda_version.source
    );
    assert_eq!(spec.ubuntu_version.source, Source::Default);
}

#[test]
fn ubuntu_every_layer() {
    let dir = reference_copy();
    // Default first.
    let spec = spec_of(dir.path(), &inputs(&[], &[])).expect("resolves");
    assert_eq!(
        (
            spec.ubuntu_version.value.as_str(),
            &spec.ubuntu_version.source
        ),
        ("22.04", &Source::Default)
    );
    append_pyproject(dir.path(), "\n[tool.nss]\nubuntu-version = \"24.04\"\n");
    // (overrides, env, expected value, expected source)
    type Pairs = &'static [(&'static str, &'static str)];
    let tool = Source::ToolNss {
        path: dir.path().join("pyproject.toml"),
        key: "ubuntu-version".into(),
    };
    let env = Source::Env {
        var: "NSS_UBUNTU_VERSION".into(),
    };
    let cli = Source::Cli {
        name: "UBUNTU_VERSION".into(),
    };
    let cases: [(Pairs, Pairs, &str, &Source); 4] = [
        (&[], &[], "24.04", &tool),
        (&[], &[("UBUNTU_VERSION", "20.04")], "24.04", &tool),
        (&[], &[("NSS_UBUNTU_VERSION", "20.04")], "20.04", &env),
        (
            &[("UBUNTU_VERSION", "22.04")],
            &[("NSS_UBUNTU_VERSION", "20.04")],
            "22.04",
            &cli,
        ),
    ];
    for (overrides, env_vars, value, source) in cases {
        let spec = spec_of(dir.path(), &inputs(overrides, env_vars)).expect("resolves");
        assert_eq!(
            spec.ubuntu_version.value, value,
            "{overrides:?} {env_vars:?}"
        );
        assert_eq!(
            &spec.ubuntu_version.source, source,
            "{overrides:?} {env_vars:?}"
        );
    }
}
