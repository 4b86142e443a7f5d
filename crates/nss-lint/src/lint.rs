//! The checks: read with `nss-dockerfile`, build a small per-stage model,
//! run each rule, then apply suppressions.

use std::collections::HashMap;
use std::path::Path;

use nss_dockerfile::{Dockerfile, Form, Instruction, expand};

use crate::error::Error;
use crate::finding::Finding;
use crate::rules::{
    APT_CACHE, APT_NO_INSTALL_RECOMMENDS, DEPS_BEFORE_SOURCE, INIT_PROCESS, JSON_FORM, MULTI_STAGE,
    NON_ROOT_USER, PACKAGE_CACHE_MOUNT, PINNED_BASE_IMAGE, Rule, UV_LINK_MODE,
};
use crate::shell::{self, SimpleCommand};
use crate::suppress;

/// The variable uv reads its link mode from (`copy` for [`UV_LINK_MODE`]), as a Dockerfile
/// sets it (`ENV`, `ARG`, `export`, an inline assignment).
const UV_LINK_MODE_VAR: &str = "UV_LINK_MODE";

/// Programs accepted as PID 1 init for [`INIT_PROCESS`].
pub const INIT_PROGRAMS: &[&str] = &[
    "tini",
    "tini-static",
    "dumb-init",
    "catatonit",
    "docker-init",
    "s6-svscan",
];

/// Lints Dockerfile text. Findings are sorted by line, then rule id.
///
/// # Errors
///
/// [`Error::Parse`] (naming `Dockerfile` and the line) when the text is not a
/// Dockerfile the parser accepts.
pub fn lint(text: &str) -> Result<Vec<Finding>, Error> {
    lint_named(text, Path::new("Dockerfile"))
}

/// Reads and lints the Dockerfile at `path`.
///
/// # Errors
///
/// [`Error::Read`] when the file cannot be read, [`Error::Parse`] (naming the
/// file and line) when it is not a valid Dockerfile.
pub fn lint_file(path: &Path) -> Result<Vec<Finding>, Error> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::Read {
        path: path.to_owned(),
        source,
    })?;
    lint_named(&text, path)
}

/// Lints `text`, naming `file` in a parse error.
///
/// # Errors
///
/// [`Error::Parse`] when the text is not a valid Dockerfile.
pub fn lint_named(text: &str, file: &Path) -> Result<Vec<Finding>, Error> {
    let dockerfile = Dockerfile::parse(text)
        .and_then(|df| df.validate().map(|()| df))
        .map_err(|e| Error::Parse {
            file: file.to_owned(),
            line: e.line,
            message: e.message,
        })?;
    Ok(lint_dockerfile(text, &dockerfile))
}

/// Lints a Dockerfile already read from `text`. Findings are sorted by line,
/// then rule id.
#[must_use]
pub fn lint_dockerfile(text: &str, dockerfile: &Dockerfile) -> Vec<Finding> {
    let mut checker = Checker {
        findings: Vec::new(),
    };
    checker.run(dockerfile);

    let ranges: Vec<(usize, usize)> = dockerfile
        .instructions
        .iter()
        .map(|i| (i.line, i.end_line))
        .collect();
    let (suppressions, mut findings) =
        suppress::collect(&suppress::candidates(text, dockerfile), &ranges);
    findings.extend(suppress::unused(&checker.findings, &suppressions));
    findings.extend(
        checker
            .findings
            .into_iter()
            .filter(|f| !suppress::is_suppressed(f, &suppressions)),
    );
    findings.sort_by(|a, b| (a.line, a.rule.id).cmp(&(b.line, b.rule.id)));
    findings.dedup_by(|a, b| a.line == b.line && a.rule == b.rule);
    findings
}

/// What a stage leaves behind for stages built `FROM` it.
#[derive(Debug, Clone, Default)]
struct StageState {
    name: Option<String>,
    from_line: usize,
    parent: Option<usize>,
    env: HashMap<String, String>,
    /// Last `USER` (value, line), inherited from the parent stage.
    user: Option<(String, usize)>,
    /// Last `ENTRYPOINT` (program, line), inherited; `None` program for `ENTRYPOINT []`.
    entrypoint: Option<(Option<String>, usize)>,
    own_entrypoint: bool,
    /// The dependencies were installed here or in a parent stage.
    deps_installed: bool,
}

