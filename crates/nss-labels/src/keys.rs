//! Label keys.
//!
//! The `org.opencontainers.image.*` keys predefined by the OCI image spec
//! (annotations.md) are taken from the `oci-spec` crate; [`USAGE`] is the one
//! key nss adds outside that predefined set.

/// `org.opencontainers.image.title`: human-readable title of the image.
pub const TITLE: &str = oci_spec::image::ANNOTATION_TITLE;
/// `org.opencontainers.image.description`: human-readable description.
pub const DESCRIPTION: &str = oci_spec::image::ANNOTATION_DESCRIPTION;
/// `org.opencontainers.image.version`: version of the packaged software.
pub const VERSION: &str = oci_spec::image::ANNOTATION_VERSION;
/// `org.opencontainers.image.revision`: source control revision (the git commit id).
pub const REVISION: &str = oci_spec::image::ANNOTATION_REVISION;
/// `org.opencontainers.image.created`: RFC 3339 date and time the image was built.
pub const CREATED: &str = oci_spec::image::ANNOTATION_CREATED;
/// `org.opencontainers.image.authors`: contact details of the people responsible.
pub const AUTHORS: &str = oci_spec::image::ANNOTATION_AUTHORS;
/// `org.opencontainers.image.vendor`: name of the distributing entity.
pub const VENDOR: &str = oci_spec::image::ANNOTATION_VENDOR;
/// `org.opencontainers.image.licenses`: SPDX license expression.
pub const LICENSES: &str = oci_spec::image::ANNOTATION_LICENSES;
/// `org.opencontainers.image.url`: where to find more information on the image.
pub const URL: &str = oci_spec::image::ANNOTATION_URL;
/// `org.opencontainers.image.source`: URL of the source code the image is built from.
pub const SOURCE: &str = oci_spec::image::ANNOTATION_SOURCE;
/// `org.opencontainers.image.documentation`: URL of the documentation.
pub const DOCUMENTATION: &str = oci_spec::image::ANNOTATION_DOCUMENTATION;
/// `org.opencontainers.image.base.name`: fully qualified reference of the base image.
pub const BASE_NAME: &str = oci_spec::image::ANNOTATION_BASE_IMAGE_NAME;
/// `org.opencontainers.image.usage`: a complete `docker run` example for the image.
///
/// Not one of the keys the OCI image spec predefines: it shares the
/// `org.opencontainers.image` prefix because the image nss replaces documented it
/// under this name and users query it with
/// `docker inspect --format '{{index .Config.Labels "org.opencontainers.image.usage"}}'`.
pub const USAGE: &str = "org.opencontainers.image.usage";

/// Keys whose values change with every commit or build: kept out of the static
/// Dockerfile `LABEL` block and supplied by `--label` at build time.
pub const DYNAMIC_KEYS: [&str; 3] = [REVISION, CREATED, VERSION];

/// Keys whose values must parse as absolute URLs.
pub const URL_KEYS: [&str; 3] = [URL, SOURCE, DOCUMENTATION];

/// Keys left out of index (multi-arch manifest list) annotations: the base image
/// belongs to each platform's manifest, not to the index.
pub const NOT_IN_INDEX: [&str; 1] = [BASE_NAME];

/// The prefix of the predefined keys.
pub(crate) const OCI_PREFIX: &str = "org.opencontainers.image.";

/// Short names accepted in `[tool.nss.labels]` (`title = "..."` means
/// `org.opencontainers.image.title`).
pub(crate) const SHORT_NAMES: [&str; 13] = [
    "title",
    "description",
    "version",
    "revision",
    "created",
    "authors",
    "vendor",
    "licenses",
    "url",
    "source",
    "documentation",
    "base.name",
    "usage",
];

/// Expands a `[tool.nss.labels]` key: a short name gets the OCI prefix, a key
/// with a dot is taken as written, anything else is `None`.
pub(crate) fn expand(key: &str) -> Option<String> {
    if SHORT_NAMES.contains(&key) {
        Some(format!("{OCI_PREFIX}{key}"))
    } else if key.contains('.') {
        Some(key.to_string())
    } else {
        None
    }
}
