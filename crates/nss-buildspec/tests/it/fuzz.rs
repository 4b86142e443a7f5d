//! Property tests: no pyproject text or Dockerfile text makes the crate panic.

use std::path::Path;

use nss_buildspec::{Inputs, Project, arg_defaults, drift, resolve, sync_args};
use proptest::prelude::*;

const REFERENCE: &str = include_str!("../fixtures/safe-synthesizer/pyproject.toml");

/// Loads and resolves text; must return, never panic. When it resolves, the
/// pins have the shapes the Dockerfile needs.
fn resolves_or_errs(pyproject: &str, python_version: Option<&str>, inputs: &Inputs) {
    let Ok(project) = Project::from_parts(Path::new("p"), pyproject, python_version) else {
        return;
    };
    if let Ok(spec) = resolve(&project, inputs) {
        for (name, value, _) in spec.pins() {
            assert!(
                !value.is_empty() && !value.contains(char::is_whitespace),
                "{name}={value:?}"
            );
        }
        assert_eq!(
            spec.uv_version.value.split('.').count(),
            3,
            "{}",
            spec.uv_version.value
        );
        assert_eq!(
            spec.python_version.value.split('.').count(),
            3,
            "{}",
            spec.python_version.value
        );
        assert!(nss_buildspec::known_cuda_tags().contains(&format!(
            "{}-{}-ubuntu{}",
            spec.cuda_version.value, spec.cuda_image_type.value, spec.ubuntu_version.value
        )));
    }
}

/// Fragments that steer generated text toward the fields resolve reads.
fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("[project]\nname = \"x\"\n".to_owned()),
        Just("[tool.uv]\n".to_owned()),
        Just("[tool.nss]\n".to_owned()),
        Just("[project.optional-dependencies]\n".to_owned()),
        Just("[project.scripts]\n".to_owned()),
        Just("[[tool.uv.index]]\nname = \"pytorch-cu128\"\n".to_owned()),
        Just("[tool.uv.sources]\ntorch = { index = \"pytorch-cu126\" }\n".to_owned()),
        "[a-z-]{1,16} = \"[ -~]{0,24}\"\n",
        "required-version = \"[<>=!~0-9., *a-z+]{0,24}\"\n",
        "requires-python = \"[<>=!~0-9., *]{0,16}\"\n",
        "(cuda|python|uv|ubuntu)-version = \"[0-9.a-z]{0,8}\"\n",
        "cu1[0-3][0-9] = \\[\"torch==2\\.[0-9]\\.[0-9]\\+cu1[0-3][0-9]\"\\]\n",
        "[a-z]{1,8} = \\[\"[ -~]{0,24}\"\\]\n",
        "[ -~\n]{0,40}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,400}", pv in proptest::option::of("\\PC{0,12}")) {
        resolves_or_errs(&text, pv.as_deref(), &Inputs::default());
    }

    #[test]
    fn toml_shaped_text_never_panics(parts in prop::collection::vec(fragment(), 0..16), pv in proptest::option::of("[0-9.]{0,7}")) {
        resolves_or_errs(&parts.concat(), pv.as_deref(), &Inputs::default());
    }

    #[test]
    fn mutated_reference_never_panics(
        cut in 0..REFERENCE.len(),
        len in 0usize..200,
        insert in "[ -~\n]{0,20}",
        cuda in proptest::option::of("[0-9.]{0,6}"),
        platform in proptest::option::of("linux/(amd64|arm64|riscv)"),
    ) {
        let mut start = cut;
        while !REFERENCE.is_char_boundary(start) { start -= 1; }
        let mut end = (start + len).min(REFERENCE.len());
        while !REFERENCE.is_char_boundary(end) { end -= 1; }
        let text = format!("{}{insert}{}", &REFERENCE[..start], &REFERENCE[end..]);
        let mut inputs = Inputs { platform, ..Inputs::default() };
        if let Some(c) = cuda { inputs.overrides.insert("CUDA_VERSION".into(), c); }
        resolves_or_errs(&text, Some("3.11\n"), &inputs);
    }

    #[test]
    fn dockerfile_text_never_panics_and_sync_converges(
        lines in prop::collection::vec(prop_oneof![
            "ARG (A|B|C)(=[a-z0-9.;]{0,6})?( (A|B)(=\"[a-z0-9 ]{0,6}\")?)?",
            "ARG (A|B)='[a-z0-9 ;]{0,6}' \\\\",
            "  # [ -~]{0,10}",
            "(FROM|RUN|ENV) [ -~]{0,16}",
            "[ -~]{0,20}",
        ], 0..12),
        a in "[a-z0-9.;]{0,8}",
        b in "[a-z0-9. ]{0,8}",
    ) {
        let text = lines.join("\n");
        let expected = vec![("A", a), ("B", b)];
        let _ = arg_defaults(&text);
        let _ = drift(&text, &expected);
        let synced = sync_args(&text, &expected);
        prop_assert!(drift(&synced, &expected).is_empty(), "text:\n{}\nsynced:\n{}", text, synced);
        prop_assert_eq!(sync_args(&synced, &expected), synced.clone());
    }
}