impl StageState {
    fn label(&self, index: usize) -> String {
        self.name
            .as_ref()
            .map_or_else(|| format!("#{}", index + 1), |n| format!("`{n}`"))
    }
}

struct Checker {
    findings: Vec<Finding>,
}

impl Checker {
    fn report(&mut self, rule: Rule, line: usize, message: String) {
        self.findings.push(Finding {
            rule,
            line,
            message,
        });
    }

    fn run(&mut self, dockerfile: &Dockerfile) {
        // Global ARGs (before the first FROM): name -> default.
        let globals = dockerfile.global_args(&std::collections::BTreeMap::new());

        let mut stages: Vec<StageState> = Vec::new();
        for stage in dockerfile.stages() {
            let from_line = dockerfile.instructions[stage.from].line;
            let parent = self.check_base(&stage.base, from_line, &globals, &stages);
            let mut state = parent.map_or_else(StageState::default, |p| StageState {
                own_entrypoint: false,
                ..stages[p].clone()
            });
            state.name = stage.name;
            state.from_line = from_line;
            state.parent = parent;
            self.check_stage(
                &dockerfile.instructions[stage.body],
                &globals,
                &stages,
                &mut state,
            );
            stages.push(state);
        }

        if stages.len() < 2 {
            let line = stages.first().map_or(1, |s| s.from_line);
            self.report(
                MULTI_STAGE,
                line,
                "single-stage build: install build tools and dependencies in a first stage and \
                 copy only the results into the stage that ships"
                    .to_owned(),
            );
        }

        let last = stages.len().saturating_sub(1);
        for (index, state) in stages.iter().enumerate() {
            if index == last || state.own_entrypoint {
                self.check_app_stage(index, state);
            }
        }
    }

    /// [`PINNED_BASE_IMAGE`]; returns the earlier stage this one is built from.
    fn check_base(
        &mut self,
        raw: &str,
        line: usize,
        globals: &HashMap<String, Option<String>>,
        stages: &[StageState],
    ) -> Option<usize> {
        let image = match expand(raw, globals) {
            Ok(image) => image,
            Err(var) => {
                self.report(
                    PINNED_BASE_IMAGE,
                    line,
                    format!(
                        "base image `{raw}` uses build arg {var}, which has no default: declare \
                         `ARG {var}=<pinned value>` before the first FROM"
                    ),
                );
                return None;
            }
        };
        let lower = image.to_lowercase();
        if let Some(parent) = stages
            .iter()
            .position(|s| s.name.as_deref() == Some(lower.as_str()))
        {
            return Some(parent);
        }
        if lower == "scratch" {
            return None;
        }
        self.check_tag("base image", &image, raw, line);
        None
    }

    /// The tag part of [`PINNED_BASE_IMAGE`] for an image reference (`what` names it).
    fn check_tag(&mut self, what: &str, image: &str, raw: &str, line: usize) {
        if image.contains('@') {
            return;
        }
        let shown = if image == raw {
            format!("`{image}`")
        } else {
            format!("`{image}` (from `{raw}`)")
        };
        let last_component = image.rsplit('/').next().unwrap_or(image);
        match last_component.split_once(':') {
            None => self.report(
                PINNED_BASE_IMAGE,
                line,
                format!(
                    "{what} {shown} has no tag, which means `latest`: pin a version tag or digest"
                ),
            ),
            Some((_, tag)) if tag.eq_ignore_ascii_case("latest") || tag.is_empty() => self.report(
                PINNED_BASE_IMAGE,
                line,
                format!("{what} {shown} uses the `latest` tag: pin a version tag or digest"),
            ),
            Some(_) => {}
        }
    }

