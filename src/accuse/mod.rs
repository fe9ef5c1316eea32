//! After the deposit: reading the CDC's *accusé de traitement* and acting on it.
//!
//! The CDC answers each deposited file with either a whole-file rejection (an XSD error at a line
//! and column) or lists of accepted (`PassagesOK`) and refused (`PassagesKO`) passages with a
//! terse message each. Refused passages must be corrected and sent again in a new file; accepted
//! ones must never be sent again; an idTechnique is never reused.
//!
//! Stages, one module each: [`parse`] reads the accusé; [`explain`] says what each message means
//! and what to do; [`reconcile`] gives every row of the workbook (or passage of the XML) its
//! status; [`export`] writes the rows to send again as a workbook in the template's format.
//!
//! ```
//! use accrochage::accuse::{parse_accuse, reconcile, Sent, Status};
//! use accrochage::xsd::Schema;
//! let accuse = parse_accuse(
//!     "<rapport><idFlux>F-1</idFlux><idTraitement>1</idTraitement>\
//!      <PassagesKO><passage><idTechnique>T-2</idTechnique>\
//!      <messageErreur>Aucun titulaire ne correspond aux critères obligatoires</messageErreur>\
//!      </passage></PassagesKO><PassagesOK><idTechnique>T-1</idTechnique></PassagesOK></rapport>"
//!         .as_bytes(),
//! )
//! .unwrap();
//! let csv = "idTechnique;type;code;nomNaissance\nT-1;RS;RS1234;DUPONT\nT-2;RS;RS1234;MARTIN\n";
//! let sent = Sent { workbook: Some((csv.as_bytes(), "passages.csv")), xml: None };
//! let result = reconcile(&accuse, &sent, &Schema::cdc()).unwrap();
//! assert_eq!(result.entries[0].status, Status::Ok);
//! assert_eq!(result.entries[1].status, Status::Ko);
//! assert_eq!(result.entries[1].cell.as_deref(), Some("Passages!A3"));
//! assert!(result.entries[1].message.contains("nom de naissance"));
//! ```

pub mod explain;
pub mod export;
pub mod parse;
pub mod reconcile;

pub use explain::{explain, explain_rejection, Explanation, Reason};
#[cfg(feature = "xlsx-template")]
pub use export::{export_ko, export_ko_book};
pub use export::{is_accuse_column, ACCUSE_COLUMNS};
pub use parse::{parse_accuse, Accuse, AccuseError, ErreurFichier, PassageKo};
pub use reconcile::{
    reconcile, reconcile_book, Entry, Note, ReasonCount, ReconcileError, Reconciliation,
    RejectionSpot, Sent, Status, Summary, Unknown,
};
