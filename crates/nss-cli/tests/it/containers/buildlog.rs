//! Reading which steps of a build the engine reused from its layer cache, from its own
//! output: BuildKit `--progress=plain` (`#N CACHED`) and podman (`--> Using cache`);
//! checked here on real excerpts (no engine needed).

use std::time::Duration;

/// One instruction of a build, as the engine reported it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BuildStep {
    /// The stage name (`deps`, `runtime`, ...).
    pub(crate) stage: String,
    /// The instruction text (`RUN ...`, `COPY ...`).
    pub(crate) text: String,
    /// Whether the engine reused a cached layer for it.
    pub(crate) cached: bool,
}

/// BuildKit `--progress=plain`: `#N [stage i/n] TEXT` introduces step N, `#N CACHED`
/// marks it reused. `FROM` and `[internal]` steps are not instructions that build.
pub(crate) fn parse_buildkit(log: &str) -> Vec<BuildStep> {
    let mut steps: Vec<(String, BuildStep)> = Vec::new();
    for line in log.lines() {
        let Some(rest) = line.strip_prefix('#') else {
            continue;
        };
        let Some((id, rest)) = rest.split_once(' ') else {
            continue;
        };
        if !id.chars().all(|c| c.is_ascii_digit()) {
            continue;
        }
        if rest.trim() == "CACHED" {
            if let Some((_, s)) = steps.iter_mut().find(|(i, _)| i == id) {
                s.cached = true;
            }
            continue;
        }
        let Some(rest) = rest.strip_prefix('[') else {
            continue;
        };
        let Some((head, text)) = rest.split_once("] ") else {
            continue;
        };
        let Some((stage, _)) = head.split_once(' ') else {
            continue;
        };
        if stage == "internal" || text.starts_with("FROM ") || steps.iter().any(|(i, _)| i == id) {
            continue;
        }
        steps.push((
            id.to_string(),
            BuildStep {
                stage: stage.to_string(),
                text: text.to_string(),
                cached: false,
            },
        ));
    }
    steps.into_iter().map(|(_, s)| s).collect()
}

/// podman (buildah): `[k/n] STEP i/m: TEXT`; the first `-->` line after it is
/// `--> Using cache ID` when the layer was reused (then a `--> ID` line follows), else
/// `--> ID`. The stage name comes from the stage's `FROM ... AS name` step.
///
/// buildah builds a stage that a `COPY --from=stage` needs when it reaches that step, so
/// the other stage's steps come between the `COPY` and its `-->` line: open steps form a
/// stack, and a `-->` line closes the innermost one.
pub(crate) fn parse_podman(log: &str) -> Vec<BuildStep> {
    /// An open step: its stage index and, unless it is a `FROM`, its place in `steps`.
    struct Open {
        stage: String,
        step: Option<usize>,
    }
    let mut steps: Vec<BuildStep> = Vec::new();
    let mut names: std::collections::HashMap<String, String> = Default::default();
    let mut open: Vec<Open> = Vec::new();
    let mut skip_id_line = false; // the `--> ID` line after `--> Using cache ID`
    for line in log.lines() {
        // `[k/n] STEP i/m: TEXT` (multi-stage) or `STEP i/m: TEXT`; RUN output never
        // starts that way.
        let (index, bare) = match line.strip_prefix('[').and_then(|r| r.split_once("] ")) {
            Some((k, r)) => (k.split('/').next().unwrap_or("").to_string(), r),
            None => (String::new(), line),
        };
        if bare.starts_with("STEP ") {
            let Some((_, text)) = bare.split_once(": ") else {
                continue;
            };
            skip_id_line = false;
            // A step of the same stage replaces that stage's open FROM.
            if open.last().is_some_and(|o| o.stage == index) {
                open.pop();
            }
            if let Some(from) = text.strip_prefix("FROM ") {
                let name = match from.to_ascii_lowercase().rfind(" as ") {
                    Some(i) => from[i + 4..].trim().to_string(),
                    None => String::new(),
                };
                names.insert(index.clone(), name);
                open.push(Open {
                    stage: index,
                    step: None,
                });
                continue;
            }
            steps.push(BuildStep {
                stage: names.get(&index).cloned().unwrap_or_default(),
                text: text.to_string(),
                cached: false,
            });
            open.push(Open {
                stage: index,
                step: Some(steps.len() - 1),
            });
        } else if line.starts_with("-->") {
            let cached = line.starts_with("--> Using cache");
            if !cached && std::mem::take(&mut skip_id_line) {
                continue;
            }
            if let Some(o) = open.pop() {
                if let Some(i) = o.step {
                    steps[i].cached = cached;
                }
                skip_id_line = cached;
            }
        }
    }
    steps
}

/// The result of one build: its steps, how long it took.
#[derive(Debug)]
pub(crate) struct Build {
    pub(crate) steps: Vec<BuildStep>,
    pub(crate) took: Duration,
}

impl Build {
    /// The one step of `stage` whose text contains `needle`.
    pub(crate) fn step(&self, stage: &str, needle: &str) -> &BuildStep {
        let found: Vec<&BuildStep> = self
            .steps
            .iter()
            .filter(|s| s.stage == stage && s.text.contains(needle))
            .collect();
        assert_eq!(
            found.len(),
            1,
            "expected one `{needle}` step in stage {stage}, got {found:#?}\nall steps: {:#?}",
            self.steps
        );
        found[0]
    }