    /// `COPY --from=<image>` with an image rather than a stage: [`PINNED_BASE_IMAGE`].
    fn check_copy_from(&mut self, ins: &Instruction, line: usize, stages: &[StageState]) {
        let Some(from) = ins.flag("from").and_then(|f| f.value.as_deref()) else {
            return;
        };
        let lower = from.to_lowercase();
        let is_stage = from.chars().all(|c| c.is_ascii_digit())
            || stages
                .iter()
                .any(|s| s.name.as_deref() == Some(lower.as_str()));
        // `$` references in --from are left to the engine (Docker 20.10 rejects them).
        if !is_stage && !from.contains('$') {
            self.check_tag("`COPY --from` image", from, from, line);
        }
    }

    fn check_stage(
        &mut self,
        instructions: &[Instruction],
        globals: &HashMap<String, Option<String>>,
        earlier: &[StageState],
        state: &mut StageState,
    ) {
        // Stage-local ARGs are visible to RUN steps as environment variables.
        let mut args: HashMap<String, String> = HashMap::new();
        let mut source_copy: Option<(usize, String)> = None;
        let mut installed = state.deps_installed;
        for ins in instructions {
            let line = ins.line;
            match ins.keyword.as_str() {
                "ENV" => state.env.extend(env_pairs(ins.args())),
                "ARG" => {
                    for (name, value) in arg_pairs(ins.args()) {
                        let value = value.or_else(|| globals.get(&name).cloned().flatten());
                        if let Some(value) = value {
                            args.insert(name, value);
                        }
                    }
                }
                "USER" => {
                    state.user = Some((ins.args().to_owned(), line));
                }
                "ENTRYPOINT" => {
                    let form = ins.form();
                    self.check_json_form("ENTRYPOINT", &form, line);
                    state.entrypoint = Some((program(&form), line));
                    state.own_entrypoint = true;
                }
                "CMD" => self.check_json_form("CMD", &ins.form(), line),
                "COPY" | "ADD" => {
                    self.check_copy_from(ins, line, earlier);
                    if ins.flag("from").is_none() && source_copy.is_none() && !installed {
                        let list = ins.list();
                        source_copy = list
                            .split_last()
                            .map_or(&[][..], |(_, sources)| sources)
                            .iter()
                            .filter(|p| !p.starts_with("<<"))
                            .find(|p| is_source_path(p))
                            .map(|p| (line, p.clone()));
                    }
                }
                "RUN" => {
                    let step = RunStep::new(ins);
                    self.check_run(&step, line, &state.env, &args);
                    if !installed && step.commands.iter().any(is_dependency_install) {
                        installed = true;
                        if let Some((copy_line, src)) = source_copy.take() {
                            self.report(
                                DEPS_BEFORE_SOURCE,
                                copy_line,
                                format!(
                                    "source `{src}` is copied before the dependencies are installed \
                                     (line {line}): copy pyproject.toml and uv.lock (or requirements*.txt), \
                                     install the dependencies, then copy the source"
                                ),
                            );
                        }
                    }
                }
                _ => {}
            }
        }
        state.deps_installed = installed;
    }

    fn check_json_form(&mut self, keyword: &str, form: &Form, line: usize) {
        if let Form::Shell(text) = form {
            let words = shell_words::split(text.trim())
                .unwrap_or_else(|_| text.split_whitespace().map(str::to_owned).collect());
            let json = words
                .iter()
                .map(|w| format!("{w:?}"))
                .collect::<Vec<_>>()
                .join(", ");
            self.report(
                JSON_FORM,
                line,
                format!(
                    "{keyword} uses the shell form, so `/bin/sh -c` becomes PID 1 and swallows \
                     signals: write {keyword} [{json}]"
                ),
            );
        }
    }

