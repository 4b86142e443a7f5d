//! SBOMs of an image, from what the image holds: one inventory (base image, preflight,
//! Debian packages, Python distributions, the image itself), written as CycloneDX 1.5 or
//! SPDX 2.3 JSON.

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
use serde_spdx::spdx::v_2_3 as spdx23;

use crate::archive::ImageArchive;
use crate::python::normalize;
use crate::{Error, Lock, dpkg, python};

/// The label holding the base image's reference.
const BASE_NAME: &str = "org.opencontainers.image.base.name";
/// The label holding the base image's digest.
const BASE_DIGEST: &str = "org.opencontainers.image.base.digest";
/// The label holding the image's creation time.
const CREATED: &str = "org.opencontainers.image.created";

/// What the SBOM describes besides the archive itself.
#[derive(Debug, Clone, Default)]
pub struct SbomInputs<'a> {
    /// The image reference the user named (`nss-gpu:latest`).
    pub reference: &'a str,
    /// The project's `uv.lock`, for the hashes of the artifacts installed.
    pub lock: Option<&'a Lock>,
    /// The base image's digest, when the engine knows it and the labels do not say.
    pub base_digest: Option<&'a str>,
    /// The document's timestamp, RFC 3339. `None`: the image's `created` label, else none
    /// (CycloneDX) or the Unix epoch (SPDX, which requires one).
    pub timestamp: Option<&'a str>,
    /// The version of the tool writing the SBOM.
    pub tool_version: &'a str,
}

/// What an item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Container,
    Application,
    Library,
}

/// One entry of the inventory, in terms both formats can express.
#[derive(Debug, Clone)]
struct Item {
    kind: Kind,
    /// Unique within the document.
    bom_ref: String,
    name: String,
    version: Option<String>,
    description: Option<String>,
    purl: Option<String>,
    sha256: Option<String>,
    license: Option<String>,
    properties: Vec<(String, String)>,
}

impl Item {
    fn new(kind: Kind, bom_ref: String, name: &str, version: Option<&str>) -> Self {
        Self {
            kind,
            bom_ref,
            name: name.to_string(),
            version: version.filter(|v| !v.is_empty()).map(str::to_string),
            description: None,
            purl: None,
            sha256: None,
            license: None,
            properties: Vec::new(),
        }
    }

    fn property(mut self, name: &str, value: impl Into<String>) -> Self {
        let value = value.into();
        if !value.is_empty() {
            self.properties.push((name.to_string(), value));
        }
        self
    }
}

