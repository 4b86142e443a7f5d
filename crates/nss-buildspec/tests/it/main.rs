//! Integration tests of nss-buildspec on the Safe Synthesizer reference project.
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod util;

mod dockerfile;
mod explain;
mod fuzz;
mod precedence;
mod project;
mod reference;
mod resolve;
mod workflow;
