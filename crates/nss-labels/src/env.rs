//! Environment variables this crate reads (always from an injected map, never
//! from the process environment directly).

/// Seconds since 1970-01-01 UTC; when set, `org.opencontainers.image.created`
/// is this instant instead of the HEAD commit time (set but empty counts as unset)
/// (<https://reproducible-builds.org/specs/source-date-epoch/>).
pub const SOURCE_DATE_EPOCH: &str = "SOURCE_DATE_EPOCH";
