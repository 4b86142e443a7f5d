//! Real-world-shaped Dockerfiles of GPU and uv projects (written for these tests):
//! `nss lint`, `nss check` and `nss sync` read every one; sync touches only ARG
//! lines, and a second sync changes nothing.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use nss_dockerfile::Dockerfile;

use crate::util::{TempProject, base_env, fixture, nss};

fn fixtures() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(fixture("dockerfiles"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(files.len() >= 5, "{files:?}");
    files
}

fn env_for(dir: &Path) -> BTreeMap<String, String> {
    let mut env = base_env();
    env.insert("NSS_PROJECT_DIR".into(), dir.display().to_string());
    env
}

/// 1-based lines that belong to an ARG instruction.
fn arg_lines(text: &str) -> Vec<usize> {
    Dockerfile::parse(text)
        .unwrap()
        .instructions
        .iter()
        .filter(|i| i.is("ARG"))
        .flat_map(|i| i.line..=i.end_line)
        .collect()
}

#[test]
fn lint_check_and_sync_read_real_world_dockerfiles() {
    for file in fixtures() {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        let project = TempProject::new("probe", None);
        let dir = project.dir();
        let target = if name.starts_with("cpu-") {
            "containers/Dockerfile.test_ci"
        } else {
            "containers/Dockerfile.cuda"
        };
        let original = std::fs::read_to_string(&file).unwrap();
        std::fs::write(dir.join(target), &original).unwrap();
        let env = env_for(&dir);

        let lint = nss(&dir, &env, &["lint", target]);
        assert!(matches!(lint.code, 0 | 1), "{name}: lint {lint:?}");
        let check = nss(&dir, &env, &["check"]);
        assert!(matches!(check.code, 0 | 1), "{name}: check {check:?}");
        assert!(
            check
                .stdout
                .lines()
                .any(|l| l.starts_with(target) && l.contains(": ARG ")),
            "{name}: the fixture's ARG defaults differ from the probe's spec: {}",
            check.stdout
        );

        let sync = nss(&dir, &env, &["sync"]);
        assert_eq!(sync.code, 0, "{name}: sync {sync:?}");
        let synced = std::fs::read_to_string(dir.join(target)).unwrap();
        assert_ne!(synced, original, "{name}: sync changed nothing");
        let args = arg_lines(&original);
        let (before, after): (Vec<&str>, Vec<&str>) =
            (original.split('\n').collect(), synced.split('\n').collect());
        assert_eq!(before.len(), after.len(), "{name}: line count");
        for (i, (b, a)) in before.iter().zip(&after).enumerate() {
            assert!(
                b == a || args.contains(&(i + 1)),
                "{name}:{}: sync changed a line that is not an ARG: {b:?} -> {a:?}",
                i + 1
            );
        }

        let again = nss(&dir, &env, &["check"]);
        assert!(
            !again
                .stdout
                .lines()
                .any(|l| l.starts_with(target) && l.contains(": ARG ")),
            "{name}: ARG drift after sync: {}",
            again.stdout
        );
        let second = nss(&dir, &env, &["sync"]);
        assert_eq!(second.code, 0, "{name}: {second:?}");
        assert_eq!(
            std::fs::read_to_string(dir.join(target)).unwrap(),
            synced,
            "{name}: a second sync changed the file"
        );
    }
}

/// `nss lint --format json|sarif`: machine-readable findings, same exit codes.
#[test]
fn lint_formats_for_tools() {
    let file = fixture("dockerfiles").join("cpu-test-ci.Dockerfile");
    let path = file.display().to_string();
    let dir = file.parent().unwrap();
    let env = env_for(dir);
    let text = nss(dir, &env, &["lint", &path]);
    assert_eq!(text.code, 1, "{text:?}");
    let lines = text.stdout.lines().count();

    let json = nss(dir, &env, &["lint", "--format", "json", &path]);
    assert_eq!(json.code, 1, "{json:?}");
    let rows: Vec<serde_json::Value> = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(rows.len(), lines);
    assert!(rows[0]["rule"].as_str().unwrap().starts_with("NSS"));
    assert!(
        rows[0]["help"]
            .as_str()
            .unwrap()
            .starts_with("docs/developer-guide.md#nss")
    );

    let sarif = nss(dir, &env, &["lint", "--format", "sarif", &path]);
    assert_eq!(sarif.code, 1, "{sarif:?}");
    let log: serde_json::Value = serde_json::from_str(&sarif.stdout).unwrap();
    assert_eq!(log["version"], "2.1.0");
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), lines);
    assert_eq!(results[0]["ruleId"], rows[0]["rule"]);
    assert_eq!(
        results[0]["locations"][0]["physicalLocation"]["region"]["startLine"],
        rows[0]["line"]
    );

    let bad = nss(dir, &env, &["lint", "--format", "xml", &path]);
    assert_eq!(bad.code, 2, "{bad:?}");
}
