//! Integration tests of the `nss` command.

mod containers;
