//! A CycloneDX 1.5 SBOM of an image, from what the image holds.

use std::str::FromStr;

use cyclonedx_bom::external_models::normalized_string::NormalizedString;
use cyclonedx_bom::external_models::spdx::SpdxExpression;
use cyclonedx_bom::external_models::uri::Purl;
use cyclonedx_bom::models::bom::{Bom, UrnUuid};
use cyclonedx_bom::models::component::{Classification, Component, Components};
use cyclonedx_bom::models::hash::{Hash, HashAlgorithm, HashValue, Hashes};
use cyclonedx_bom::models::license::{License, LicenseChoice, Licenses};
use cyclonedx_bom::models::metadata::Metadata;
use cyclonedx_bom::models::property::{Properties, Property};
use cyclonedx_bom::models::tool::{Tool, Tools};
use cyclonedx_bom::prelude::DateTime;
use packageurl::PackageUrl;

use crate::archive::ImageArchive;
use crate::python::{Lock, normalize};
use crate::{Error, dpkg, python};

/// The label holding the base image's reference.
const BASE_NAME: &str = "org.opencontainers.image.base.name";
/// The label holding the base image's digest.
const BASE_DIGEST: &str = "org.opencontainers.image.base.digest";

/// What the SBOM describes besides the archive itself.
#[derive(Debug, Clone, Default)]
pub struct SbomInputs<'a> {
    /// The image reference the user named (`nss-gpu:latest`).
    pub reference: &'a str,
    /// The project's `uv.lock`, for the hashes of the artifacts installed.
    pub lock: Option<&'a Lock>,
    /// The base image's digest, when the engine knows it and the labels do not say.
    pub base_digest: Option<&'a str>,
    /// The document's timestamp, RFC 3339. `None`: the image's `created` label, else none.
    pub timestamp: Option<&'a str>,
    /// The version of the tool writing the SBOM.
    pub tool_version: &'a str,
}

fn purl(
    ty: &str,
    namespace: Option<&str>,
    name: &str,
    version: Option<&str>,
    qualifiers: &[(&str, &str)],
) -> Result<Purl, Error> {
    let err = |e: packageurl::Error| Error::Sbom(format!("package URL for {name}: {e}"));
    let mut p = PackageUrl::new(ty, name).map_err(err)?;
    if let Some(ns) = namespace.filter(|n| !n.is_empty()) {
        p.with_namespace(ns).map_err(err)?;
    }
    if let Some(v) = version.filter(|v| !v.is_empty()) {
        p.with_version(v).map_err(err)?;
    }
    for (k, v) in qualifiers.iter().filter(|(_, v)| !v.is_empty()) {
        p.add_qualifier(*k, *v).map_err(err)?;
    }
    Ok(Purl::from_str(&p.to_string())
        .unwrap_or_else(|()| unreachable!("Purl::from_str is infallible")))
}

fn properties(pairs: &[(&str, String)]) -> Option<Properties> {
    let v: Vec<Property> = pairs
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| Property::new(*k, v))
        .collect();
    (!v.is_empty()).then_some(Properties(v))
}

fn sha256(hex: &str) -> Hashes {
    Hashes(vec![Hash {
        alg: HashAlgorithm::SHA_256,
        content: HashValue(hex.to_string()),
    }])
}

fn license(decl: &str) -> Licenses {
    let choice = match spdx::Expression::parse(decl) {
        Ok(_) => LicenseChoice::Expression(SpdxExpression::new(decl)),
        Err(_) => LicenseChoice::License(License::named_license(decl)),
    };
    Licenses(vec![choice])
}

/// Splits `repo[:tag][@digest]` into its repository, tag and digest.
fn split_reference(r: &str) -> (&str, Option<&str>, Option<&str>) {
    let (rest, digest) = match r.split_once('@') {
        Some((a, d)) => (a, Some(d)),
        None => (r, None),
    };
    let slash = rest.rfind('/').map_or(0, |i| i + 1);
    match rest[slash..].rfind(':') {
        Some(i) => (&rest[..slash + i], Some(&rest[slash + i + 1..]), digest),
        None => (rest, None, digest),
    }
}

