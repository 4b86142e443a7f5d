//! Facts about the project's git checkout, read by running `git`.

use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// How long [`GitFacts::read`] waits for git, all queries together.
pub const GIT_TIMEOUT: Duration = Duration::from_secs(5);

/// A child whose output is awaited on a thread, so the wait can end at a deadline.
struct Bounded {
    pid: u32,
    rx: mpsc::Receiver<std::io::Result<Output>>,
}

impl Bounded {
    fn new(child: Child) -> Self {
        let pid = child.id();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let _ = tx.send(child.wait_with_output());
        });
        Self { pid, rx }
    }

    /// The output, or `None` (and the child killed) when it is not done by `deadline`.
    fn output_by(self, deadline: Instant) -> Option<Output> {
        let left = deadline.saturating_duration_since(Instant::now());
        match self.rx.recv_timeout(left) {
            Ok(out) => out.ok(),
            Err(_) => {
                if let Some(pid) = rustix::process::Pid::from_raw(self.pid as i32) {
                    let _ = rustix::process::kill_process(pid, rustix::process::Signal::KILL);
                }
                None
            }
        }
    }
}

/// The nearest tag reachable from HEAD, as `git describe --tags --long` reports it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct GitTag {
    /// The tag name, e.g. `v1.2.3`.
    pub name: String,
    /// Commits between the tag and HEAD; `0` when HEAD is tagged exactly.
    pub distance: u64,
}

/// What labels need from git. Every field is optional: a directory that is not a
/// git checkout (or a machine without git) gives [`GitFacts::default()`].
///
/// Build one by hand in tests; [`GitFacts::read`] runs `git`.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct GitFacts {
    /// `git rev-parse HEAD`: the full commit id.
    pub commit: Option<String>,
    /// The HEAD committer time.
    pub commit_time: Option<jiff::Timestamp>,
    /// The nearest tag (`git describe --tags --long`).
    pub tag: Option<GitTag>,
    /// The `origin` remote, normalised by [`normalise_remote`] (https, no credentials).
    pub remote_url: Option<String>,
    /// Tracked files differ from HEAD (`git status --porcelain --untracked-files=no`).
    pub dirty: bool,
}

impl GitFacts {
    /// Reads the facts of the checkout holding `dir` by running `git -C <dir> ...`
    /// (argv only, no shell). Not a checkout, or no `git` on PATH: all `None`.
    ///
    /// Every query is bounded by [`GIT_TIMEOUT`] (all together): a checkout that makes
    /// git block (a FIFO under `.git/`, a hung network filesystem) gives the facts read so
    /// far, and the blocked `git` is killed.
    pub fn read(dir: &Path) -> GitFacts {
        let deadline = Instant::now() + GIT_TIMEOUT;
        // Each query is its own `git` process; they are independent, so all start at
        // once and are collected in turn (the process time is one git start, not four).
        let spawn = |args: &[&str]| {
            Command::new("git")
                .arg("-C")
                .arg(dir)
                // No repository-configured helper program runs on `status`.
                .args(["-c", "core.fsmonitor=false"])
                .args(args)
                .env("GIT_OPTIONAL_LOCKS", "0")
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .spawn()
                .ok()
                .map(Bounded::new)
        };
        let collect = |child: Option<Bounded>| -> Option<String> {
            let out = child?.output_by(deadline)?;
            if !out.status.success() {
                return None;
            }
            let text = String::from_utf8(out.stdout).ok()?;
            Some(text.trim().to_string())
        };
        // Outside a checkout, or in a repository without commits, `git log` fails.
        let log = spawn(&["log", "-1", "--format=%H %ct"]);
        let describe = spawn(&["describe", "--tags", "--long"]);
        let remote = spawn(&["remote", "get-url", "origin"]);
        let status = spawn(&["status", "--porcelain", "--untracked-files=no"]);
        let log = collect(log);
        let tag = collect(describe).and_then(|d| parse_describe(&d));
        let remote_url = collect(remote).and_then(|u| normalise_remote(&u));
        let dirty = collect(status).is_some_and(|s| !s.is_empty());
        let Some(log) = log else {
            return GitFacts::default();
        };
        let (commit, time) = log.split_once(' ').unwrap_or((log.as_str(), ""));
        let commit_time = time
            .parse::<i64>()
            .ok()
            .and_then(|s| jiff::Timestamp::from_second(s).ok());
        GitFacts {
            commit: Some(commit.to_string()),
            commit_time,
            tag,
            remote_url,
            dirty,
        }
    }
}

