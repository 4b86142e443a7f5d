//! One table per rule: each row breaks the convention once (or keeps it in an
//! accepted variant) and names the expected findings with their lines.

use crate::util::{Row, check_rows};

/// A stage tail that satisfies NSS008/NSS009/NSS010, used after each case's body.
const APP_TAIL: &str = "USER app\nENTRYPOINT [\"tini\", \"--\", \"app\"]\nCMD [\"--help\"]\n";

fn with_tail(body: &str) -> String {
    format!("{body}{APP_TAIL}")
}

#[test]
fn nss001_multi_stage() {
    let single = with_tail("FROM python:3.11-slim\n");
    let two = with_tail("FROM python:3.11-slim AS build\nFROM python:3.11-slim\n");
    check_rows(vec![
        ("single stage", single, vec![("NSS001", 1)]),
        ("two stages", two, vec![]),
    ]);
}

#[test]
fn nss002_pinned_base_image() {
    let cases: Vec<Row<'_>> = vec![
        (
            "latest tag",
            "FROM python:latest AS b\n".into(),
            vec![("NSS002", 1)],
        ),
        ("untagged", "FROM python AS b\n".into(), vec![("NSS002", 1)]),
        (
            "registry port, untagged",
            "FROM localhost:5000/py AS b\n".into(),
            vec![("NSS002", 1)],
        ),
        (
            "ARG without default",
            "ARG BASE\nFROM ${BASE} AS b\n".into(),
            vec![("NSS002", 2)],
        ),
        (
            "ARG default latest",
            "ARG TAG=latest\nFROM python:${TAG} AS b\n".into(),
            vec![("NSS002", 2)],
        ),
        (
            "ARG default untagged",
            "ARG IMG=\"python\"\nFROM $IMG AS b\n".into(),
            vec![("NSS002", 2)],
        ),
        (
            "pinned tag",
            "FROM python:3.11.14-slim AS b\n".into(),
            vec![],
        ),
        (
            "ARG default pinned",
            "ARG V=3.11\nFROM python:${V}-slim AS b\n".into(),
            vec![],
        ),
        (
            "inline default",
            "FROM python:${V:-3.11} AS b\n".into(),
            vec![],
        ),
        (
            "ARG default built from an earlier ARG",
            "ARG PY=3.11\nARG BASE=python:${PY}-slim\nFROM ${BASE} AS b\n".into(),
            vec![],
        ),
        (
            "ARG default built from an ARG without a value",
            "ARG PY\nARG BASE=python:${PY}\nFROM ${BASE} AS b\n".into(),
            vec![("NSS002", 3)],
        ),
        (
            "digest",
            "FROM python@sha256:0123abcd AS b\n".into(),
            vec![],
        ),
        (
            "registry with port, tag",
            "FROM localhost:5000/py:1.2 AS b\n".into(),
            vec![],
        ),
        ("scratch", "FROM scratch AS b\n".into(), vec![]),
        (
            "COPY --from an unpinned image",
            "FROM debian:12 AS b\nCOPY --from=ghcr.io/astral-sh/uv:latest /uv /bin/\nCOPY --from=busybox /bin/sh /sh\n".into(),
            vec![("NSS002", 2), ("NSS002", 3)],
        ),
        (
            "COPY --from a pinned image, a stage, a stage index",
            "FROM debian:12 AS b\nFROM debian:12 AS c\nCOPY --from=ghcr.io/astral-sh/uv:0.9.14 /uv /bin/\nCOPY --from=B /x /x\nCOPY --from=0 /y /y\n".into(),
            vec![],
        ),
        (
            "earlier stage through an ARG",
            "ARG SRC=base\nFROM python:3.11 AS base\nFROM ${SRC} AS b\n".into(),
            vec![],
        ),
        (
            "platform flag",
            "FROM --platform=$BUILDPLATFORM rust:1.95-slim AS b\n".into(),
            vec![],
        ),
    ];
    check_rows(
        cases
            .into_iter()
            .map(|(case, head, want)| {
                (
                    case,
                    with_tail(&format!("{head}FROM python:3.11-slim\n")),
                    want,
                )
            })
            .collect(),
    );
}

/// A final stage appended to single-stage bodies so only the body's rule fires.
fn staged(body: &str) -> String {
    with_tail(&format!("FROM debian:12 AS build\n{body}FROM debian:12\n"))
}

