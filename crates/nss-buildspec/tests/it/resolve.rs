//! Resolution tables: each case edits a small project and checks the resolved spec, its
//! sources, or the one-line error, through the public API.

use std::path::Path;

use nss_buildspec::*;

/// A small valid project; cases edit it by string replacement.
const BASE: &str = r#"[project]
name = "demo"
requires-python = ">=3.11"

[project.optional-dependencies]
cpu = ["torch==2.9.1+cpu; sys_platform == 'linux'"]
cu128 = ["torch==2.9.1+cu128; sys_platform == 'linux'"]
web = ["fastapi>=0.100"]

[project.scripts]
demo = "demo:main"

[tool.uv]
required-version = ">=0.9.14, <0.11"
"#;

/// One resolution input: edits of [`BASE`], TOML appended to it,
/// `.python-version`, `NAME=value` overrides, env and platform.
#[derive(Default, Clone, Copy)]
struct Case<'a> {
    edit: &'a [(&'a str, &'a str)],
    append: &'a str,
    python_version: Option<&'a str>,
    overrides: &'a [(&'a str, &'a str)],
    env: &'a [(&'a str, &'a str)],
    platform: Option<&'a str>,
}

fn run(case: Case<'_>) -> Result<BuildSpec> {
    let mut text = BASE.to_owned();
    for (from, to) in case.edit {
        assert!(text.contains(from), "edit target {from:?} not in BASE");
        text = text.replace(from, to);
    }
    text.push_str(case.append);
    let project = Project::from_parts(Path::new("p"), &text, case.python_version)?;
    let pairs = |p: &[(&str, &str)]| {
        p.iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    };
    let inputs = Inputs {
        overrides: pairs(case.overrides),
        env: pairs(case.env),
        platform: case.platform.map(str::to_owned),
    };
    resolve(&project, &inputs)
}

fn c() -> Case<'static> {
    Case::default()
}

#[test]
fn base_project() {
    let spec = run(c()).unwrap();
    assert_eq!(spec.cuda_version.value, "12.8.1");
    assert_eq!(
        spec.python_version.value, "3.11.14",
        "lowest minor of >=3.11, newest patch uv 0.9.14 installs"
    );
    assert_eq!(spec.uv_version.value, "0.9.14");
    assert_eq!(spec.gpu_extras.value, ["cu128", "web"]);
    assert_eq!(spec.cpu_extras.value, ["cpu", "web"]);
    assert_eq!(spec.app.value, "demo");
    assert_eq!(
        spec.cuda_arch_flags.source,
        Source::Derived {
            rule: "default platform linux/amd64".into()
        }
    );
}

