//! `nss sbom` and `nss size` on an image `nss build` made, on both engines: the SBOM
//! lists the locked Python distributions with their `uv.lock` hashes and the base's dpkg
//! packages and validates against the CycloneDX 1.5 schema; the size report accounts for
//! every byte the engine counts.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};

use nss_testkit::{Cleanup, TestEngine, image_size};
use serde_json::Value;

use crate::util::{TempProject, base_env, nss};

/// A test Dockerfile for the miniature project on the stand-in Python base: uv installs
/// the locked dependencies (with the `fancy` extra), then the project, into /opt/venv.
fn dockerfile(uv_image: &str, python_image: &str) -> String {
    format!(
        "FROM {uv_image} AS uv\n\
         FROM {python_image} AS test\n\
         COPY --from=uv /uv /usr/local/bin/uv\n\
         ENV UV_PROJECT_ENVIRONMENT=/opt/venv UV_PYTHON=/usr/bin/python3 UV_PYTHON_DOWNLOADS=never \\\n    \
         UV_LINK_MODE=copy UV_COMPILE_BYTECODE=1 UV_FROZEN=true UV_NO_INSTALLER_METADATA=1\n\
         WORKDIR /app\n\
         COPY pyproject.toml uv.lock ./\n\
         RUN --mount=type=secret,id=build_ca \\\n    \
         if [ -f /run/secrets/build_ca ]; then export SSL_CERT_FILE=/run/secrets/build_ca; fi; \\\n    \
         uv sync --no-install-project --no-dev --extra fancy\n\
         COPY . .\n\
         RUN --mount=type=secret,id=build_ca \\\n    \
         if [ -f /run/secrets/build_ca ]; then export SSL_CERT_FILE=/run/secrets/build_ca; fi; \\\n    \
         uv sync --no-dev --no-editable --extra fancy\n"
    )
}

/// The sha256 `uv.lock` records for the py3 wheel of `name`.
fn locked_wheel_hash(lock: &str, name: &str) -> (String, String) {
    let line = lock
        .lines()
        .find(|l| l.contains(&format!("/{name}-")) && l.contains("none-any.whl"))
        .unwrap_or_else(|| panic!("no wheel of {name} in uv.lock"));
    let version = line
        .split(&format!("/{name}-"))
        .nth(1)
        .and_then(|r| r.split('-').next())
        .unwrap()
        .to_string();
    let hash = line
        .split("sha256:")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap()
        .to_string();
    (version, hash)
}

/// Validates a CycloneDX document against the 1.5 JSON schema with the reference
/// implementation's validator (the `cyclonedx-python-lib` package).
const CYCLONEDX_1_5: &str = "import sys\n\
    from cyclonedx.validation.json import JsonStrictValidator\n\
    from cyclonedx.schema import SchemaVersion\n\
    e = JsonStrictValidator(SchemaVersion.V1_5).validate_str(sys.stdin.read())\n\
    print(e if e else 'valid')\n";

/// Validates an SPDX document with the SPDX project's own tools (`spdx-tools`): parsed
/// as SPDX 2.3 JSON, then every rule of the specification.
const SPDX_2_3: &str = "import sys, json\n\
    from spdx_tools.spdx.parser.jsonlikedict.json_like_dict_parser import JsonLikeDictParser\n\
    from spdx_tools.spdx.validation.document_validator import validate_full_spdx_document\n\
    d = JsonLikeDictParser().parse(json.load(sys.stdin))\n\
    m = validate_full_spdx_document(d, 'SPDX-2.3')\n\
    print('\\n'.join(x.validation_message for x in m) or 'valid')\n";