#[test]
fn nss003_and_nss004_apt() {
    let cache = "--mount=type=cache,target=/var/cache/apt,sharing=locked";
    let rows: Vec<Row<'_>> = vec![
        (
            "no --no-install-recommends",
            staged(&format!(
                "RUN {cache} apt-get update && apt-get install -y curl\n"
            )),
            vec![("NSS003", 2)],
        ),
        (
            "apt (not apt-get) without the flag",
            staged(&format!("RUN {cache} apt install -y curl\n")),
            vec![("NSS003", 2)],
        ),
        (
            "no cache and no list cleanup",
            staged("RUN apt-get update && apt-get install -y --no-install-recommends curl\n"),
            vec![("NSS004", 2)],
        ),
        (
            "both broken",
            staged("RUN apt-get install -y curl\n"),
            vec![("NSS003", 2), ("NSS004", 2)],
        ),
        (
            "list cleanup instead of a cache",
            staged(
                "RUN apt-get update && apt-get install -y --no-install-recommends curl \\\n    && rm -rf /var/lib/apt/lists/*\n",
            ),
            vec![],
        ),
        (
            "cache on /var/lib/apt",
            staged(
                "RUN --mount=type=cache,target=/var/lib/apt apt-get install -y --no-install-recommends curl\n",
            ),
            vec![],
        ),
        (
            "apt option instead of the flag",
            staged(&format!(
                "RUN {cache} apt-get install -y -o APT::Install-Recommends=false curl\n"
            )),
            vec![],
        ),
        (
            "update alone needs neither",
            staged("RUN apt-get update\n"),
            vec![],
        ),
    ];
    check_rows(rows);
}

#[test]
fn nss005_and_nss006_package_cache() {
    let uv_cache = "--mount=type=cache,target=/root/.cache/uv";
    let rows: Vec<Row<'_>> = vec![
        (
            "uv sync without a cache",
            staged("ENV UV_LINK_MODE=copy\nRUN uv sync --frozen\n"),
            vec![("NSS005", 3)],
        ),
        (
            "uv pip install without a cache",
            staged("RUN uv pip install --system ruff\n"),
            vec![("NSS005", 2)],
        ),
        (
            "pip install without a cache",
            staged("RUN pip install --upgrade pip\n"),
            vec![("NSS005", 2)],
        ),
        (
            "python -m pip without a cache",
            staged("RUN python3 -m pip install ruff\n"),
            vec![("NSS005", 2)],
        ),
        (
            "pip with a cache",
            staged("RUN --mount=type=cache,target=/root/.cache/pip pip install ruff\n"),
            vec![],
        ),
        (
            "uv cache without UV_LINK_MODE",
            staged(&format!("RUN {uv_cache} uv sync\n")),
            vec![("NSS006", 2)],
        ),
        (
            "UV_LINK_MODE=hardlink",
            staged(&format!(
                "ENV UV_LINK_MODE=hardlink\nRUN {uv_cache} uv sync\n"
            )),
            vec![("NSS006", 3)],
        ),
        (
            "ENV legacy form",
            staged(&format!("ENV UV_LINK_MODE copy\nRUN {uv_cache} uv sync\n")),
            vec![],
        ),
        (
            "inline assignment",
            staged(&format!("RUN {uv_cache} UV_LINK_MODE=copy uv sync\n")),
            vec![],
        ),
        (
            "export in the same RUN",
            staged(&format!(
                "RUN {uv_cache} export UV_LINK_MODE=copy && uv sync\n"
            )),
            vec![],
        ),
        (
            "--link-mode flag",
            staged(&format!(
                "RUN {uv_cache} uv pip install --link-mode copy ruff\n"
            )),
            vec![],
        ),
        (
            "ARG in the stage",
            staged(&format!("ARG UV_LINK_MODE=copy\nRUN {uv_cache} uv sync\n")),
            vec![],
        ),
        (
            "ENV from the parent stage",
            with_tail(&format!(
                "FROM debian:12 AS base\nENV UV_LINK_MODE=copy\nFROM base AS build\nRUN {uv_cache} uv sync\nFROM debian:12\n"
            )),
            vec![],
        ),
        (
            "uv without an install needs neither",
            staged("RUN uv --version && uv python list\n"),
            vec![],
        ),
    ];
    check_rows(rows);
}

