//! XSD engine: compile an XML Schema once into a small model, then validate documents against it
//! in one streaming pass, with every error located (line, column, element path, `idTechnique`)
//! and explained in French.
//!
//! ```
//! use accrochage::xsd::{Schema, ValidationOptions};
//! let schema = Schema::cdc(); // the CDC schema shipped with the tool (version 1.1.2)
//! assert_eq!(schema.version(), Some("1.1.2"));
//! let report = schema.validate_str("<flux/>", &ValidationOptions::default());
//! assert!(!report.is_valid());
//! assert_eq!(report.errors().next().unwrap().code.as_str(), "root-unexpected");
//! ```
//!
//! Modules, in the order data goes through them: [`compile`] reads the XSD into the [`model`]
//! (using [`builtin`] types and [`pattern`] for regular expressions); [`validate`] walks an
//! instance and produces [`diagnostic`]s.

pub mod builtin;
pub mod compile;
pub mod diagnostic;
pub mod model;
pub mod pattern;
pub mod validate;

pub use compile::SchemaError;
pub use diagnostic::{Code, Diagnostic, Severity};
pub use model::{ChildSlot, ElementDecl, ElementId, Schema, SimpleType, TypeRef};
pub use validate::{Report, ValidationOptions};

/// The CDC schema the tool ships with: a faithful encoding of the published format 1.1.2.
pub const CDC_XSD: &str = include_str!("../../xsd/cdc-1.1.2.xsd");

impl Schema {
    /// Compiles an XSD document (as text).
    pub fn parse(xsd: &str) -> Result<Schema, SchemaError> {
        compile::compile(xsd)
    }

    /// The embedded CDC schema, compiled.
    pub fn cdc() -> Schema {
        // The embedded file is tested to compile; failing here is a build defect, not user input.
        Schema::parse(CDC_XSD).expect("the embedded CDC schema compiles")
    }
}
