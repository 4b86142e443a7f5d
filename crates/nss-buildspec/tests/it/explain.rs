//! `explain()` and the JSON contract on the reference project.

use nss_buildspec::{BASE_PIN_NAMES, Inputs, PIN_NAMES};

use crate::util::{reference_copy, spec_of};

#[test]
fn explain_snapshot() {
    let dir = reference_copy();
    let spec = spec_of(dir.path(), &Inputs::default()).expect("resolves");
    let text = spec
        .explain()
        .replace(&dir.path().display().to_string(), "<project>");
    assert_eq!(
        text.lines().count(),
        18,
        "six pins, four base pins, two extras lines, app, three package lines, two commands"
    );
    insta::assert_snapshot!("explain_reference", text);
}

#[test]
fn json_contract() {
    let dir = reference_copy();
    let spec = spec_of(dir.path(), &Inputs::default()).expect("resolves");
    let json = spec.to_json();
    let object = json.as_object().expect("one object");
    let keys: Vec<&str> = object.keys().map(String::as_str).collect();
    let want: Vec<&str> = PIN_NAMES.iter().chain(&BASE_PIN_NAMES).copied().collect();
    assert_eq!(
        keys, want,
        "keyed by the six pins and the four base pins, in order"
    );
    for (name, entry) in object {
        let fields: Vec<&str> = entry
            .as_object()
            .expect("entry object")
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(fields, ["value", "source"], "{name}");
        assert!(
            entry["value"].is_string() && entry["source"].is_string(),
            "{name}"
        );
    }
    assert_eq!(json["UV_VERSION"]["value"], "0.9.14");
    assert!(
        json["UV_VERSION"]["source"]
            .as_str()
            .unwrap_or_default()
            .contains("required-version")
    );
    assert_eq!(json["CUDA_IMAGE_TYPE"]["source"], "built-in default");
}
