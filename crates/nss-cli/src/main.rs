//! The `nss` command.

fn main() {}