/// Runs a Python validator on `doc`: its verdict (`valid` or the problems); `None` when
/// the validator's package is not installed (skip, or fail under CI).
fn schema_errors(script: &str, doc: &str) -> Option<String> {
    let mut child = Command::new("python3")
        .args(["-c", script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .ok()?;
    use std::io::Write;
    child.stdin.take()?.write_all(doc.as_bytes()).ok()?;
    let out = child.wait_with_output().ok()?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        if err.contains("ModuleNotFoundError") {
            return nss_testkit::skip(
                "a Python SBOM validator",
                &format!("python3 cannot import it (scripts/engines.sh install adds it): {err}"),
            );
        }
        return Some(err.into_owned());
    }
    Some(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

fn sbom_and_size(engine: &TestEngine) {
    let (Some(uv), Some(python)) = (
        nss_testkit::value(nss_testkit::NSS_TEST_UV_IMAGE),
        nss_testkit::value(nss_testkit::NSS_TEST_PYTHON_IMAGE),
    ) else {
        return;
    };
    let project = TempProject::new("mini", None);
    let dir = project.dir();
    std::fs::create_dir_all(dir.join("containers")).unwrap();
    std::fs::write(
        dir.join("containers/Dockerfile.test_ci"),
        dockerfile(&uv, &python),
    )
    .unwrap();
    let tag = format!("{}:1", engine.unique("inspect"));
    let mut env = base_env();
    env.extend(engine.env.iter().cloned());
    env.insert("CONTAINER_CMD".into(), engine.program.display().to_string());
    env.insert("NSS_PROJECT_DIR".into(), dir.display().to_string());
    env.insert("CONTAINER_TEST_IMAGE".into(), tag.clone());
    env.insert(
        "XDG_CACHE_HOME".into(),
        project.path("cache").display().to_string(),
    );
    if let Some(ca) = nss_testkit::value(nss_testkit::NSS_TEST_CA_BUNDLE) {
        env.insert("CONTAINER_BUILD_CA".into(), ca);
    }

    // The stand-in base under the name the image's base.name label gives, so the report
    // can tell the base's layers from the image's own.
    let labels = nss(
        &dir,
        &env,
        &["labels", "--image", "test", "--format", "json"],
    );
    assert_eq!(labels.code, 0, "{}", labels.stderr);
    let labels: BTreeMap<String, String> = serde_json::from_str(&labels.stdout).unwrap();
    let base_name = labels["org.opencontainers.image.base.name"].clone();
    let _guard = Cleanup::new(engine).image(&tag).image(&base_name);
    let out = engine
        .command()
        .args(["tag", &python, &base_name])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let out = nss(&dir, &env, &["build", "--image", "test"]);
    assert_eq!(out.code, 0, "{} build: {}", engine.name(), out.stderr);

    // The SBOM.
    let out = nss(&dir, &env, &["sbom", "--image", "test"]);
    assert_eq!(out.code, 0, "{} sbom: {}", engine.name(), out.stderr);
    let doc: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(doc["specVersion"], "1.5");
    if let Some(verdict) = schema_errors(CYCLONEDX_1_5, &out.stdout) {
        assert_eq!(verdict, "valid", "{}: schema: {verdict}", engine.name());
    }
    let components = doc["components"].as_array().unwrap();
    let find = |purl_prefix: &str| {
        components.iter().find(|c| {
            c["purl"]
                .as_str()
                .is_some_and(|p| p.starts_with(purl_prefix))
        })
    };
    let lock = std::fs::read_to_string(dir.join("uv.lock")).unwrap();
    for name in ["six", "idna"] {
        let (version, hash) = locked_wheel_hash(&lock, name);
        let c = find(&format!("pkg:pypi/{name}@"))
            .unwrap_or_else(|| panic!("{}: no {name} in {components:?}", engine.name()));
        assert_eq!(c["version"], version.as_str(), "{name}");
        assert_eq!(c["hashes"][0]["alg"], "SHA-256", "{name}");
        assert_eq!(c["hashes"][0]["content"], hash.as_str(), "{name}");
    }
    // The project itself is installed but not locked from an index: no hash.
    let own = find("pkg:pypi/nss-mini@").expect("the project's own distribution");
    assert!(own.get("hashes").is_none(), "{own}");
    // The base's Debian packages, with their distribution.
    for pkg in ["python3", "tini", "libc6"] {
        let c = find(&format!("pkg:deb/debian/{pkg}@"))
            .unwrap_or_else(|| panic!("{}: no deb {pkg}", engine.name()));
        assert!(
            c["purl"].as_str().unwrap().contains("distro=debian-12"),
            "{c}"
        );
    }
    let base = find("pkg:oci/").expect("the base image");
    assert_eq!(base["name"], base_name.rsplit_once(':').unwrap().0);
    // The subject carries the image's labels.
    let subject = &doc["metadata"]["component"];
    assert_eq!(subject["name"], tag.rsplit_once(':').unwrap().0);
    assert!(
        subject["properties"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["name"] == "nss:label:org.opencontainers.image.title"),
        "{subject}"
    );

    // The same inventory as SPDX 2.3.
    let spdx = nss(&dir, &env, &["sbom", "--image", "test", "--format", "spdx"]);
    assert_eq!(spdx.code, 0, "{} sbom spdx: {}", engine.name(), spdx.stderr);
    if let Some(verdict) = schema_errors(SPDX_2_3, &spdx.stdout) {
        assert_eq!(verdict, "valid", "{}: SPDX: {verdict}", engine.name());
    }
    let sdoc: Value = serde_json::from_str(&spdx.stdout).unwrap();
    assert_eq!(sdoc["spdxVersion"], "SPDX-2.3");
    assert_eq!(
        sdoc["packages"].as_array().unwrap().len(),
        doc["components"].as_array().unwrap().len() + 1,
        "{}: the image and every component",
        engine.name()
    );
    let six_hash = &find("pkg:pypi/six@").unwrap()["hashes"][0]["content"];
    assert!(
        sdoc["packages"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["name"] == "six" && p["checksums"][0]["checksumValue"] == *six_hash),
        "{}: six's locked hash in SPDX",
        engine.name()
    );

    // The same commit built again gives the same document, apart from the timestamp.
    let again = nss(&dir, &env, &["build", "--image", "test"]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    let file = project.path("sbom.json");
    let second = nss(
        &dir,
        &env,
        &[
            "sbom",
            "--image",
            "test",
            "--output",
            &file.display().to_string(),
        ],
    );
    assert_eq!(second.code, 0, "{}", second.stderr);
    let mut a = doc.clone();
    let mut b: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    for d in [&mut a, &mut b] {
        d["metadata"].as_object_mut().unwrap().remove("timestamp");
    }
    if a != b {
        let (a, b) = (
            serde_json::to_string_pretty(&a).unwrap(),
            serde_json::to_string_pretty(&b).unwrap(),
        );
        let diff: Vec<String> = a
            .lines()
            .zip(b.lines())
            .filter(|(x, y)| x != y)
            .take(10)
            .map(|(x, y)| format!("- {x}\n+ {y}"))
            .collect();
        panic!(
            "{}: two SBOMs of one commit differ:\n{}",
            engine.name(),
            diff.join("\n")
        );
    }

    // The size report.
    let out = nss(&dir, &env, &["size", "--image", "test", "--format", "json"]);
    assert_eq!(out.code, 0, "{} size: {}", engine.name(), out.stderr);
    let r: Value = serde_json::from_str(&out.stdout).unwrap();
    let total = r["total"].as_u64().unwrap();
    assert_eq!(total, image_size(engine, &tag), "{}", engine.name());
    let layers = r["layers"].as_array().unwrap();
    let sum: u64 = layers.iter().map(|l| l["size"].as_u64().unwrap()).sum();
    assert_eq!(
        sum + r["metadata"].as_u64().unwrap(),
        total,
        "{}: layers do not add up: {r}",
        engine.name()
    );
    assert_eq!(layers[0]["stage"], "base", "{}: {r}", engine.name());
    assert_eq!(layers.last().unwrap()["stage"], "test");
    assert!(
        layers.iter().any(|l| l["instruction"]
            .as_str()
            .unwrap()
            .contains("uv sync --no-dev --no-editable")),
        "{r}"
    );
    let python_names: Vec<&str> = r["python"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert!(
        python_names.iter().any(|n| n.starts_with("six ")),
        "{python_names:?}"
    );
    assert!(r["python"][0]["size"].as_u64().unwrap() > 0);
    let largest = layers.iter().max_by_key(|l| l["size"].as_u64()).unwrap();
    let text = nss(&dir, &env, &["size", "--image", "test"]);
    assert_eq!(text.code, 0, "{}", text.stderr);
    assert!(
        text.stdout.contains(&format!(
            "largest layer: {}",
            nss_inspect::human(largest["size"].as_u64().unwrap())
        )),
        "{}",
        text.stdout
    );
    let html = nss(&dir, &env, &["size", "--image", "test", "--format", "html"]);
    assert_eq!(html.code, 0, "{}", html.stderr);
    assert!(html.stdout.starts_with("<!doctype html>"));
    assert!(
        html.stdout.matches("class=\"bar\"").count() >= layers.len(),
        "a bar per layer"
    );
    check_renders(
        &html.stdout,
        project.path("size.html").as_path(),
        engine.name(),
    );
}

/// Opens the page in headless Chromium and keeps a screenshot beside it; skips (or fails
/// under CI) when Chromium is not installed.
fn check_renders(html: &str, file: &Path, what: &str) {
    let Ok(chromium) = which::which("chromium") else {
        let _: Option<()> = nss_testkit::skip("chromium", "it is not on PATH");
        return;
    };
    std::fs::write(file, html).unwrap();
    let shot = file.with_extension("png");
    let profile = tempfile::tempdir().unwrap();
    let out = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--window-size=1200,900",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("--screenshot={}", shot.display()))
        .arg(format!("file://{}", file.display()))
        .output()
        .unwrap();
    let png = std::fs::read(&shot).unwrap_or_default();
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 5_000,
        "{what}: no screenshot of the size page: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    if let Ok(keep) = std::env::var("NSS_ARTIFACTS_DIR") {
        let _ = std::fs::create_dir_all(&keep);
        let _ = std::fs::copy(&shot, Path::new(&keep).join(format!("size-{what}.png")));
    }
}

nss_testkit::engine_test!(sbom_and_size_on_a_built_image, sbom_and_size);

/// `nss sbom` and `nss size` on the bundled example's runtime image, built from the shipped
/// `Dockerfile.cuda` with stand-in bases (called by the cargo-make workflow test, which
/// builds it): every locked distribution it installs carries a `uv.lock` hash, the base's
/// dpkg packages and nss-preflight are listed, and the size report accounts for every byte.
pub(crate) fn example_runtime_contents(
    engine: &TestEngine,
    dir: &Path,
    env: &BTreeMap<String, String>,
    tag: &str,
) {
    let name = engine.name();
    let out = nss(dir, env, &["sbom"]);
    assert_eq!(out.code, 0, "{name} sbom: {}", out.stderr);
    if let Some(verdict) = schema_errors(CYCLONEDX_1_5, &out.stdout) {
        assert_eq!(verdict, "valid", "{name}: schema: {verdict}");
    }
    let doc: Value = serde_json::from_str(&out.stdout).unwrap();
    let components = doc["components"].as_array().unwrap();
    let lock = std::fs::read_to_string(dir.join("uv.lock")).unwrap();
    let pypi: Vec<&Value> = components
        .iter()
        .filter(|c| {
            c["purl"]
                .as_str()
                .is_some_and(|p| p.starts_with("pkg:pypi/"))
        })
        .collect();
    let mut locked = 0;
    for c in &pypi {
        if c["name"] == "hello-gpu" {
            assert!(c.get("hashes").is_none(), "{c}");
            continue;
        }
        let hash = c["hashes"][0]["content"]
            .as_str()
            .unwrap_or_else(|| panic!("{name}: no uv.lock hash for {c}"));
        assert!(
            lock.contains(&format!("sha256:{hash}")),
            "{name}: {hash} is not in uv.lock"
        );
        locked += 1;
    }
    assert!(
        locked >= 2,
        "{name}: {locked} locked distributions in {pypi:?}"
    );
    assert!(
        components.iter().any(|c| c["purl"]
            .as_str()
            .is_some_and(|p| p.starts_with("pkg:deb/debian/libc6@"))),
        "{name}: no dpkg packages of the base"
    );
    let preflight = components
        .iter()
        .find(|c| c["name"] == "nss-preflight")
        .unwrap_or_else(|| panic!("{name}: no nss-preflight"));
    assert_eq!(preflight["hashes"][0]["alg"], "SHA-256");

    let out = nss(dir, env, &["size", "--format", "json"]);
    assert_eq!(out.code, 0, "{name} size: {}", out.stderr);
    let r: Value = serde_json::from_str(&out.stdout).unwrap();
    let total = r["total"].as_u64().unwrap();
    assert_eq!(total, image_size(engine, tag), "{name}");
    let layers = r["layers"].as_array().unwrap();
    let sum: u64 = layers.iter().map(|l| l["size"].as_u64().unwrap()).sum();
    assert_eq!(sum + r["metadata"].as_u64().unwrap(), total, "{name}: {r}");
    assert_eq!(layers[0]["stage"], "base", "{name}: {r}");
    let largest = layers.iter().max_by_key(|l| l["size"].as_u64()).unwrap();
    let instruction = largest["instruction"].as_str().unwrap();
    assert!(!instruction.is_empty(), "{name}: {r}");
    let text = nss(dir, env, &["size"]);
    assert_eq!(text.code, 0, "{}", text.stderr);
    assert!(text.stdout.contains("largest layer:"), "{}", text.stdout);
    println!(
        "[{name}] example runtime image: {} components ({} Python, {locked} with uv.lock hashes), {} bytes in {} layers (+{} metadata); largest layer {} bytes ({}): {instruction}",
        components.len(),
        pypi.len(),
        total,
        layers.len(),
        r["metadata"],
        largest["size"],
        largest["stage"],
    );
    println!("{}", text.stdout);
}
