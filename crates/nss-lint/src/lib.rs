//! Dockerfile conventions as rules with stable ids.
//!
//! (Crate docs with a runnable example arrive with the implementation.)