fn oci_component(
    classification: Classification,
    reference: &str,
    digest: Option<&str>,
    arch: &str,
) -> Result<Component, Error> {
    let (repo, tag, ref_digest) = split_reference(reference);
    let digest = ref_digest.or(digest);
    let name = repo.rsplit('/').next().unwrap_or(repo);
    let mut c = Component::new(
        classification,
        repo,
        tag.unwrap_or(""),
        Some(format!("oci:{reference}")),
    );
    if tag.is_none() {
        c.version = None;
    }
    // pkg:oci's version is the digest; without one the purl names the repository only.
    c.purl = Some(purl(
        "oci",
        None,
        name,
        digest,
        &[
            ("repository_url", repo),
            ("tag", tag.unwrap_or("")),
            ("arch", arch),
        ],
    )?);
    if let Some(d) = digest.and_then(|d| d.strip_prefix("sha256:")) {
        c.hashes = Some(sha256(d));
    }
    Ok(c)
}

/// The SBOM of `image` as a CycloneDX 1.5 JSON document.
pub fn cyclonedx(image: &ImageArchive, inputs: &SbomInputs<'_>) -> Result<String, Error> {
    let fs = &image.filesystem;
    let arch = image.platform.rsplit('/').next().unwrap_or("");
    let mut components = Vec::new();

    // The base image.
    if let Some(base) = image.labels.get(BASE_NAME) {
        let digest = image
            .labels
            .get(BASE_DIGEST)
            .map(String::as_str)
            .or(inputs.base_digest);
        let mut c = oci_component(Classification::Container, base, digest, arch)?;
        c.description = Some(NormalizedString::new("base image"));
        components.push(c);
    }

    // nss-preflight, the entrypoint.
    if let Some(bin) = fs.kept.get(crate::PREFLIGHT_PATH) {
        let mut c = Component::new(
            Classification::Application,
            "nss-preflight",
            image
                .labels
                .get("org.opencontainers.image.version")
                .map_or(inputs.tool_version, String::as_str),
            Some("file:nss-preflight".into()),
        );
        c.hashes = Some(sha256(&crate::sha256_hex(bin)));
        c.properties = properties(&[("nss:path", format!("/{}", crate::PREFLIGHT_PATH))]);
        components.push(c);
    }

    // Debian / Ubuntu packages.
    let distro = dpkg::distro(fs);
    let distro_q = if distro.id.is_empty() {
        String::new()
    } else {
        format!("{}-{}", distro.id, distro.version_id)
    };
    for p in dpkg::packages(fs)? {
        let mut c = Component::new(
            Classification::Library,
            &p.name,
            &p.version,
            Some(format!("deb:{}@{}?arch={}", p.name, p.version, p.arch)),
        );
        c.purl = Some(purl(
            "deb",
            Some(&distro.id),
            &p.name,
            Some(&p.version),
            &[("arch", &p.arch), ("distro", &distro_q)],
        )?);
        c.properties = properties(&[("nss:deb:source", p.source.clone().unwrap_or_default())]);
        components.push(c);
    }

    // Python distributions.
    for d in python::distributions(fs)? {
        let norm = normalize(&d.name);
        let mut c = Component::new(
            Classification::Library,
            &d.name,
            &d.version,
            Some(format!("pypi:{norm}@{}:{}", d.version, d.dist_info)),
        );
        c.purl = Some(purl("pypi", None, &norm, Some(&d.version), &[])?);
        c.licenses = d.license.as_deref().map(license);
        let locked = inputs.lock.and_then(|l| l.hash_for(&d));
        if let Some(h) = &locked {
            c.hashes = Some(sha256(&h.sha256));
        }
        c.properties = properties(&[
            ("nss:python:dist-info", format!("/{}", d.dist_info)),
            (
                "nss:python:locked-file",
                locked.and_then(|h| h.file).unwrap_or_default(),
            ),
        ]);
        components.push(c);
    }

    // The image itself, as the document's subject.
    let mut subject = oci_component(Classification::Container, inputs.reference, None, arch)?;
    subject.bom_ref = Some(format!("image:{}", image.id));
    let mut props = vec![
        ("nss:image:id", image.id.clone()),
        ("nss:image:platform", image.platform.clone()),
    ];
    let label_names: Vec<String> = image
        .labels
        .keys()
        .map(|k| format!("nss:label:{k}"))
        .collect();
    for (name, value) in label_names.iter().zip(image.labels.values()) {
        props.push((name.as_str(), value.clone()));
    }
    subject.properties = properties(&props);

    let timestamp = inputs.timestamp.map(str::to_string).or_else(|| {
        image
            .labels
            .get("org.opencontainers.image.created")
            .cloned()
    });
    let metadata = Metadata {
        timestamp: timestamp.and_then(|t| DateTime::try_from(t).ok()),
        tools: Some(Tools::List(vec![Tool {
            vendor: None,
            name: Some(NormalizedString::new("nss")),
            version: Some(NormalizedString::new(inputs.tool_version)),
            hashes: None,
            external_references: None,
        }])),
        authors: None,
        component: Some(subject),
        manufacture: None,
        supplier: None,
        licenses: None,
        properties: None,
        lifecycles: None,
    };

    // The serial number is derived from what the image holds, so the same image gives the
    // same document (RFC 4122 shape, version 5 bits set on a sha256 of the content).
    // `Bom::default()` draws a random serial number: none while hashing the content.
    let mut bom = Bom {
        metadata: Some(metadata),
        components: Some(Components(components)),
        serial_number: None,
        ..Bom::default()
    };
    let mut body = Vec::new();
    bom.clone()
        .output_as_json_v1_5(&mut body)
        .map_err(|e| Error::Sbom(e.to_string()))?;
    bom.serial_number = Some(
        UrnUuid::new(format!("urn:uuid:{}", uuid_from(&crate::sha256_hex(&body))))
            .map_err(|e| Error::Sbom(format!("{e:?}")))?,
    );
    let mut out = Vec::new();
    bom.output_as_json_v1_5(&mut out)
        .map_err(|e| Error::Sbom(e.to_string()))?;
    String::from_utf8(out).map_err(|e| Error::Sbom(e.to_string()))
}