    fn check_run(
        &mut self,
        step: &RunStep,
        line: usize,
        env: &HashMap<String, String>,
        args: &HashMap<String, String>,
    ) {
        // NSS003 / NSS004: apt.
        let apt_installs: Vec<&SimpleCommand> =
            step.commands.iter().filter(|c| is_apt_install(c)).collect();
        if let Some(cmd) = apt_installs.iter().find(|c| {
            !c.has_arg("--no-install-recommends")
                && !c.args().iter().any(|a| is_no_recommends_option(a))
        }) {
            self.report(
                APT_NO_INSTALL_RECOMMENDS,
                line,
                format!(
                    "`{} install` without `--no-install-recommends`: add it so recommended \
                     packages stay out of the image",
                    cmd.program()
                ),
            );
        }
        if !apt_installs.is_empty() {
            let cached = step
                .cache_mounts()
                .any(|t| t.starts_with("/var/cache/apt") || t.starts_with("/var/lib/apt"));
            let cleaned = step.commands.iter().any(|c| {
                c.program() == "rm" && c.args().iter().any(|a| a.starts_with("/var/lib/apt/lists"))
            });
            if !cached && !cleaned {
                self.report(
                    APT_CACHE,
                    line,
                    "apt install without a cache: add `--mount=type=cache,target=/var/cache/apt,sharing=locked` \
                     (or end the step with `rm -rf /var/lib/apt/lists/*`)"
                        .to_owned(),
                );
            }
        }

        // NSS005 / NSS006: uv and pip.
        let has_cache = step.cache_mounts().next().is_some();
        let mut exported: HashMap<String, String> = HashMap::new();
        let mut reported_cache = false;
        let mut reported_link = false;
        for cmd in &step.commands {
            if cmd.program() == "export" {
                exported.extend(cmd.args().iter().filter_map(|a| shell::assignment(a)));
            }
            let Some(tool) = package_install(cmd) else {
                continue;
            };
            if !has_cache && !reported_cache {
                reported_cache = true;
                let target = if tool.starts_with("uv") {
                    "/root/.cache/uv"
                } else {
                    "/root/.cache/pip"
                };
                self.report(
                    PACKAGE_CACHE_MOUNT,
                    line,
                    format!(
                        "`{tool}` without a cache mount: add `--mount=type=cache,target={target}` \
                         so wheels are reused across builds and stay out of the layer"
                    ),
                );
            }
            if has_cache && tool.starts_with("uv") && !reported_link {
                let flag = link_mode_flag(cmd);
                let value = flag
                    .or_else(|| {
                        cmd.assignments
                            .iter()
                            .find(|(n, _)| n == UV_LINK_MODE_VAR)
                            .map(|(_, v)| v.clone())
                    })
                    .or_else(|| exported.get(UV_LINK_MODE_VAR).cloned())
                    .or_else(|| args.get(UV_LINK_MODE_VAR).cloned())
                    .or_else(|| env.get(UV_LINK_MODE_VAR).cloned());
                if value.as_deref() != Some("copy") {
                    reported_link = true;
                    let now = value.map_or_else(
                        || "UV_LINK_MODE is not set".to_owned(),
                        |v| format!("UV_LINK_MODE is `{v}`"),
                    );
                    self.report(
                        UV_LINK_MODE,
                        line,
                        format!(
                            "`{tool}` with a cache mount but {now}: set `ENV UV_LINK_MODE=copy` in the \
                             stage (hard links into the cache mount dangle once it is unmounted)"
                        ),
                    );
                }
            }
        }
    }

    fn check_app_stage(&mut self, index: usize, state: &StageState) {
        let label = state.label(index);
        match &state.user {
            None => self.report(
                NON_ROOT_USER,
                state.from_line,
                format!(
                    "stage {label} runs the app as root (no USER): create a user and add `USER <name>` \
                     (e.g. uid 1000) before ENTRYPOINT"
                ),
            ),
            Some((user, line)) if is_root(user) => self.report(
                NON_ROOT_USER,
                *line,
                format!(
                    "stage {label} runs the app as root (`USER {user}`): switch to a non-root user, or \
                     suppress with `# nss-lint ignore={} <reason>` when root is deliberate",
                    NON_ROOT_USER.id
                ),
            ),
            Some(_) => {}
        }
        let suggestion = "`ENTRYPOINT [\"tini\", \"--\", ...]`";
        match &state.entrypoint {
            None | Some((None, _)) => {
                let line = state
                    .entrypoint
                    .as_ref()
                    .map_or(state.from_line, |(_, l)| *l);
                self.report(
                    INIT_PROCESS,
                    line,
                    format!(
                        "stage {label} has no ENTRYPOINT, so the app runs as PID 1 without an init: \
                         use {suggestion} (or suppress with a reason when the image is always run with `--init`)"
                    ),
                );
            }
            Some((Some(program), line)) => {
                let name = program.rsplit('/').next().unwrap_or(program);
                if !INIT_PROGRAMS.contains(&name) && program != "/init" {
                    self.report(
                        INIT_PROCESS,
                        *line,
                        format!(
                            "stage {label} starts `{program}` as PID 1, not an init: use {suggestion} \
                             or `dumb-init` (or suppress with a reason when the image is always run with `--init`)"
                        ),
                    );
                }
            }
        }
    }
}