#[test]
fn nss007_deps_before_source() {
    let c = "--mount=type=cache,target=/root/.cache/uv";
    let rows: Vec<Row<'_>> = vec![
        (
            "COPY . . before uv sync",
            staged(&format!(
                "ENV UV_LINK_MODE=copy\nCOPY . .\nRUN {c} uv sync\n"
            )),
            vec![("NSS007", 3)],
        ),
        (
            "COPY src before pip install -r",
            staged(
                "COPY requirements.txt ./\nCOPY src/ src/\nRUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt\n",
            ),
            vec![("NSS007", 3)],
        ),
        (
            "an unrelated install does not count",
            staged(&format!(
                "ENV UV_LINK_MODE=copy\nRUN {c} uv pip install --system uv\nCOPY ./ /app/\nRUN {c} uv sync\n"
            )),
            vec![("NSS007", 4)],
        ),
        (
            "pip install . after the source",
            staged(
                "COPY . /app\nRUN --mount=type=cache,target=/root/.cache/pip pip install /app\n",
            ),
            vec![("NSS007", 2)],
        ),
        (
            "manifests, deps, then source",
            staged(&format!(
                "ENV UV_LINK_MODE=copy\nCOPY pyproject.toml uv.lock ./\nRUN {c} uv sync --no-install-project\nCOPY . .\nRUN {c} uv sync --no-editable\n"
            )),
            vec![],
        ),
        (
            "bind-mounted manifests",
            staged(&format!(
                "ENV UV_LINK_MODE=copy\nRUN {c} --mount=type=bind,source=uv.lock,target=uv.lock uv sync --no-install-project\nCOPY . .\n"
            )),
            vec![],
        ),
        (
            "source copied from another stage",
            staged(&format!(
                "ENV UV_LINK_MODE=copy\nCOPY --from=example.org/app-src:1.0 /app /app\nRUN {c} uv sync\n"
            )),
            vec![],
        ),
        ("source without an install", staged("COPY . .\n"), vec![]),
        (
            "source in a stage built on the dependency stage",
            with_tail(&format!(
                "FROM debian:12 AS deps\nENV UV_LINK_MODE=copy\nCOPY pyproject.toml uv.lock ./\nRUN {c} uv sync --no-install-project\nFROM deps AS project\nCOPY . .\nRUN {c} uv sync --no-editable\nFROM debian:12\n"
            )),
            vec![],
        ),
        (
            "a sibling stage's install does not count",
            with_tail(&format!(
                "FROM debian:12 AS deps\nENV UV_LINK_MODE=copy\nCOPY pyproject.toml uv.lock ./\nRUN {c} uv sync --no-install-project\nFROM debian:12 AS project\nENV UV_LINK_MODE=copy\nCOPY . .\nRUN {c} uv sync --no-editable\nFROM debian:12\n"
            )),
            vec![("NSS007", 7)],
        ),
    ];
    check_rows(rows);
}

#[test]
fn nss008_to_nss010_app_stage() {
    let head = "FROM debian:12 AS build\nFROM debian:12\n";
    let rows: Vec<Row<'_>> = vec![
        (
            "no USER",
            format!("{head}ENTRYPOINT [\"tini\", \"--\", \"app\"]\n"),
            vec![("NSS008", 2)],
        ),
        (
            "USER root",
            format!("{head}USER root\nENTRYPOINT [\"tini\", \"--\", \"app\"]\n"),
            vec![("NSS008", 3)],
        ),
        (
            "USER 0:0",
            format!("{head}USER 0:0\nENTRYPOINT [\"tini\", \"--\", \"app\"]\n"),
            vec![("NSS008", 3)],
        ),
        (
            "root after a non-root user",
            format!("{head}USER app\nUSER root\nENTRYPOINT [\"tini\", \"--\", \"app\"]\n"),
            vec![("NSS008", 4)],
        ),
        (
            "no ENTRYPOINT",
            format!("{head}USER app\nCMD [\"app\"]\n"),
            vec![("NSS009", 2)],
        ),
        (
            "ENTRYPOINT without an init",
            format!("{head}USER app\nENTRYPOINT [\"python\", \"-m\", \"app\"]\n"),
            vec![("NSS009", 4)],
        ),
        (
            "dumb-init by path",
            format!("{head}USER 1000:1000\nENTRYPOINT [\"/usr/bin/dumb-init\", \"--\", \"app\"]\n"),
            vec![],
        ),
        (
            "shell-form CMD",
            format!("{head}USER app\nENTRYPOINT [\"tini\", \"--\"]\nCMD app --help\n"),
            vec![("NSS010", 5)],
        ),
        (
            "shell-form ENTRYPOINT starting with tini",
            format!("{head}USER app\nENTRYPOINT tini -- app\n"),
            vec![("NSS010", 4)],
        ),
        (
            "shell-form CMD in a build stage",
            format!("FROM debian:12 AS build\nCMD echo hi\nFROM debian:12\n{APP_TAIL}"),
            vec![("NSS010", 2)],
        ),
        (
            "runtime stage with ENTRYPOINT, dev stage inherits",
            "FROM debian:12 AS runtime\nUSER app\nENTRYPOINT [\"tini\", \"--\", \"app\"]\nFROM runtime AS dev\nRUN echo tools\n"
                .to_owned(),
            vec![],
        ),
        (
            "dev stage switches to root",
            "FROM debian:12 AS runtime\nUSER app\nENTRYPOINT [\"tini\", \"--\", \"app\"]\nFROM runtime AS dev\nUSER root\n"
                .to_owned(),
            vec![("NSS008", 5)],
        ),
        (
            "middle stage with ENTRYPOINT is checked too",
            format!(
                "FROM debian:12 AS runtime\nENTRYPOINT [\"app\"]\nFROM debian:12 AS other\n{APP_TAIL}"
            ),
            vec![("NSS008", 1), ("NSS009", 2)],
        ),
    ];
    check_rows(rows);
}
