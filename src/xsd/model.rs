//! The compiled schema: element declarations, complex types with their content automata, simple
//! types with their facets merged along the derivation chain. Built by [`super::compile`], read
//! by the validator and by the converter (which walks it to write XML in schema order).

use super::builtin::{Builtin, LexicalError, Value, WhiteSpace};
use super::pattern::Pattern;

pub type ElementId = usize;
pub type SimpleTypeId = usize;
pub type ComplexTypeId = usize;

/// A compiled XML Schema (one target namespace, no imports).
#[derive(Debug, Clone)]
pub struct Schema {
    pub(crate) target_namespace: Option<String>,
    pub(crate) version: Option<String>,
    pub(crate) elements: Vec<ElementDecl>,
    pub(crate) simple_types: Vec<SimpleType>,
    pub(crate) complex_types: Vec<ComplexType>,
    pub(crate) globals: Vec<ElementId>,
    /// Distinct (namespace, local name) pairs of all element declarations.
    pub(crate) names: Vec<(Option<String>, String)>,
}

impl Schema {
    pub fn target_namespace(&self) -> Option<&str> {
        self.target_namespace.as_deref()
    }

    /// The schema's `version` attribute (« 1.1.2 » for the CDC schema shipped with the tool).
    pub fn version(&self) -> Option<&str> {
        self.version.as_deref()
    }

    pub fn element(&self, id: ElementId) -> &ElementDecl {
        &self.elements[id]
    }

    /// Every element declaration, global and local.
    pub fn elements(&self) -> &[ElementDecl] {
        &self.elements
    }

    /// Declarations with this local name (a name may be declared in several places, like
    /// `idClient` under emetteur and under certificateur).
    pub fn elements_named<'a>(
        &'a self,
        local_name: &'a str,
    ) -> impl Iterator<Item = ElementId> + 'a {
        (0..self.elements.len()).filter(move |&id| self.elements[id].name == local_name)
    }

    /// The simple type of a simple-typed element.
    pub fn element_simple_type(&self, id: ElementId) -> Option<&SimpleType> {
        match self.elements[id].type_ref {
            TypeRef::Simple(st) => Some(&self.simple_types[st]),
            TypeRef::Complex(_) => None,
        }
    }

    /// The id of the simple type of element `id`, if its type is simple.
    pub fn element_simple_type_id(&self, id: ElementId) -> Option<SimpleTypeId> {
        match self.elements[id].type_ref {
            TypeRef::Simple(st) => Some(st),
            TypeRef::Complex(_) => None,
        }
    }

    pub fn simple_type(&self, id: SimpleTypeId) -> &SimpleType {
        &self.simple_types[id]
    }

    pub fn complex_type(&self, id: ComplexTypeId) -> &ComplexType {
        &self.complex_types[id]
    }

    /// Global element declarations: the possible document roots.
    pub fn global_elements(&self) -> impl Iterator<Item = &ElementDecl> + '_ {
        self.globals.iter().map(|&id| &self.elements[id])
    }

    pub fn global_element(&self, local_name: &str) -> Option<ElementId> {
        self.globals
            .iter()
            .copied()
            .find(|&id| self.elements[id].name == local_name)
    }

    /// The child declarations of an element, in schema order, with their occurrence bounds and
    /// the choice they belong to, if any. Empty for simple-typed elements.
    pub fn children(&self, id: ElementId) -> Vec<ChildSlot> {
        match self.elements[id].type_ref {
            TypeRef::Simple(_) => Vec::new(),
            TypeRef::Complex(ct) => {
                let mut out = Vec::new();
                if let Some(p) = &self.complex_types[ct].particle {
                    flatten_particle(p, None, (1, Some(1)), &mut 0, &mut out);
                }
                out
            }
        }
    }
}

/// One child element in a content model, as the XML writer needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChildSlot {
    pub element: ElementId,
    pub min_occurs: u32,
    pub max_occurs: Option<u32>,
    /// Set for the members of a `choice`: slots sharing a number are alternatives.
    pub choice: Option<u32>,
}

