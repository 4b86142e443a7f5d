//! Integration tests of nss-labels.
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod dockerfile;
mod engine;
mod generate;
mod props;
mod reference;
mod render;
mod util;
