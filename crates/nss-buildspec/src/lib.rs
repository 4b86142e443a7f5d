//! Every build pin of a CUDA image for a uv-managed Python project, derived from
//! `pyproject.toml` with the place each value came from.
//!
//! (Crate docs with a runnable example arrive with the implementation.)

mod source;
mod spec;

pub use crate::source::{Resolved, Source};
pub use crate::spec::{BuildSpec, CudaImageType, ImageFlavor, PIN_NAMES};
