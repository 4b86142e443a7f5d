//! `nss-preflight [--json] [--strict] -- PROGRAM [ARGS...]`: check, hint, exec.

fn main() {}
