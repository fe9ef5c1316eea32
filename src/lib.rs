//! # accrochage
//!
//! Turns the spreadsheet a French certification body keeps into the XML file the Caisse des Dépôts
//! (SI CPF, « accrochage certificateur ») expects, and checks it against the CDC's XSD — natively
//! or in the browser through WebAssembly, where no personal data ever leaves the user's machine.
//!
//! Data flows one way, one module per stage:
//! workbook → rows with cell addresses → typed records → diagnostics → XML → schema validation.
//!
//! The [`xsd`] module is the schema engine every other stage builds on; the [`dictionary`] adds
//! what people need beside the schema (French labels, help, accepted spellings), and
//! [`template`] turns both into the Excel workbook users fill in.

pub mod accuse;
pub mod convert;
pub mod dictionary;
mod fnv;
/// Fuzz target bodies, shared by `fuzz/` and `tests/fuzz_smoke.rs`; not a stable API.
#[doc(hidden)]
pub mod fuzzing;
pub mod sample;
#[cfg(feature = "xlsx-template")]
pub mod template;
pub mod unicode;
#[cfg(target_arch = "wasm32")]
pub mod wasm;
#[cfg(target_arch = "wasm32")]
pub mod wasm_accuse;
#[cfg(target_arch = "wasm32")]
mod wasm_alloc;
pub mod workbook;
pub mod xsd;