/// Flattens a particle into child slots. Occurrence bounds of enclosing groups multiply into each
/// slot (`<choice maxOccurs="unbounded"><element name="certification"/></choice>` makes
/// certification repeatable); members of a choice of several branches become optional.
fn flatten_particle(
    p: &Particle,
    choice: Option<u32>,
    outer: (u32, Option<u32>),
    next_choice: &mut u32,
    out: &mut Vec<ChildSlot>,
) {
    let min = outer.0.saturating_mul(p.min);
    let max = match (outer.1, p.max) {
        (Some(a), Some(b)) => Some(a.saturating_mul(b)),
        _ => None,
    };
    match &p.term {
        Term::Element(e) => out.push(ChildSlot {
            element: *e,
            min_occurs: min,
            max_occurs: max,
            choice,
        }),
        Term::Sequence(items) | Term::All(items) => {
            for item in items {
                flatten_particle(item, choice, (min, max), next_choice, out)
            }
        }
        Term::Choice(items) => {
            let own = if items.len() > 1 {
                *next_choice += 1;
                Some(*next_choice)
            } else {
                choice
            };
            for item in items {
                flatten_particle(item, own, (min, max), next_choice, out)
            }
        }
    }
}

#[derive(Debug, Clone)]
pub struct ElementDecl {
    pub name: String,
    /// Index into the schema's interned names: the validator matches elements by this number.
    pub name_id: u32,
    pub namespace: Option<String>,
    pub type_ref: TypeRef,
    pub nillable: bool,
    /// Line of the declaration in the XSD, for messages about the schema itself.
    pub line: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TypeRef {
    Simple(SimpleTypeId),
    Complex(ComplexTypeId),
}

#[derive(Debug, Clone)]
pub struct ComplexType {
    pub name: Option<String>,
    pub mixed: bool,
    /// The content model as written (for the writer and for messages).
    pub particle: Option<Particle>,
    /// The same, compiled for matching.
    pub content: ContentModel,
    pub attributes: Vec<AttributeDecl>,
}

#[derive(Debug, Clone)]
pub struct Particle {
    pub min: u32,
    /// `None` for unbounded.
    pub max: Option<u32>,
    pub term: Term,
}

#[derive(Debug, Clone)]
pub enum Term {
    Element(ElementId),
    Sequence(Vec<Particle>),
    Choice(Vec<Particle>),
    All(Vec<Particle>),
}

#[derive(Debug, Clone)]
pub enum ContentModel {
    /// No child elements allowed.
    Empty,
    /// An `all` group: each member at most once, in any order.
    All {
        members: Vec<ElementId>,
        required: Vec<bool>,
        /// `minOccurs="0"` on the group: an element with no children at all is valid.
        optional: bool,
    },
    /// Any other model, as a Glushkov automaton over element positions.
    Automaton(Automaton),
}

/// A position automaton: each position is one occurrence of an element declaration in the
/// (occurrence-expanded) content model.
#[derive(Debug, Clone, Default)]
pub struct Automaton {
    pub positions: Vec<ElementId>,
    pub first: Vec<u32>,
    pub follow: Vec<Vec<u32>>,
    pub last: Vec<bool>,
    pub nullable: bool,
    /// Name ids that may occur more than once.
    pub repeatable: Vec<u32>,
}

impl Automaton {
    /// Whether an element of this name may occur more than once (some occurrence of it can be
    /// followed by another).
    pub fn can_repeat(&self, name_id: Option<u32>) -> bool {
        let Some(id) = name_id else { return false };
        self.repeatable.contains(&id)
    }
}

#[derive(Debug, Clone)]
pub struct AttributeDecl {
    pub name: String,
    pub namespace: Option<String>,
    pub simple_type: SimpleTypeId,
    pub required: bool,
}

/// A simple type with the facets of its whole derivation chain.
#[derive(Debug, Clone)]
pub struct SimpleType {
    pub name: Option<String>,
    pub builtin: Builtin,
    pub whitespace: WhiteSpace,
    pub length: Option<usize>,
    pub min_length: Option<usize>,
    pub max_length: Option<usize>,
    /// One group per derivation step: a value must match one pattern of every group.
    pub patterns: Vec<Vec<Pattern>>,
    /// Allowed literals as written, and their values (most derived enumeration only).
    pub enumeration: Option<Vec<(String, Value)>>,
    pub min_inclusive: Option<(String, Value)>,
    pub max_inclusive: Option<(String, Value)>,
    pub min_exclusive: Option<(String, Value)>,
    pub max_exclusive: Option<(String, Value)>,
    pub total_digits: Option<usize>,
    pub fraction_digits: Option<usize>,
}

impl SimpleType {
    pub fn of_builtin(builtin: Builtin) -> SimpleType {
        SimpleType {
            name: Some(builtin.name().to_owned()),
            builtin,
            whitespace: builtin.whitespace(),
            length: None,
            min_length: None,
            max_length: None,
            patterns: Vec::new(),
            enumeration: None,
            min_inclusive: None,
            max_inclusive: None,
            min_exclusive: None,
            max_exclusive: None,
            total_digits: None,
            fraction_digits: None,
        }
    }