/// Derived values: (case, what to read, expected value).
#[test]
fn derivations() {
    type Get = fn(&BuildSpec) -> String;
    let cuda: Get = |s| s.cuda_version.value.clone();
    let python: Get = |s| s.python_version.value.clone();
    let gpu: Get = |s| s.gpu_extras.value.join(" ");
    let cpu: Get = |s| s.cpu_extras.value.join(" ");
    let arch: Get = |s| s.cuda_arch_flags.value.clone();
    let app: Get = |s| s.app.value.clone();
    let ubuntu: Get = |s| s.ubuntu_version.value.clone();
    let no_cuda_extras: &[(&str, &str)] = &[
        (
            "cpu = [\"torch==2.9.1+cpu; sys_platform == 'linux'\"]\n",
            "",
        ),
        (
            "cu128 = [\"torch==2.9.1+cu128; sys_platform == 'linux'\"]\n",
            "",
        ),
    ];
    let cases: Vec<(&str, Case<'_>, Get, &str)> = vec![
        // CUDA from the index torch uses: its name...
        (
            "index name",
            Case {
                edit: no_cuda_extras,
                append: "[tool.uv.sources]\ntorch = { index = \"pytorch-cu126\" }\n[[tool.uv.index]]\nname = \"pytorch-cu126\"\nurl = \"https://download.pytorch.org/whl/cu126\"\n",
                ..c()
            },
            cuda,
            "12.6.3",
        ),
        // ...or its URL, with sources as an array of tables.
        (
            "index url",
            Case {
                edit: no_cuda_extras,
                append: "[tool.uv.sources]\ntorch = [{ index = \"gpu\", extra = \"x\" }]\n[[tool.uv.index]]\nname = \"gpu\"\nurl = \"https://download.pytorch.org/whl/cu129\"\n",
                ..c()
            },
            cuda,
            "12.9.1",
        ),
        // A +cuXYZ torch pin in an extra with another name.
        (
            "torch pin",
            Case {
                edit: &[(
                    "cu128 = [\"torch==2.9.1+cu128",
                    "gpu = [\"torch==2.9.1+cu130",
                )],
                ..c()
            },
            cuda,
            "13.0.3",
        ),
        (
            "torch pin extra is the gpu extra",
            Case {
                edit: &[(
                    "cu128 = [\"torch==2.9.1+cu128",
                    "gpu = [\"torch==2.9.1+cu130",
                )],
                ..c()
            },
            gpu,
            "gpu web",
        ),
        // No accelerator at all: default CUDA, plain extras.
        (
            "no accelerator",
            Case {
                edit: no_cuda_extras,
                ..c()
            },
            cuda,
            "12.8.1",
        ),
        (
            "no accelerator gpu extras",
            Case {
                edit: no_cuda_extras,
                ..c()
            },
            gpu,
            "web",
        ),
        (
            "no accelerator cpu extras",
            Case {
                edit: no_cuda_extras,
                ..c()
            },
            cpu,
            "web",
        ),
        // Python from .python-version (X.Y and X.Y.Z), requires-python, uv.
        (
            "pv X.Y",
            Case {
                python_version: Some("3.12\n"),
                ..c()
            },
            python,
            "3.12.12",
        ),
        (
            "pv X.Y.Z",
            Case {
                python_version: Some("3.11.9"),
                ..c()
            },
            python,
            "3.11.9",
        ),
        // Keys other crates read are accepted (and not interpreted here).
        (
            "secrets and labels keys",
            Case {
                append: "[tool.nss]\nsecrets = [\"HF_TOKEN\"]\n[tool.nss.labels]\n\"org.example.team\" = \"x\"\n",
                ..c()
            },
            app,
            "demo",
        ),
        // A released patch older than the newest is kept as given.
        (
            "explicit older patch",
            Case {
                overrides: &[("PYTHON_VERSION", "3.11.9")],
                ..c()
            },
            python,
            "3.11.9",
        ),
        (
            "newer uv installs newer patch",
            Case {
                python_version: Some("3.12"),
                edit: &[(">=0.9.14, <0.11", ">=0.10.8")],
                ..c()
            },
            python,
            "3.12.13",
        ),
        (
            "requires-python lowest minor",
            Case {
                edit: &[(">=3.11", ">=3.12.1, <3.14")],
                ..c()
            },
            python,
            "3.12.12",
        ),
        (
            "no requires-python: default minor",
            Case {
                edit: &[("requires-python = \">=3.11\"\n", "")],
                ..c()
            },
            python,
            "3.12.12",
        ),
        (
            "[tool.nss] python-version",
            Case {
                append: "[tool.nss]\npython-version = \"3.13\"\n",
                python_version: Some("3.11"),
                ..c()
            },
            python,
            "3.13.9",
        ),
        // Platform.
        (
            "arm64",
            Case {
                platform: Some("linux/arm64"),
                ..c()
            },
            arch,
            "90;90a;120;120a",
        ),
        // Explicit values.
        (
            "gpu-extras table",
            Case {
                append: "[tool.nss]\ngpu-extras = [\"cu128\"]\n",
                ..c()
            },
            gpu,
            "cu128",
        ),
        (
            "gpu-extras env, commas",
            Case {
                env: &[("NSS_GPU_EXTRAS", "cu128,web")],
                ..c()
            },
            gpu,
            "cu128 web",
        ),
        (
            "cpu-extras override",
            Case {
                overrides: &[("CPU_EXTRAS", "cpu")],
                ..c()
            },
            cpu,
            "cpu",
        ),
        (
            "ubuntu 24.04",
            Case {
                overrides: &[("UBUNTU_VERSION", "24.04")],
                ..c()
            },
            ubuntu,
            "24.04",
        ),
        (
            "empty override is unset",
            Case {
                overrides: &[("UBUNTU_VERSION", " ")],
                ..c()
            },
            ubuntu,
            "22.04",
        ),
        (
            "app from tool.nss inline table",
            Case {
                append: "[tool]\nnss = { app = \"other\" }\n",
                ..c()
            },
            app,
            "other",
        ),
        (
            "no scripts: python",
            Case {
                edit: &[("[project.scripts]\ndemo = \"demo:main\"\n", "")],
                ..c()
            },
            app,
            "python",
        ),
        // Several CUDA extras, a choice picks the matching one.
        (
            "choice picks extra",
            Case {
                edit: &[("web = ", "cu126 = [\"torch==2.9.1+cu126\"]\nweb = ")],
                append: "[tool.nss]\ncuda-version = \"12.6\"\n",
                ..c()
            },
            gpu,
            "cu126 web",
        ),
    ];
    for (name, case, get, want) in cases {
        match run(case) {
            Ok(spec) => assert_eq!(get(&spec), want, "{name}"),
            Err(e) => panic!("{name}: {e}"),
        }
    }
}

