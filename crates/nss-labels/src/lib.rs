//! OCI image labels and index annotations for nss images.
//!
//! (Crate docs with a runnable example arrive with the implementation.)
