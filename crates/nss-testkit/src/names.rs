//! Names no other test, and no earlier or concurrent run, uses.

use std::sync::atomic::{AtomicU32, Ordering};

/// `nss-test-<what>-<pid>-<nanos>-<n>`: unique per call (a counter), per process (the
/// pid) and per run (the clock), in the characters an image tag, a container name and a
/// directory name all accept (lowercase `what` in, lowercase out).
///
/// ```
/// let a = nss_testkit::unique("mini");
/// assert!(a.starts_with("nss-test-mini-"));
/// assert_ne!(a, nss_testkit::unique("mini"));
/// ```
pub fn unique(what: &str) -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    format!(
        "nss-test-{what}-{}-{nanos:x}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}