/// The parts of a `RUN` instruction the rules look at.
struct RunStep {
    /// `--mount` options: (type, target).
    mounts: Vec<(String, String)>,
    commands: Vec<SimpleCommand>,
}

impl RunStep {
    fn new(run: &Instruction) -> Self {
        let mounts = run
            .flags
            .iter()
            .filter(|f| f.name == "mount")
            .filter_map(|f| f.value.as_deref())
            .map(parse_mount)
            .collect();
        let mut commands = match run.form() {
            Form::Shell(text) => shell::commands(&text),
            Form::Exec(argv) => {
                let cmd = SimpleCommand {
                    assignments: Vec::new(),
                    argv,
                };
                match cmd.args() {
                    [flag, script, ..]
                        if flag == "-c" && matches!(cmd.program(), "sh" | "bash" | "dash") =>
                    {
                        shell::commands(script)
                    }
                    _ => vec![cmd],
                }
            }
        };
        // A heredoc body is a script the step runs (or a file it writes; its
        // commands are read either way).
        for heredoc in &run.heredocs {
            commands.extend(shell::commands(&heredoc.content));
        }
        Self { mounts, commands }
    }

    fn cache_mounts(&self) -> impl Iterator<Item = &str> {
        self.mounts
            .iter()
            .filter(|(kind, _)| kind == "cache")
            .map(|(_, target)| target.as_str())
    }
}

fn parse_mount(value: &str) -> (String, String) {
    let mut kind = "bind".to_owned();
    let mut target = String::new();
    for part in value.split(',') {
        match part.split_once('=') {
            Some(("type", v)) => kind = v.to_owned(),
            Some(("target" | "dst" | "destination", v)) => target = v.to_owned(),
            _ => {}
        }
    }
    (kind, target)
}

/// The program an `ENTRYPOINT` starts; `None` for `ENTRYPOINT []`.
fn program(form: &Form) -> Option<String> {
    match form {
        Form::Exec(words) => words.first().cloned(),
        Form::Shell(text) => shell::commands(text)
            .into_iter()
            .next()
            .and_then(|c| c.argv.into_iter().next()),
    }
}

/// `NAME=value` pairs (or bare `NAME`) of an ARG instruction.
fn arg_pairs(arguments: &str) -> Vec<(String, Option<String>)> {
    words(arguments)
        .into_iter()
        .map(|w| match w.split_once('=') {
            Some((n, v)) => (n.to_owned(), Some(v.to_owned())),
            None => (w, None),
        })
        .collect()
}

/// `ENV K=V K2=V2` or the legacy `ENV K V`.
fn env_pairs(arguments: &str) -> Vec<(String, String)> {
    let trimmed = arguments.trim();
    let first = trimmed.split_whitespace().next().unwrap_or_default();
    if first.contains('=') {
        words(trimmed)
            .into_iter()
            .filter_map(|w| w.split_once('=').map(|(n, v)| (n.to_owned(), v.to_owned())))
            .collect()
    } else {
        let value = trimmed[first.len()..].trim();
        vec![(first.to_owned(), words(value).join(" "))]
    }
}

fn words(text: &str) -> Vec<String> {
    shell_words::split(text)
        .unwrap_or_else(|_| text.split_whitespace().map(str::to_owned).collect())
}

fn is_root(user: &str) -> bool {
    let name = user.split(':').next().unwrap_or(user).trim();
    name == "root" || name == "0"
}

