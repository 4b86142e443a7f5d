//! Integration tests for `nss-lint`: one table per rule, suppressions, parser
//! edge cases, snapshots of printed findings, the project's own Dockerfiles and
//! the build-context scan.
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod context;
mod grammar;
mod parsing;
mod project;
mod properties;
mod rules;
mod suppressions;
mod util;
