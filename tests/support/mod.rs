//! Shared by the integration tests that `mod support;` it: the corpus generator, the xmllint
//! oracle and the workbook fixture builders.

// Each test binary uses a different part of these modules.
#![allow(dead_code)]

pub mod catalogue;
pub mod corpus;
pub mod workbooks;
pub mod xlsb;
pub mod xmllint;

#[allow(unused_imports)] // only the workbook tests use the builders unqualified
pub use workbooks::*;

/// The columns of a minimal clean passage, in the template's order (A to M).
pub const MINIMAL_HEADER: &[&str] = &[
    "idTechnique",
    "type",
    "code",
    "obtentionCertification",
    "donneeCertifiee",
    "dateDebutValidite",
    "presenceNiveauLangueEuro",
    "presenceNiveauNumeriqueEuro",
    "nomNaissance",
    "prenom1",
    "anneeNaissance",
    "sexe",
    "codeInsee",
];