    /// The enumeration's literals, if the type is an enumeration.
    pub fn enumeration_values(&self) -> Option<Vec<&str>> {
        self.enumeration
            .as_ref()
            .map(|e| e.iter().map(|(s, _)| s.as_str()).collect())
    }

    /// The largest number of characters a value may have, if bounded.
    pub fn max_chars(&self) -> Option<usize> {
        self.length.or(self.max_length)
    }

    /// Checks a raw text value (as found between the tags) and returns the first violation.
    pub fn check(&self, raw: &str) -> Result<(), Violation> {
        let normalized = self.whitespace.apply(raw);
        // String values need no parsed form unless a facet compares values: skip the allocation
        // on the hot path (every text element of a document).
        let value = if self.builtin.is_stringlike() {
            self.builtin
                .check_lexical_str(&normalized)
                .map_err(Violation::Lexical)?;
            None
        } else {
            Some(
                self.builtin
                    .parse(&normalized)
                    .map_err(Violation::Lexical)?,
            )
        };
        if self.builtin.is_stringlike() {
            let chars = normalized.chars().count();
            if let Some(n) = self.length {
                if chars != n {
                    return Err(Violation::Length {
                        expected: n,
                        actual: chars,
                    });
                }
            }
            if let Some(n) = self.min_length {
                if chars < n {
                    return Err(Violation::MinLength {
                        min: n,
                        actual: chars,
                    });
                }
            }
            if let Some(n) = self.max_length {
                if chars > n {
                    return Err(Violation::MaxLength {
                        max: n,
                        actual: chars,
                    });
                }
            }
        }
        for group in &self.patterns {
            if !group.iter().any(|p| p.is_match(&normalized)) {
                let sources: Vec<&str> = group.iter().map(|p| p.source()).collect();
                return Err(Violation::Pattern {
                    pattern: sources.join(" | "),
                });
            }
        }
        if let Some(allowed) = &self.enumeration {
            let found = match &value {
                None => allowed.iter().any(|(lit, _)| *lit == normalized),
                Some(value) => allowed.iter().any(|(_, v)| v == value),
            };
            if !found {
                return Err(Violation::Enumeration);
            }
        }
        use std::cmp::Ordering::*;
        let Some(value) = value else { return Ok(()) };
        let bound = |b: &Option<(String, Value)>, ok: &[std::cmp::Ordering]| match b {
            Some((lit, v)) => match value.partial_cmp_value(v) {
                Some(o) if ok.contains(&o) => None,
                _ => Some(lit.clone()),
            },
            None => None,
        };
        if let Some(limit) = bound(&self.min_inclusive, &[Greater, Equal]) {
            return Err(Violation::MinInclusive { limit });
        }
        if let Some(limit) = bound(&self.max_inclusive, &[Less, Equal]) {
            return Err(Violation::MaxInclusive { limit });
        }
        if let Some(limit) = bound(&self.min_exclusive, &[Greater]) {
            return Err(Violation::MinExclusive { limit });
        }
        if let Some(limit) = bound(&self.max_exclusive, &[Less]) {
            return Err(Violation::MaxExclusive { limit });
        }
        if let Value::Decimal(d) = &value {
            if let Some(n) = self.total_digits {
                if d.total_digits() > n {
                    return Err(Violation::TotalDigits { max: n });
                }
            }
            if let Some(n) = self.fraction_digits {
                if d.fraction_digits() > n {
                    return Err(Violation::FractionDigits { max: n });
                }
            }
        }
        Ok(())
    }
}

/// Why a value does not belong to its simple type: the facet that failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Violation {
    Lexical(LexicalError),
    Length { expected: usize, actual: usize },
    MinLength { min: usize, actual: usize },
    MaxLength { max: usize, actual: usize },
    Pattern { pattern: String },
    Enumeration,
    MinInclusive { limit: String },
    MaxInclusive { limit: String },
    MinExclusive { limit: String },
    MaxExclusive { limit: String },
    TotalDigits { max: usize },
    FractionDigits { max: usize },
}

