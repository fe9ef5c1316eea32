//! Shared by the integration tests that `mod support;` it: the corpus generator, the xmllint
//! oracle and the workbook fixture builders.

// Each test binary uses a different part of these modules.
#![allow(dead_code)]

pub mod corpus;
pub mod workbooks;
pub mod xmllint;

pub use workbooks::*;
