//! The acceptance values on the reference project.

use nss_buildspec::{CudaImageType, Inputs, Source};

use crate::util::{reference_copy, spec_of};

#[test]
fn reference_project_pins() {
    let dir = reference_copy();
    let spec = spec_of(dir.path(), &Inputs::default()).expect("resolves");
    assert_eq!(spec.uv_version.value, "0.9.14");
    assert!(
        spec.uv_version
            .source
            .to_string()
            .contains("required-version"),
        "{}",
        spec.uv_version.source
    );
    assert!(
        spec.python_version.value.starts_with("3.11."),
        "{}",
        spec.python_version.value
    );
    assert!(matches!(
        spec.python_version.source,
        Source::PythonVersionFile { .. }
    ));
    assert!(
        spec.cuda_version.value.starts_with("12.8."),
        "{}",
        spec.cuda_version.value
    );
    assert_eq!(spec.ubuntu_version.value, "22.04");
    assert_eq!(spec.cuda_image_type.value, CudaImageType::Runtime);
    assert_eq!(spec.cuda_arch_flags.value, "80;86;90;90a");
    assert_eq!(spec.gpu_extras.value, ["cu128", "engine"]);
    assert_eq!(spec.cpu_extras.value, ["cpu", "engine"]);
    assert_eq!(spec.app.value, "safe-synthesizer");
}
