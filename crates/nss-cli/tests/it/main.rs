//! Integration tests of the `nss` command.

#![allow(clippy::print_stdout, clippy::print_stderr)]

mod util;

mod argv;
mod bases;
mod cache;
mod containers;
mod dockerfiles;
mod dry_run;
mod engines;
mod errors;
mod hostile;
mod inspect;
mod installed;
mod parity;
mod spec;
mod wheel;
mod workflow;