/// A UUID (version 5 and variant bits set) from the first 32 hex digits of a digest.
fn uuid_from(hex: &str) -> String {
    let mut h: Vec<char> = hex.chars().take(32).collect();
    h.resize(32, '0');
    h[12] = '5';
    h[16] = match h[16].to_digit(16).unwrap_or(0) & 0x3 {
        0 => '8',
        1 => '9',
        2 => 'a',
        _ => 'b',
    };
    let s: String = h.into_iter().collect();
    format!(
        "{}-{}-{}-{}-{}",
        &s[0..8],
        &s[8..12],
        &s[12..16],
        &s[16..20],
        &s[20..32]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_references() {
        assert_eq!(
            split_reference("docker.io/nvidia/cuda:12.8.1-runtime-ubuntu22.04"),
            (
                "docker.io/nvidia/cuda",
                Some("12.8.1-runtime-ubuntu22.04"),
                None
            )
        );
        assert_eq!(
            split_reference("localhost:5000/a/b@sha256:00"),
            ("localhost:5000/a/b", None, Some("sha256:00"))
        );
        assert_eq!(split_reference("nss-gpu"), ("nss-gpu", None, None));
    }

    #[test]
    fn the_same_image_gives_the_same_document() {
        let mut image = ImageArchive {
            repo_tags: vec![],
            id: "sha256:00".into(),
            platform: "linux/amd64".into(),
            labels: [(
                BASE_NAME.to_string(),
                "docker.io/library/debian:12".to_string(),
            )]
            .into(),
            layers: vec![],
            history: vec![],
            filesystem: crate::Filesystem::default(),
        };
        let inputs = SbomInputs {
            reference: "x:1",
            tool_version: "0.1.0",
            ..SbomInputs::default()
        };
        let a = cyclonedx(&image, &inputs).unwrap();
        assert_eq!(a, cyclonedx(&image, &inputs).unwrap());
        image.id = "sha256:01".into();
        let b = cyclonedx(&image, &inputs).unwrap();
        let serial =
            |d: &str| serde_json::from_str::<serde_json::Value>(d).unwrap()["serialNumber"].clone();
        assert_ne!(
            serial(&a),
            serial(&b),
            "another image, another serial number"
        );
    }

    #[test]
    fn uuid_has_rfc_4122_shape() {
        let u = uuid_from(&"f".repeat(64));
        assert_eq!(u, "ffffffff-ffff-5fff-bfff-ffffffffffff");
        assert!(UrnUuid::new(format!("urn:uuid:{u}")).is_ok());
    }

    #[test]
    fn oci_purl_carries_the_digest_as_version() {
        let c = oci_component(
            Classification::Container,
            "docker.io/nvidia/cuda:12.8.1-runtime-ubuntu22.04",
            Some("sha256:abc"),
            "amd64",
        )
        .unwrap();
        let text = c.purl.unwrap().to_string();
        let p = PackageUrl::from_str(&text).unwrap();
        assert_eq!(
            (p.ty(), p.name(), p.version()),
            ("oci", "cuda", Some("sha256:abc")),
            "{text}"
        );
        let q = p.qualifiers();
        assert_eq!(q["repository_url"], "docker.io/nvidia/cuda", "{text}");
        assert_eq!(q["tag"], "12.8.1-runtime-ubuntu22.04", "{text}");
        assert_eq!(q["arch"], "amd64", "{text}");
    }
}
