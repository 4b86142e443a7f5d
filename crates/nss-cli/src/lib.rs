//! The library behind the `nss` command: engine detection, build and run plans, execution.
//!
//! (Crate docs with a runnable example arrive with the implementation.)