/// The texts that passed each simple type's check last, two per type: the records of a
/// document repeat the same few values (booleans, codes, enumerations) record after record, and
/// a text that passed a type's check passes it again, the check depending on nothing else.
/// Each checker (the validator of one document, a thread converting rows) keeps its own.
///
/// ```
/// use accrochage::xsd::{model::Passed, Schema};
/// let schema = Schema::cdc();
/// let sexe = schema.elements_named("sexe").next().unwrap();
/// let st = schema.element_simple_type_id(sexe).unwrap();
/// let mut passed = Passed::default();
/// for _ in 0..3 {
///     assert!(passed.check(&schema, st, "F").is_ok());
///     assert!(passed.check(&schema, st, "X").is_err());
/// }
/// ```
#[derive(Debug, Default)]
pub struct Passed {
    recent: Vec<Recent>,
}

/// One simple type's last texts that passed, and how often they were met again.
#[derive(Debug, Default)]
struct Recent {
    texts: [String; 2],
    hits: u32,
    misses: u32,
}

/// Longer texts (free comments, URLs) rarely repeat: they are checked without being kept.
const PASSED_MAX_LEN: usize = 48;

impl Recent {
    /// Names, dates and identifiers seldom repeat: a text met again saves a check (hundreds of
    /// instructions for a pattern or a date), a new one costs two comparisons and a copy; once a
    /// type's texts have been new nine times in ten, they are only checked.
    fn worth_keeping(&self) -> bool {
        self.misses < 64 || self.hits.saturating_mul(8) >= self.misses
    }
}

impl Passed {
    /// [`SimpleType::check`] of the schema's simple type `st`, skipped for a text that passed it
    /// last or the time before.
    pub fn check(&mut self, schema: &Schema, st: SimpleTypeId, raw: &str) -> Result<(), Violation> {
        if raw.is_empty() || raw.len() > PASSED_MAX_LEN {
            return schema.simple_types[st].check(raw);
        }
        if st >= self.recent.len() {
            self.recent
                .resize_with(schema.simple_types.len().max(st + 1), Default::default);
        }
        let recent = &mut self.recent[st];
        if !recent.worth_keeping() {
            return schema.simple_types[st].check(raw);
        }
        // An empty slot never matches: `raw` is not empty.
        if recent.texts[0] == raw || recent.texts[1] == raw {
            recent.hits += 1;
            return Ok(());
        }
        recent.misses += 1;
        schema.simple_types[st].check(raw)?;
        recent.texts.swap(0, 1);
        recent.texts[0].clear();
        recent.texts[0].push_str(raw);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn type_of(schema: &Schema, name: &str) -> SimpleTypeId {
        let e = schema.elements_named(name).next().unwrap();
        schema.element_simple_type_id(e).unwrap()
    }

    /// A text kept for one type says nothing of another, failures are never kept, and the
    /// verdicts stay those of the type's own check whatever came before.
    #[test]
    fn passed_gives_the_verdicts_of_the_check() {
        let schema = Schema::cdc();
        let id_client = type_of(&schema, "idClient");
        let sexe = type_of(&schema, "sexe");
        let annee = type_of(&schema, "anneeNaissance");
        let texts = [
            "ABCD1234", "F", "M", "1990", "ABCD123", "", " F", "1990 ", "x",
        ];
        let mut passed = Passed::default();
        for round in 0..3 {
            for st in [id_client, sexe, annee] {
                for t in texts {
                    assert_eq!(
                        passed.check(&schema, st, t).is_ok(),
                        schema.simple_type(st).check(t).is_ok(),
                        "round {round}, type {st}, « {t} »"
                    );
                }
            }
        }
        // Kept: the second check of a text that passed does not reach the type's check.
        assert!(passed.recent[sexe].texts.iter().any(|t| t == "M"));
        assert!(!passed.recent[sexe].texts.iter().any(|t| t == "x"));
        assert!(!passed.recent[id_client].texts.iter().any(|t| t == "F"));
    }

    /// A type whose texts are mostly new stops keeping them, and still gives the check's
    /// verdicts.
    #[test]
    fn passed_stops_keeping_texts_that_do_not_repeat() {
        let schema = Schema::cdc();
        let annee = type_of(&schema, "anneeNaissance");
        let mut passed = Passed::default();
        for year in 1900..2000 {
            assert!(passed.check(&schema, annee, &year.to_string()).is_ok());
        }
        assert!(!passed.recent[annee].worth_keeping());
        assert!(passed.check(&schema, annee, "1990").is_ok());
        assert!(passed.check(&schema, annee, "199").is_err());
        assert!(passed.check(&schema, annee, "1990").is_ok());
    }
}
