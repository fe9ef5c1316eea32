//! XSD engine: compile an XML Schema once, then validate documents against it in one streaming pass.

pub mod pattern;
