//! Integration tests: one fixture per construct of the Dockerfile grammar, and
//! properties over arbitrary input.

mod engines;
mod grammar;
mod properties;
mod util;