fn is_source_path(path: &str) -> bool {
    let p = path.trim_start_matches("./").trim_start_matches('/');
    let p = p.trim_end_matches('/');
    matches!(p, "" | "." | "*" | "**" | "src") || p.starts_with("src/")
}

fn is_apt_install(cmd: &SimpleCommand) -> bool {
    matches!(cmd.program(), "apt-get" | "apt" | "aptitude")
        && cmd.positionals().any(|a| a == "install")
}

fn is_no_recommends_option(arg: &str) -> bool {
    let lower = arg.to_ascii_lowercase();
    lower.contains("install-recommends=false") || lower.contains("install-recommends=0")
}

/// The argv of a pip or uv invocation with `python -m` stripped, as (tool, args).
fn tool_args(cmd: &SimpleCommand) -> Option<(&'static str, &[String])> {
    let program = cmd.program();
    if program == "uv" {
        return Some(("uv", cmd.args()));
    }
    if program.starts_with("pip") && program[3..].chars().all(|c| c.is_ascii_digit() || c == '.') {
        return Some(("pip", cmd.args()));
    }
    if program.starts_with("python") {
        let args = cmd.args();
        let m = args.iter().position(|a| a == "-m")?;
        return match args.get(m + 1).map(String::as_str) {
            Some("pip") => Some(("pip", &args[m + 2..])),
            Some("uv") => Some(("uv", &args[m + 2..])),
            _ => None,
        };
    }
    None
}

/// A uv or pip command that downloads Python packages; returns how to name it.
fn package_install(cmd: &SimpleCommand) -> Option<String> {
    let (tool, args) = tool_args(cmd)?;
    let positionals: Vec<&str> = args
        .iter()
        .map(String::as_str)
        .filter(|a| !a.starts_with('-'))
        .take(2)
        .collect();
    let installs = matches!(
        (tool, positionals.as_slice()),
        (
            "uv",
            ["sync" | "add", ..] | ["pip" | "tool", "install", ..] | ["pip", "sync", ..]
        ) | ("pip", ["install", ..])
    );
    let shown = match (tool, positionals.as_slice()) {
        ("uv", ["pip" | "tool", second, ..]) => format!("uv {} {second}", positionals[0]),
        (_, [first, ..]) => format!("{tool} {first}"),
        _ => tool.to_owned(),
    };
    installs.then_some(shown)
}

/// A step that installs the project's dependencies from its manifests.
fn is_dependency_install(cmd: &SimpleCommand) -> bool {
    match cmd.program() {
        "poetry" | "pdm" | "pipenv" => {
            return cmd
                .positionals()
                .next()
                .is_some_and(|a| a == "install" || a == "sync");
        }
        _ => {}
    }
    let Some((tool, args)) = tool_args(cmd) else {
        return false;
    };
    let positionals: Vec<&str> = args
        .iter()
        .map(String::as_str)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let from_manifest = args.iter().any(|a| {
        matches!(
            a.as_str(),
            "-r" | "--requirement" | "--requirements" | "-e" | "--editable"
        ) || a.starts_with("--requirement=")
            || a.starts_with("-r")
    });
    let local = |rest: &[&str]| {
        rest.iter()
            .any(|a| *a == "." || a.starts_with("./") || a.starts_with('/') || a.ends_with(".txt"))
    };
    match (tool, positionals.as_slice()) {
        ("uv", ["sync", ..]) | ("uv", ["pip", "sync", ..]) => true,
        ("uv", ["pip", "install", rest @ ..]) | ("pip", ["install", rest @ ..]) => {
            from_manifest || local(rest)
        }
        _ => false,
    }
}

fn link_mode_flag(cmd: &SimpleCommand) -> Option<String> {
    let args = cmd.args();
    args.iter().enumerate().find_map(|(i, a)| {
        a.strip_prefix("--link-mode=")
            .map(str::to_owned)
            .or_else(|| {
                (a == "--link-mode")
                    .then(|| args.get(i + 1).cloned())
                    .flatten()
            })
    })
}
