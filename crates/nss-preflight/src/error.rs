//! The crate's error type.

/// What can go wrong in this crate: only parsing. Probing never errors out of a check;
/// a failed probe becomes a [`Finding`](crate::Finding).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A version string that is not `MAJOR.MINOR[.PATCH]` of numbers.
    #[error("{what} version {value:?} is not MAJOR.MINOR[.PATCH] (e.g. 12.8.1 or 570.86.10)")]
    Version {
        /// Which version: `CUDA` or `driver`.
        what: &'static str,
        /// The text that did not parse.
        value: String,
    },
}