/// Parses `git describe --tags --long` output: `<tag>-<distance>-g<abbrev>`
/// (the tag itself may contain `-`).
pub(crate) fn parse_describe(text: &str) -> Option<GitTag> {
    let (rest, abbrev) = text.rsplit_once('-')?;
    abbrev.strip_prefix('g')?;
    let (name, distance) = rest.rsplit_once('-')?;
    Some(GitTag {
        name: name.to_string(),
        distance: distance.parse().ok()?,
    })
}

/// A git remote as a public https URL: scp-style `git@host:org/repo.git`,
/// `ssh://`, `git://`, `http://` and `https://` remotes become
/// `https://host/org/repo`, without credentials, port (for ssh/git) or `.git`.
/// Local paths and `file://` remotes give `None`.
pub fn normalise_remote(remote: &str) -> Option<String> {
    let remote = remote.trim();
    let (host, path) = if let Some((scheme, rest)) = remote.split_once("://") {
        let scheme = scheme.to_ascii_lowercase();
        if !["https", "http", "ssh", "git", "git+ssh", "ssh+git"].contains(&scheme.as_str()) {
            return None;
        }
        let url = url::Url::parse(&format!("{scheme}://{rest}")).ok()?;
        let host = url.host_str()?.to_string();
        let host = match (scheme.as_str(), url.port()) {
            ("https" | "http", Some(port)) => format!("{host}:{port}"),
            _ => host,
        };
        (host, url.path().to_string())
    } else {
        // scp-like syntax: [user@]host:path, where the part before ':' has no '/'.
        let (before, path) = remote.split_once(':')?;
        if before.contains('/') || before.is_empty() {
            return None;
        }
        let host = before.rsplit_once('@').map_or(before, |(_, h)| h);
        (host.to_string(), path.to_string())
    };
    let path = path.trim_matches('/');
    let path = path
        .strip_suffix(".git")
        .unwrap_or(path)
        .trim_end_matches('/');
    if host.is_empty() || path.is_empty() {
        return None;
    }
    let url = url::Url::parse(&format!("https://{host}/{path}")).ok()?;
    Some(url.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Remote spellings git accepts (git-clone(1) "GIT URLS").
    #[test]
    fn normalises_remotes() {
        let cases = [
            (
                "git@github.com:NVIDIA-NeMo/Safe-Synthesizer.git",
                Some("https://github.com/NVIDIA-NeMo/Safe-Synthesizer"),
            ),
            ("github.com:org/repo", Some("https://github.com/org/repo")),
            (
                "ssh://git@gitlab.example.com:2222/group/sub/repo.git",
                Some("https://gitlab.example.com/group/sub/repo"),
            ),
            (
                "git+ssh://git@host/org/repo.git/",
                Some("https://host/org/repo"),
            ),
            (
                "git://host.xz/org/repo.git",
                Some("https://host.xz/org/repo"),
            ),
            (
                "https://user:ghp_secret@github.com/org/repo.git",
                Some("https://github.com/org/repo"),
            ),
            (
                "https://oauth2@gitlab.com/org/repo",
                Some("https://gitlab.com/org/repo"),
            ),
            (
                "http://git.example.com:8080/org/repo.git",
                Some("https://git.example.com:8080/org/repo"),
            ),
            (
                "HTTPS://GitHub.com/Org/Repo",
                Some("https://github.com/Org/Repo"),
            ),
            ("/srv/git/repo.git", None),
            ("file:///srv/git/repo.git", None),
            ("../repo", None),
            ("https://github.com/", None),
        ];
        for (remote, want) in cases {
            assert_eq!(normalise_remote(remote).as_deref(), want, "{remote}");
        }
    }

    #[test]
    fn parses_describe() {
        let cases = [
            ("v1.2.3-0-gabc1234", Some(("v1.2.3", 0))),
            ("v1.2.3-rc-1-4-gabc1234", Some(("v1.2.3-rc-1", 4))),
            ("abc1234", None),
            ("v1-x-gabc", None),
        ];
        for (text, want) in cases {
            let got = parse_describe(text);
            assert_eq!(
                got.as_ref().map(|t| (t.name.as_str(), t.distance)),
                want,
                "{text}"
            );
        }
    }
}
