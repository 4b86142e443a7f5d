//! Checks a container's environment before the app starts.
//!
//! (Crate docs with a runnable example arrive with the implementation.)
