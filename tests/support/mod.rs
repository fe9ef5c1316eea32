//! Shared by the integration tests that `mod support;` it: the corpus generator and the xmllint
//! oracle.

// Each test binary uses a different part of these modules.
#![allow(dead_code)]

pub mod corpus;
pub mod xmllint;