/// Each error: (case, a fragment of the one-line message).
#[test]
fn errors() {
    let two_cuda: &[(&str, &str)] = &[("web = ", "cu126 = [\"torch==2.9.1+cu126\"]\nweb = ")];
    let cases: Vec<(Case<'_>, &str)> = vec![
        // UV_VERSION.
        (
            Case {
                edit: &[("required-version = \">=0.9.14, <0.11\"\n", "")],
                ..c()
            },
            "p/pyproject.toml: [tool.uv] required-version is missing; set [tool.uv] required-version to a range with an inclusive lower bound such as \">=0.9.14\", or pass UV_VERSION=x.y.z",
        ),
        (
            Case {
                edit: &[("\">=0.9.14, <0.11\"", "14")],
                ..c()
            },
            "[tool.uv] required-version must be a string, found an integer; set",
        ),
        (
            Case {
                edit: &[(">=0.9.14, <0.11", ">0.5")],
                ..c()
            },
            "[tool.uv] required-version \">0.5\" has no inclusive lower bound; set",
        ),
        (
            Case {
                edit: &[(">=0.9.14, <0.11", "<0.11")],
                ..c()
            },
            "has no inclusive lower bound",
        ),
        (
            Case {
                edit: &[(">=0.9.14, <0.11", "==0.9.*")],
                ..c()
            },
            "has no inclusive lower bound",
        ),
        (
            Case {
                edit: &[(">=0.9.14, <0.11", ">=1.0, <0.5")],
                ..c()
            },
            "unsatisfiable at its inclusive lower bound 1.0: <0.5 excludes it",
        ),
        (
            Case {
                overrides: &[("UV_VERSION", "0.8.0")],
                ..c()
            },
            "UV_VERSION=0.8.0 from command line (UV_VERSION=...) is outside [tool.uv] required-version",
        ),
        (
            Case {
                env: &[("NSS_UV_VERSION", "latest")],
                ..c()
            },
            "UV_VERSION=\"latest\" from environment (NSS_UV_VERSION): is not a version",
        ),
        (
            Case {
                overrides: &[("UV_VERSION", "0.9.15rc1")],
                ..c()
            },
            "is a pre-release",
        ),
        // PYTHON_VERSION.
        (
            Case {
                python_version: Some("3.10"),
                ..c()
            },
            "python 3.10.19 from p/.python-version is outside [project] requires-python \">=3.11\" in p/pyproject.toml",
        ),
        (
            Case {
                python_version: Some("3.8"),
                ..c()
            },
            "p/.python-version: version \"3.8\" is not a CPython minor uv can install",
        ),
        (
            Case {
                python_version: Some("pypy@3.10"),
                ..c()
            },
            "version \"pypy@3.10\" is not X.Y or X.Y.Z",
        ),
        (
            Case {
                python_version: Some("\n"),
                ..c()
            },
            "p/.python-version: first line is missing (the file is empty)",
        ),
        (
            Case {
                overrides: &[("PYTHON_VERSION", "3.15.0")],
                ..c()
            },
            "PYTHON_VERSION=\"3.15.0\" from command line (PYTHON_VERSION=...): is not a CPython minor uv can install (known: 3.9, 3.10, 3.11, 3.12, 3.13, 3.14)",
        ),
        (
            Case {
                edit: &[("\">=3.11\"", "3")],
                ..c()
            },
            "[project] requires-python must be a string, found an integer",
        ),
        (
            Case {
                edit: &[(">=3.11", "<3.9")],
                ..c()
            },
            "requires-python \"<3.9\" allows none of the CPython minors",
        ),
        (
            Case {
                edit: &[(">=3.11", ">=3.x")],
                ..c()
            },
            "[project] requires-python \">=3.x\" is not a PEP 440 specifier set",
        ),
        // CUDA_VERSION.
        (
            Case {
                edit: two_cuda,
                ..c()
            },
            "p/pyproject.toml names several CUDA versions: 12.6 (torch pin \"torch==2.9.1+cu126\", extra cu126); 12.8 (torch pin \"torch==2.9.1+cu128; sys_platform == 'linux'\", extra cu128); choose one with [tool.nss] cuda-version",
        ),
        (
            Case {
                edit: two_cuda,
                overrides: &[("CUDA_VERSION", "12.9")],
                ..c()
            },
            "CUDA_VERSION=12.9.1 from command line (CUDA_VERSION=...) matches none of the CUDA extras cu128, cu126",
        ),
        (
            Case {
                overrides: &[("CUDA_VERSION", "12.7")],
                ..c()
            },
            "CUDA_VERSION=\"12.7\" from command line (CUDA_VERSION=...): has no nvidia/cuda release in the table",
        ),
        (
            Case {
                overrides: &[("CUDA_VERSION", "12.8.7")],
                ..c()
            },
            "is not an nvidia/cuda release in the table",
        ),
        (
            Case {
                env: &[("NSS_CUDA_VERSION", "twelve")],
                ..c()
            },
            "is not X.Y or X.Y.Z",
        ),
        // The image combination.
        (
            Case {
                overrides: &[("CUDA_VERSION", "13.0"), ("UBUNTU_VERSION", "20.04")],
                ..c()
            },
            "nvidia/cuda publishes no 13.0.3-runtime-ubuntu20.04 (CUDA_VERSION from command line (CUDA_VERSION=...), UBUNTU_VERSION from command line (UBUNTU_VERSION=...), CUDA_IMAGE_TYPE from built-in default); nvidia/cuda publishes 13.0.3 for ubuntu 22.04, 24.04",
        ),
        (
            Case {
                overrides: &[("UBUNTU_VERSION", "jammy")],
                ..c()
            },
            "UBUNTU_VERSION=\"jammy\" from command line (UBUNTU_VERSION=...): is not an Ubuntu release number; use YY.MM",
        ),
        (
            Case {
                append: "[tool.nss]\ncuda-image-type = \"base\"\n",
                ..c()
            },
            "CUDA_IMAGE_TYPE=\"base\" from p/pyproject.toml [tool.nss] cuda-image-type: is not an image type; use runtime or devel",
        ),
        // CUDA_ARCH_FLAGS.
        (
            Case {
                overrides: &[("CUDA_ARCH_FLAGS", "80,86")],
                ..c()
            },
            "has \"80,86\", which is not an SM number",
        ),
        (
            Case {
                overrides: &[("CUDA_ARCH_FLAGS", "90;;100")],
                ..c()
            },
            "has \"\", which is not an SM number",
        ),
        (
            Case {
                overrides: &[("CUDA_VERSION", "12.6")],
                platform: Some("linux/arm64"),
                ..c()
            },
            "SM 120 (Blackwell) needs CUDA 12.8 or newer",
        ),
        (
            Case {
                overrides: &[("CUDA_VERSION", "13.0"), ("CUDA_ARCH_FLAGS", "70;80")],
                ..c()
            },
            "CUDA 13 dropped SM 70",
        ),
        (
            Case {
                platform: Some("linux/riscv64"),
                ..c()
            },
            "platform=\"linux/riscv64\" from the target platform: is not a supported platform; use one of: linux/amd64, linux/arm64",
        ),
        // [tool.nss].
        (
            Case {
                append: "[tool.nss]\ncuda_version = \"12.8\"\n",
                ..c()
            },
            "[tool.nss] cuda_version is not a key nss knows; use one of: cuda-version,",
        ),
        (
            Case {
                append: "[tool.nss]\ncuda-version = 12.8\n",
                ..c()
            },
            "[tool.nss] cuda-version must be a string, found a float; write it as a string, e.g. cuda-version = \"12.8\"",
        ),
        (
            Case {
                append: "[tool.nss]\ngpu-extras = [\"cu128\", 1]\n",
                ..c()
            },
            "[tool.nss] gpu-extras must be an array of strings",
        ),
        (
            Case {
                append: "[tool.nss]\ngpu-extras = \"cu128 nope\"\n",
                ..c()
            },
            "names \"nope\", which [project.optional-dependencies] does not define; use extras the project defines: cpu, cu128, web",
        ),
        (
            Case {
                append: "[tool]\nnss = \"x\"\n",
                ..c()
            },
            "[tool.nss] must be a table, found a string",
        ),
        // APP.
        (
            Case {
                edit: &[("demo = \"demo:main\"", "a = \"m:a\"\nb = \"m:b\"")],
                ..c()
            },
            "[project.scripts] has several console scripts (a, b); choose one with [tool.nss] app = \"a\"",
        ),
        (
            Case {
                overrides: &[("APP", "two words")],
                ..c()
            },
            "APP=\"two words\" from command line (APP=...): contains ' '; a console script name has only",
        ),
        (
            Case {
                append: "[tool.nss]\napp = \"--help\"\n",
                ..c()
            },
            "does not start with a letter, digit or '_'",
        ),
        (
            Case {
                append: "[tool.nss]\napp = \"../x\"\n",
                ..c()
            },
            "does not start with a letter, digit or '_'",
        ),
        (
            Case {
                append: "[tool.nss]\napp = \"\"\n",
                ..c()
            },
            "[tool.nss] app",
        ),
        (
            Case {
                edit: &[("demo = \"demo:main\"", "\"a b;$(id)\" = \"m:a\"")],
                ..c()
            },
            "[project.scripts] key \"a b;$(id)\" contains ' '",
        ),
        (
            Case {
                overrides: &[("PYTHON_VERSION", "3.11.99")],
                ..c()
            },
            "is not a CPython release in the version table (newest 3.11 patch there: 3.11.",
        ),
        (
            Case {
                append: "[tool.nss]\ngpu-extras = []\n",
                ..c()
            },
            "names no extra",
        ),
        (
            Case {
                append: "[tool.nss]\ngpu-extras = [\"web\", \"web\"]\n",
                ..c()
            },
            "names \"web\" twice",
        ),
        (
            Case {
                append: "[tool.nss]\nsecrets = \"X\"\n",
                ..c()
            },
            "[tool.nss] secrets must be an array of strings, found a string",
        ),
        (
            Case {
                append: "[tool.nss]\nsecrets = [5]\n",
                ..c()
            },
            "[tool.nss] secrets must be an array of strings",
        ),
        (
            Case {
                append: "[tool.nss]\nsecrets = [\"-e X\"]\n",
                ..c()
            },
            "[tool.nss] secrets has \"-e X\", which is not an environment-variable name",
        ),
        // Extras.
        (
            Case {
                edit: &[("\"fastapi>=0.100\"", "\"torch>=\"")],
                ..c()
            },
            "[project.optional-dependencies] web has \"torch>=\", which is not a PEP 508 requirement",
        ),
        (
            Case {
                edit: &[("web = [\"fastapi>=0.100\"]", "web = \"fastapi\"")],
                ..c()
            },
            "[project.optional-dependencies] web must be an array of requirement strings, found a string",
        ),
    ];
    let mut failures = Vec::new();
    for (case, fragment) in cases {
        match run(case) {
            Ok(spec) => failures.push(format!(
                "want error {fragment:?}, got a spec:\n{}",
                spec.explain()
            )),
            Err(e) => {
                let err = e.to_string();
                if !err.contains(fragment) || err.contains('\n') {
                    failures.push(format!("want: {fragment}\n  got:  {err}"));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
