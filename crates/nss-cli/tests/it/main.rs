//! Integration tests of the `nss` command.

#![allow(clippy::print_stdout, clippy::print_stderr)]

mod util;

mod argv;
mod containers;
mod dry_run;
mod engines;
mod errors;
mod installed;
mod spec;
mod wheel;