    /// Every step of `stage` before the one containing `needle`.
    pub(crate) fn before(&self, stage: &str, needle: &str) -> Vec<&BuildStep> {
        self.steps
            .iter()
            .filter(|s| s.stage == stage)
            .take_while(|s| !s.text.contains(needle))
            .collect()
    }

    pub(crate) fn cached_count(&self) -> usize {
        self.steps.iter().filter(|s| s.cached).count()
    }

    pub(crate) fn summary(&self) -> String {
        format!(
            "{:.2} s, {} of {} steps cached",
            self.took.as_secs_f64(),
            self.cached_count(),
            self.steps.len()
        )
    }
}

/// (stage, text, cached) of each step, for comparing with a table.
fn triples(steps: &[BuildStep]) -> Vec<(&str, &str, bool)> {
    steps
        .iter()
        .map(|s| (s.stage.as_str(), s.text.as_str(), s.cached))
        .collect()
}

#[test]
fn parses_buildkit_plain_progress() {
    // Excerpt of docker 20.10 `build --progress=plain` output.
    let log = "\
#1 [internal] load build definition from Dockerfile
#6 [runtime 1/6] FROM localhost/nss-debian-python:bookworm
#14 [deps 4/7] COPY pyproject.toml uv.lock ./
#14 CACHED
#15 [deps 5/7] RUN --mount=type=cache,target=/root/.cache/uv uv sync --no-install-project
#15 0.328 Creating virtual environment at: /opt/venv
#16 [deps 6/7] COPY . .
#16 DONE 0.0s
#15 DONE 0.5s
#18 [runtime 4/6] COPY --from=deps /opt/venv /opt/venv
#18 CACHED
";
    assert_eq!(
        triples(&parse_buildkit(log)),
        [
            ("deps", "COPY pyproject.toml uv.lock ./", true),
            (
                "deps",
                "RUN --mount=type=cache,target=/root/.cache/uv uv sync --no-install-project",
                false
            ),
            ("deps", "COPY . .", false),
            ("runtime", "COPY --from=deps /opt/venv /opt/venv", true),
        ]
    );
}

#[test]
fn parses_podman_steps_with_a_stage_built_inside_another() {
    // podman 4.3 builds `project` when runtime's `COPY --from=project` needs it.
    let log = "\
[4/6] STEP 1/3: FROM localhost/base AS deps
[4/6] STEP 2/3: COPY a b
--> Using cache 1111111111111111111111111111111111111111111111111111111111111111
--> 1111111111
[4/6] STEP 3/3: RUN x
--> Using cache 2222222222222222222222222222222222222222222222222222222222222222
--> 2222222222
[6/6] STEP 1/3: FROM localhost/base AS runtime
[6/6] STEP 2/3: COPY --from=project /opt/nss-project/ /
[5/6] STEP 1/2: FROM deps AS project
[5/6] STEP 2/2: RUN uv sync --no-editable
Resolved 3 packages
--> 3333333333
--> Using cache 4444444444444444444444444444444444444444444444444444444444444444
--> 4444444444
[6/6] STEP 3/3: CMD [\"--help\"]
--> 5555555555
[6/6] COMMIT localhost/x:latest
";
    assert_eq!(
        triples(&parse_podman(log)),
        [
            ("deps", "COPY a b", true),
            ("deps", "RUN x", true),
            ("runtime", "COPY --from=project /opt/nss-project/ /", true),
            ("project", "RUN uv sync --no-editable", false),
            ("runtime", "CMD [\"--help\"]", false),
        ]
    );
}

#[test]
fn parses_podman_steps() {
    // Excerpt of podman 4.3 `build` output.
    let log = "\
[1/5] STEP 1/1: FROM ghcr.io/astral-sh/uv:0.9.14 AS uv
--> f9125eb229b
[4/5] STEP 1/9: FROM localhost/nss-debian-python:bookworm AS deps
[4/5] STEP 2/9: COPY --from=uv /uv /uvx /usr/local/bin/
--> Using cache f76317ba2d027091afed29ee10de51d2c530630a8579bb5e5ad8aa53324b2d18
--> f76317ba2d0
[4/5] STEP 3/9: RUN uv sync --no-install-project
Creating virtual environment at: /opt/venv
 + six==1.17.0
--> 97e85e637f4
[5/5] STEP 1/12: FROM localhost/nss-debian-python:bookworm AS runtime
[5/5] STEP 12/12: CMD [\"--help\"]
--> Using cache bd5707edf3f8d876526b6385614f487274ccf4a3ace1b47c0c6560588879e10c
[5/5] COMMIT localhost/nss-test-mini:latest
";
    assert_eq!(
        triples(&parse_podman(log)),
        [
            ("deps", "COPY --from=uv /uv /uvx /usr/local/bin/", true),
            ("deps", "RUN uv sync --no-install-project", false),
            ("runtime", "CMD [\"--help\"]", true),
        ]
    );
}