fn purl(
    ty: &str,
    namespace: Option<&str>,
    name: &str,
    version: Option<&str>,
    qualifiers: &[(&str, &str)],
) -> Result<String, Error> {
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
    Ok(p.to_string())
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

/// An image by reference: `pkg:oci/NAME@DIGEST?repository_url=...&tag=...&arch=...`
/// (pkg:oci's version is the digest; without one the purl names the repository only).
fn oci_item(reference: &str, digest: Option<&str>, arch: &str) -> Result<Item, Error> {
    let (repo, tag, ref_digest) = split_reference(reference);
    let digest = ref_digest.or(digest);
    let name = repo.rsplit('/').next().unwrap_or(repo);
    let mut item = Item::new(Kind::Container, format!("oci:{reference}"), repo, tag);
    item.purl = Some(purl(
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
    item.sha256 = digest
        .and_then(|d| d.strip_prefix("sha256:"))
        .map(str::to_string);
    Ok(item)
}

/// The image (the document's subject) and everything in it, in a stable order.
fn inventory(image: &ImageArchive, inputs: &SbomInputs<'_>) -> Result<(Item, Vec<Item>), Error> {
    let fs = &image.filesystem;
    let arch = image.platform.rsplit('/').next().unwrap_or("");
    let mut items = Vec::new();

    if let Some(base) = image.labels.get(BASE_NAME) {
        let digest = image
            .labels
            .get(BASE_DIGEST)
            .map(String::as_str)
            .or(inputs.base_digest);
        let mut item = oci_item(base, digest, arch)?;
        item.description = Some("base image".into());
        items.push(item);
    }

    // nss-preflight, the entrypoint: its hash identifies the build (the image does not
    // record which nss version built it).
    if let Some(bin) = fs.kept.get(crate::PREFLIGHT_PATH) {
        let mut item = Item::new(
            Kind::Application,
            "file:nss-preflight".into(),
            "nss-preflight",
            None,
        )
        .property("nss:path", format!("/{}", crate::PREFLIGHT_PATH));
        item.sha256 = Some(crate::sha256_hex(bin));
        items.push(item);
    }

    let distro = dpkg::distro(fs);
    let distro_q = if distro.id.is_empty() {
        String::new()
    } else {
        format!("{}-{}", distro.id, distro.version_id)
    };
    for p in dpkg::packages(fs)? {
        let mut item = Item::new(
            Kind::Library,
            format!("deb:{}@{}?arch={}", p.name, p.version, p.arch),
            &p.name,
            Some(&p.version),
        )
        .property("nss:deb:source", p.source.clone().unwrap_or_default());
        item.purl = Some(purl(
            "deb",
            Some(&distro.id),
            &p.name,
            Some(&p.version),
            &[("arch", &p.arch), ("distro", &distro_q)],
        )?);
        items.push(item);
    }

    for d in python::distributions(fs)? {
        let norm = normalize(&d.name);
        let locked = inputs.lock.and_then(|l| l.hash_for(&d));
        let mut item = Item::new(
            Kind::Library,
            format!("pypi:{norm}@{}:{}", d.version, d.dist_info),
            &d.name,
            Some(&d.version),
        )
        .property("nss:python:dist-info", format!("/{}", d.dist_info))
        .property(
            "nss:python:locked-file",
            locked
                .as_ref()
                .and_then(|h| h.file.clone())
                .unwrap_or_default(),
        );
        item.purl = Some(purl("pypi", None, &norm, Some(&d.version), &[])?);
        item.license = d.license.clone();
        item.sha256 = locked.map(|h| h.sha256);
        items.push(item);
    }

    let mut subject = oci_item(inputs.reference, None, arch)?;
    subject.bom_ref = format!("image:{}", image.id);
    subject = subject
        .property("nss:image:id", image.id.clone())
        .property("nss:image:platform", image.platform.clone());
    for (k, v) in &image.labels {
        subject = subject.property(&format!("nss:label:{k}"), v.clone());
    }
    Ok((subject, items))
}

fn timestamp(image: &ImageArchive, inputs: &SbomInputs<'_>) -> Option<String> {
    inputs
        .timestamp
        .map(str::to_string)
        .or_else(|| image.labels.get(CREATED).cloned())
}

fn cdx_component(item: Item) -> Result<Component, Error> {
    let class = match item.kind {
        Kind::Container => Classification::Container,
        Kind::Application => Classification::Application,
        Kind::Library => Classification::Library,
    };
    let mut c = Component::new(
        class,
        &item.name,
        item.version.as_deref().unwrap_or(""),
        Some(item.bom_ref),
    );
    if item.version.is_none() {
        c.version = None;
    }
    c.description = item.description.as_deref().map(NormalizedString::new);
    c.purl = item.purl.map(|p| {
        Purl::from_str(&p).unwrap_or_else(|()| unreachable!("Purl::from_str is infallible"))
    });
    c.hashes = item.sha256.map(|h| {
        Hashes(vec![Hash {
            alg: HashAlgorithm::SHA_256,
            content: HashValue(h),
        }])
    });
    c.licenses = item.license.as_deref().map(|decl| {
        Licenses(vec![match ::spdx::Expression::parse(decl) {
            Ok(_) => LicenseChoice::Expression(SpdxExpression::new(decl)),
            Err(_) => LicenseChoice::License(License::named_license(decl)),
        }])
    });
    c.properties = (!item.properties.is_empty()).then(|| {
        Properties(
            item.properties
                .iter()
                .map(|(k, v)| Property::new(k, v))
                .collect(),
        )
    });
    Ok(c)
}

/// The SBOM of `image` as a CycloneDX 1.5 JSON document.
pub fn cyclonedx(image: &ImageArchive, inputs: &SbomInputs<'_>) -> Result<String, Error> {
    let (subject, items) = inventory(image, inputs)?;
    let metadata = Metadata {
        timestamp: timestamp(image, inputs).and_then(|t| DateTime::try_from(t).ok()),
        tools: Some(Tools::List(vec![Tool {
            vendor: None,
            name: Some(NormalizedString::new("nss")),
            version: Some(NormalizedString::new(inputs.tool_version)),
            hashes: None,
            external_references: None,
        }])),
        authors: None,
        component: Some(cdx_component(subject)?),
        manufacture: None,
        supplier: None,
        licenses: None,
        properties: None,
        lifecycles: None,
    };
    let components = items
        .into_iter()
        .map(cdx_component)
        .collect::<Result<Vec<_>, _>>()?;

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

/// An SPDX identifier (`SPDXRef-` and letters, digits, `.` and `-` only).
fn spdx_id(n: usize, name: &str) -> String {
    let clean: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    format!("SPDXRef-{n}-{clean}")
}

fn spdx_package(id: String, item: &Item) -> spdx23::SpdxItemPackages {
    let purpose = match item.kind {
        Kind::Container => "CONTAINER",
        Kind::Application => "APPLICATION",
        Kind::Library => "LIBRARY",
    };
    let declared = item
        .license
        .as_deref()
        .filter(|l| ::spdx::Expression::parse(l).is_ok())
        .unwrap_or("NOASSERTION");
    spdx23::SpdxItemPackages {
        spdxid: id,
        annotations: None,
        attribution_texts: None,
        built_date: None,
        checksums: item.sha256.as_ref().map(|h| {
            vec![spdx23::SpdxItemPackagesItemChecksums {
                algorithm: "SHA256".into(),
                checksum_value: h.clone(),
            }]
        }),
        comment: (!item.properties.is_empty()).then(|| {
            item.properties
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("\n")
        }),
        copyright_text: None,
        description: item.description.clone(),
        download_location: "NOASSERTION".into(),
        external_refs: item.purl.as_ref().map(|p| {
            vec![spdx23::SpdxItemPackagesItemExternalRefs {
                comment: None,
                reference_category: "PACKAGE-MANAGER".into(),
                reference_locator: p.clone(),
                reference_type: "purl".into(),
            }]
        }),
        files_analyzed: Some(false),
        has_files: None,
        homepage: None,
        license_comments: None,
        license_concluded: Some("NOASSERTION".into()),
        license_declared: Some(declared.into()),
        license_info_from_files: None,
        name: item.name.clone(),
        originator: None,
        package_file_name: None,
        package_verification_code: None,
        primary_package_purpose: Some(purpose.into()),
        release_date: None,
        source_info: None,
        summary: None,
        supplier: None,
        valid_until_date: None,
        version_info: item.version.clone(),
    }
}

/// The SBOM of `image` as an SPDX 2.3 JSON document: the image is the package the
/// document describes, and it CONTAINS every other package.
pub fn spdx(image: &ImageArchive, inputs: &SbomInputs<'_>) -> Result<String, Error> {
    let (subject, items) = inventory(image, inputs)?;
    let image_id = "SPDXRef-Image".to_string();
    let mut packages = vec![spdx_package(image_id.clone(), &subject)];
    let mut relationships = vec![spdx23::SpdxItemRelationships {
        comment: None,
        related_spdx_element: image_id.clone(),
        relationship_type: "DESCRIBES".into(),
        spdx_element_id: "SPDXRef-DOCUMENT".into(),
    }];
    for (n, item) in items.iter().enumerate() {
        let id = spdx_id(n + 1, &item.name);
        relationships.push(spdx23::SpdxItemRelationships {
            comment: None,
            related_spdx_element: id.clone(),
            relationship_type: "CONTAINS".into(),
            spdx_element_id: image_id.clone(),
        });
        packages.push(spdx_package(id, item));
    }
    let created = timestamp(image, inputs).unwrap_or_else(|| "1970-01-01T00:00:00Z".into());
    let mut doc = spdx23::Spdx {
        spdxid: "SPDXRef-DOCUMENT".into(),
        annotations: None,
        comment: None,
        creation_info: spdx23::SpdxCreationInfo {
            comment: None,
            created,
            creators: vec![format!("Tool: nss-{}", inputs.tool_version)],
            license_list_version: None,
        },
        data_license: "CC0-1.0".into(),
        document_describes: Some(vec![image_id]),
        document_namespace: String::new(),
        external_document_refs: None,
        files: None,
        has_extracted_licensing_infos: None,
        name: inputs.reference.to_string(),
        packages: Some(packages),
        relationships: Some(relationships),
        revieweds: None,
        snippets: None,
        spdx_version: "SPDX-2.3".into(),
    };
    // The namespace is unique per content, so the same image gives the same document.
    let body = serde_json::to_vec(&doc).map_err(|e| Error::Sbom(e.to_string()))?;
    doc.document_namespace = format!(
        "https://spdx.org/spdxdocs/nss-{}",
        uuid_from(&crate::sha256_hex(&body))
    );
    serde_json::to_string_pretty(&doc).map_err(|e| Error::Sbom(e.to_string()))
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

    const INPUTS: SbomInputs<'static> = SbomInputs {
        reference: "x:1",
        lock: None,
        base_digest: None,
        timestamp: None,
        tool_version: "0.1.0",
    };

    /// An image with nothing in it but a base-image label.
    fn debian_based() -> ImageArchive {
        ImageArchive {
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
        }
    }

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
        let mut image = debian_based();
        let inputs = INPUTS;
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
    fn spdx_describes_the_image_which_contains_each_package() {
        let image = debian_based();
        let inputs = INPUTS;
        let text = spdx(&image, &inputs).unwrap();
        assert_eq!(
            text,
            spdx(&image, &inputs).unwrap(),
            "the same image, the same document"
        );
        let doc: spdx23::Spdx = serde_json::from_str(&text).unwrap();
        assert_eq!(doc.spdx_version, "SPDX-2.3");
        assert!(
            doc.document_namespace
                .starts_with("https://spdx.org/spdxdocs/nss-")
        );
        let packages = doc.packages.unwrap();
        assert_eq!(packages.len(), 2, "the image and its base");
        for p in &packages {
            assert!(
                p.spdxid.starts_with("SPDXRef-")
                    && p.spdxid[8..]
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-'),
                "{}",
                p.spdxid
            );
        }
        let rels = doc.relationships.unwrap();
        assert_eq!(rels[0].relationship_type, "DESCRIBES");
        assert_eq!(rels[1].relationship_type, "CONTAINS");
        assert_eq!(rels[1].related_spdx_element, packages[1].spdxid);
    }

    #[test]
    fn uuid_has_rfc_4122_shape() {
        let u = uuid_from(&"f".repeat(64));
        assert_eq!(u, "ffffffff-ffff-5fff-bfff-ffffffffffff");
        assert!(UrnUuid::new(format!("urn:uuid:{u}")).is_ok());
    }

    #[test]
    fn oci_purl_carries_the_digest_as_version() {
        let c = oci_item(
            "docker.io/nvidia/cuda:12.8.1-runtime-ubuntu22.04",
            Some("sha256:abc"),
            "amd64",
        )
        .unwrap();
        let text = c.purl.unwrap();
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
