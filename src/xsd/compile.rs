//! Schema compiler: reads an XSD document and builds the [`Schema`] model once.
//!
//! Every construct is either compiled or refused with a French message naming it and its line:
//! a schema feature the engine silently ignored would make it accept files the CDC rejects.
//!
//! ```
//! let schema = accrochage::xsd::Schema::parse(r#"
//!   <xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">
//!     <xs:element name="a" type="xs:int"/>
//!   </xs:schema>"#).unwrap();
//! assert!(schema.global_element("a").is_some());
//!
//! let err = accrochage::xsd::Schema::parse(r#"
//!   <xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">
//!     <xs:element name="a"><xs:complexType><xs:sequence><xs:any/></xs:sequence></xs:complexType></xs:element>
//!   </xs:schema>"#).unwrap_err();
//! assert_eq!(err.line, 3);
//! assert!(err.message.contains("any"));
//! ```

use std::collections::HashMap;
use std::fmt;

use quick_xml::events::Event;
use quick_xml::Reader;

use super::builtin::{Builtin, Value, WhiteSpace};
use super::model::*;
use super::pattern::Pattern;

pub const XSD_NS: &str = "http://www.w3.org/2001/XMLSchema";
/// Positions of one content automaton, after expanding minOccurs/maxOccurs; a bound on the
/// memory a hostile `maxOccurs="1000000"` could claim.
const MAX_POSITIONS: usize = 10_000;
const MAX_ALL_MEMBERS: usize = 128;
/// Nesting of the XSD document itself: compiling (and dropping) the tree recurses once per level,
/// and a browser gives WebAssembly about 1 MB of stack.
const MAX_XSD_DEPTH: usize = 128;

/// Why a schema cannot be used, with the line of the offending construct in the XSD.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaError {
    pub line: u32,
    pub message: String,
}

impl fmt::Display for SchemaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line > 0 {
            write!(f, "schéma XSD, ligne {} : {}", self.line, self.message)
        } else {
            write!(f, "schéma XSD : {}", self.message)
        }
    }
}

impl std::error::Error for SchemaError {}

fn err<T>(line: u32, message: impl Into<String>) -> Result<T, SchemaError> {
    Err(SchemaError {
        line,
        message: message.into(),
    })
}

/// A minimal element tree of the XSD document, with in-scope namespace bindings per element
/// (QName-valued attributes like `type="cpf:flux"` are resolved against them).
#[derive(Debug)]
struct Node {
    ns: Option<String>,
    local: String,
    attrs: Vec<(String, String)>,
    children: Vec<Node>,
    line: u32,
    scope: std::rc::Rc<Vec<(String, String)>>,
}

impl Node {
    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn is_xsd(&self, local: &str) -> bool {
        self.ns.as_deref() == Some(XSD_NS) && self.local == local
    }

    /// Children that matter: XSD elements other than annotations.
    fn content(&self) -> impl Iterator<Item = &Node> {
        self.children.iter().filter(|c| !c.is_xsd("annotation"))
    }

    fn resolve_prefix(&self, prefix: &str) -> Option<&str> {
        self.scope
            .iter()
            .rev()
            .find(|(p, _)| p == prefix)
            .map(|(_, uri)| uri.as_str())
    }

    /// Resolves a QName attribute value into (namespace, local name).
    fn qname(&self, value: &str) -> Result<(Option<String>, String), SchemaError> {
        let (prefix, local) = match value.split_once(':') {
            Some((p, l)) => (p, l),
            None => ("", value),
        };
        match self.resolve_prefix(prefix) {
            Some(uri) if !uri.is_empty() => Ok((Some(uri.to_owned()), local.to_owned())),
            _ if prefix.is_empty() => Ok((None, local.to_owned())),
            _ => err(
                self.line,
                format!("le préfixe « {prefix} » de « {value} » n'est déclaré par aucun xmlns"),
            ),
        }
    }

    /// Refuses attributes the engine does not understand, naming them.
    fn check_attrs(&self, handled: &[&str], ignorable: &[&str]) -> Result<(), SchemaError> {
        for (k, _) in &self.attrs {
            if k.starts_with("xmlns") || k.contains(':') {
                continue; // namespace declarations and foreign attributes carry no constraint
            }
            if !handled.contains(&k.as_str()) && !ignorable.contains(&k.as_str()) {
                return err(
                    self.line,
                    format!(
                        "l'attribut « {k} » de xs:{} n'est pas pris en charge par accrochage",
                        self.local
                    ),
                );
            }
        }
        Ok(())
    }
}

fn parse_tree(xsd: &str) -> Result<Node, SchemaError> {
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(xsd.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let line_of = |offset: u64| -> u32 {
        match line_starts.binary_search(&(offset as usize)) {
            Ok(i) => i as u32 + 1,
            Err(i) => i as u32,
        }
    };
    let mut reader = Reader::from_str(xsd);
    reader.config_mut().check_end_names = true;
    let mut stack: Vec<Node> = Vec::new();
    let mut root: Option<Node> = None;
    let mut scopes: Vec<std::rc::Rc<Vec<(String, String)>>> = vec![std::rc::Rc::new(vec![(
        "xml".to_owned(),
        "http://www.w3.org/XML/1998/namespace".to_owned(),
    )])];
    loop {
        let start = reader.buffer_position();
        let event = match reader.read_event() {
            Ok(e) => e,
            Err(e) => {
                return err(
                    line_of(reader.error_position()),
                    format!(
                        "le fichier XSD n'est pas un XML bien formé : {}",
                        super::validate::malformed_detail(&e)
                    ),
                )
            }
        };
        let line = line_of(start);
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let mut attrs = Vec::new();
                let parent_scope = scopes.last().cloned().unwrap_or_default();
                let mut scope: Option<Vec<(String, String)>> = None;
                for a in e.attributes().with_checks(true) {
                    let a = a.map_err(|e| SchemaError {
                        line,
                        message: format!("attribut mal formé dans le XSD ({e})"),
                    })?;
                    let key = a.key.0.to_owned();
                    let value = a
                        .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                        .map_err(|e| SchemaError {
                            line,
                            message: format!("valeur d'attribut illisible dans le XSD ({e})"),
                        })?
                        .into_owned();
                    if key == "xmlns" || key.starts_with("xmlns:") {
                        let prefix = key.strip_prefix("xmlns:").unwrap_or("").to_owned();
                        scope
                            .get_or_insert_with(|| (*parent_scope).clone())
                            .push((prefix, value.clone()));
                    }
                    attrs.push((key, value));
                }
                let scope = match scope {
                    Some(s) => std::rc::Rc::new(s),
                    None => parent_scope,
                };
                let qname = e.name().0.to_owned();
                let (prefix, local) = match qname.split_once(':') {
                    Some((p, l)) => (p.to_owned(), l.to_owned()),
                    None => (String::new(), qname.clone()),
                };
                let ns = scope
                    .iter()
                    .rev()
                    .find(|(p, _)| *p == prefix)
                    .map(|(_, u)| u.clone())
                    .filter(|u| !u.is_empty());
                let node = Node {
                    ns,
                    local,
                    attrs,
                    children: Vec::new(),
                    line,
                    scope: scope.clone(),
                };
                if matches!(event, Event::Start(_)) {
                    if stack.len() >= MAX_XSD_DEPTH {
                        return err(
                            line,
                            format!("le XSD imbrique plus de {MAX_XSD_DEPTH} niveaux d'éléments : ce n'est pas un schéma utilisable (celui de la CDC en compte moins de 20)"),
                        );
                    }
                    scopes.push(scope);
                    stack.push(node);
                } else if let Some(parent) = stack.last_mut() {
                    parent.children.push(node);
                } else {
                    root = Some(node);
                }
            }
            Event::End(_) => {
                scopes.pop();
                let node = stack.pop().ok_or_else(|| SchemaError {
                    line,
                    message: "balise fermante sans ouverture".into(),
                })?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(node),
                    None => root = Some(node),
                }
            }
            Event::DocType(_) => return err(
                line,
                "un XSD ne doit pas contenir de DTD (<!DOCTYPE>) : elle est refusée par sécurité",
            ),
            Event::Eof => break,
            _ => {}
        }
    }
    root.ok_or_else(|| SchemaError {
        line: 1,
        message: "le fichier est vide : ce n'est pas un schéma XSD".into(),
    })
}

/// Compiles an XSD document.
pub(crate) fn compile(xsd: &str) -> Result<Schema, SchemaError> {
    let xsd = xsd.strip_prefix('\u{feff}').unwrap_or(xsd);
    let root = parse_tree(xsd)?;
    if !root.is_xsd("schema") {
        return err(
            root.line,
            format!(
                "l'élément racine est « {} » : un schéma XSD commence par <xs:schema> (espace de noms {XSD_NS})",
                root.local
            ),
        );
    }
    root.check_attrs(
        &["targetNamespace", "elementFormDefault", "version"],
        &["attributeFormDefault", "id", "blockDefault", "finalDefault"],
    )?;
    if root.attr("attributeFormDefault") == Some("qualified") {
        return err(
            root.line,
            "attributeFormDefault=\"qualified\" n'est pas pris en charge",
        );
    }
    let mut c = Compiler {
        tns: root.attr("targetNamespace").map(str::to_owned),
        qualified: match root.attr("elementFormDefault") {
            None | Some("unqualified") => false,
            Some("qualified") => true,
            Some(other) => {
                return err(
                    root.line,
                    format!(
                        "elementFormDefault=\"{other}\" est invalide (qualified ou unqualified)"
                    ),
                )
            }
        },
        schema: Schema {
            target_namespace: root.attr("targetNamespace").map(str::to_owned),
            version: root.attr("version").map(str::to_owned),
            elements: Vec::new(),
            simple_types: Vec::new(),
            complex_types: Vec::new(),
            globals: Vec::new(),
            names: Vec::new(),
        },
        named_complex: HashMap::new(),
        named_simple: HashMap::new(),
        simple_cache: HashMap::new(),
        builtin_cache: HashMap::new(),
        simple_in_progress: Vec::new(),
        name_ids: HashMap::new(),
    };
    let mut complex_nodes = Vec::new();
    let mut element_nodes = Vec::new();
    for child in root.content() {
        if child.ns.as_deref() != Some(XSD_NS) {
            return err(
                child.line,
                format!(
                    "élément inattendu « {} » au premier niveau du schéma",
                    child.local
                ),
            );
        }
        let name = || -> Result<String, SchemaError> {
            child
                .attr("name")
                .map(str::to_owned)
                .ok_or_else(|| SchemaError {
                    line: child.line,
                    message: format!("xs:{} de premier niveau sans attribut name", child.local),
                })
        };
        match child.local.as_str() {
            "complexType" => {
                let n = name()?;
                let id = c.schema.complex_types.len();
                c.schema
                    .complex_types
                    .push(placeholder_complex(Some(n.clone())));
                if c.named_complex.insert(n.clone(), id).is_some() {
                    return err(child.line, format!("le type « {n} » est défini deux fois"));
                }
                complex_nodes.push((id, child));
            }
            "simpleType" => {
                let n = name()?;
                if c.named_simple.insert(n.clone(), child).is_some() {
                    return err(child.line, format!("le type « {n} » est défini deux fois"));
                }
            }
            "element" => {
                let n = name()?;
                child.check_attrs(&["name", "type", "nillable"], &["id", "block", "final"])?;
                if c.schema.global_element(&n).is_some() {
                    return err(
                        child.line,
                        format!("l'élément global « {n} » est défini deux fois"),
                    );
                }
                let ns = c.tns.clone();
                let id = c.new_element(n, ns, child);
                c.schema.globals.push(id);
                element_nodes.push((id, child));
            }
            other => return err(child.line, unsupported(other)),
        }
    }
    for name in c.named_complex.keys().cloned().collect::<Vec<_>>() {
        if c.named_simple.contains_key(&name) {
            let line = c.named_simple[&name].line;
            return err(
                line,
                format!("« {name} » est à la fois un type simple et un type complexe"),
            );
        }
    }
    let simple_names: Vec<String> = c.named_simple.keys().cloned().collect();
    for name in simple_names {
        c.named_simple_type(&name, 0)?;
    }
    for (id, node) in complex_nodes {
        let ct = c.complex_type(node, Some(node.attr("name").unwrap_or_default().to_owned()))?;
        c.schema.complex_types[id] = ct;
    }
    for (id, node) in element_nodes {
        let t = c.element_type(node)?;
        c.schema.elements[id].type_ref = t;
        c.schema.elements[id].nillable = parse_bool_attr(node, "nillable")?;
    }
    if c.schema.globals.is_empty() {
        return err(
            root.line,
            "le schéma ne déclare aucun élément global : aucune racine de document possible",
        );
    }
    Ok(c.schema)
}

fn unsupported(construct: &str) -> String {
    let hint = match construct {
        "import" | "include" | "redefine" => " (le schéma doit tenir en un seul fichier)",
        "any" | "anyAttribute" => " (les jokers ne sont pas acceptés)",
        _ => "",
    };
    format!("la construction xs:{construct} n'est pas prise en charge par accrochage{hint}")
}

/// The message for a length or digits facet that widens its base's.
fn loosened(facet: &str, value: &str, limit: usize) -> String {
    let verb = if facet == "length" {
        "contredit"
    } else {
        "élargit"
    };
    format!("xs:{facet} value=\"{value}\" {verb} la limite du type de base ({limit}) : une restriction ne peut que la resserrer")
}

fn placeholder_complex(name: Option<String>) -> ComplexType {
    ComplexType {
        name,
        mixed: false,
        particle: None,
        content: ContentModel::Empty,
        attributes: Vec::new(),
    }
}

fn parse_bool_attr(node: &Node, name: &str) -> Result<bool, SchemaError> {
    match node.attr(name).map(str::trim) {
        None | Some("false") | Some("0") => Ok(false),
        Some("true") | Some("1") => Ok(true),
        Some(other) => err(
            node.line,
            format!("{name}=\"{other}\" : valeur booléenne attendue (true ou false)"),
        ),
    }
}

fn parse_occurs(node: &Node) -> Result<(u32, Option<u32>), SchemaError> {
    let parse = |name: &str, v: &str| -> Result<u32, SchemaError> {
        v.trim().parse::<u32>().map_err(|_| SchemaError {
            line: node.line,
            message: format!("{name}=\"{v}\" : entier positif attendu"),
        })
    };
    let min = match node.attr("minOccurs") {
        Some(v) => parse("minOccurs", v)?,
        None => 1,
    };
    let max = match node.attr("maxOccurs") {
        Some(v) if v.trim() == "unbounded" => None,
        Some(v) => Some(parse("maxOccurs", v)?),
        None => Some(1),
    };
    if let Some(m) = max {
        if m < min {
            return err(
                node.line,
                format!("maxOccurs ({m}) est inférieur à minOccurs ({min})"),
            );
        }
    }
    Ok((min, max))
}

struct Compiler<'a> {
    tns: Option<String>,
    qualified: bool,
    schema: Schema,
    named_complex: HashMap<String, ComplexTypeId>,
    named_simple: HashMap<String, &'a Node>,
    simple_cache: HashMap<String, SimpleTypeId>,
    builtin_cache: HashMap<Builtin, SimpleTypeId>,
    simple_in_progress: Vec<String>,
    name_ids: HashMap<(Option<String>, String), u32>,
}

enum Resolved {
    Simple(SimpleTypeId),
    Complex(ComplexTypeId),
}

impl<'a> Compiler<'a> {
    fn new_element(&mut self, name: String, namespace: Option<String>, node: &Node) -> ElementId {
        let key = (namespace.clone(), name.clone());
        let next = self.name_ids.len() as u32;
        let name_id = *self.name_ids.entry(key.clone()).or_insert_with(|| {
            self.schema.names.push(key);
            next
        });
        self.schema.elements.push(ElementDecl {
            name,
            name_id,
            namespace,
            type_ref: TypeRef::Simple(usize::MAX),
            nillable: false,
            line: node.line,
        });
        self.schema.elements.len() - 1
    }

    fn builtin_type(&mut self, b: Builtin) -> SimpleTypeId {
        if let Some(&id) = self.builtin_cache.get(&b) {
            return id;
        }
        self.schema.simple_types.push(SimpleType::of_builtin(b));
        let id = self.schema.simple_types.len() - 1;
        self.builtin_cache.insert(b, id);
        id
    }

    fn resolve_type(&mut self, node: &Node, qname: &str) -> Result<Resolved, SchemaError> {
        let (ns, local) = node.qname(qname)?;
        if ns.as_deref() == Some(XSD_NS) {
            return match Builtin::from_local_name(&local) {
                Some(b) => Ok(Resolved::Simple(self.builtin_type(b))),
                None => err(
                    node.line,
                    format!("le type prédéfini xs:{local} n'est pas pris en charge par accrochage"),
                ),
            };
        }
        if ns != self.tns {
            return err(
                node.line,
                format!(
                    "le type « {qname} » appartient à un autre espace de noms que celui du schéma"
                ),
            );
        }
        if let Some(&id) = self.named_complex.get(&local) {
            return Ok(Resolved::Complex(id));
        }
        if self.named_simple.contains_key(&local) {
            return Ok(Resolved::Simple(self.named_simple_type(&local, node.line)?));
        }
        err(
            node.line,
            format!("le type « {qname} » n'est défini nulle part dans le schéma"),
        )
    }

    fn named_simple_type(&mut self, name: &str, line: u32) -> Result<SimpleTypeId, SchemaError> {
        if let Some(&id) = self.simple_cache.get(name) {
            return Ok(id);
        }
        if self.simple_in_progress.iter().any(|n| n == name) {
            return err(
                line,
                format!("le type simple « {name} » dérive de lui-même"),
            );
        }
        let node: &'a Node = self.named_simple[name];
        self.simple_in_progress.push(name.to_owned());
        let st = self.simple_type(node, Some(name.to_owned()))?;
        self.simple_in_progress.pop();
        self.schema.simple_types.push(st);
        let id = self.schema.simple_types.len() - 1;
        self.simple_cache.insert(name.to_owned(), id);
        Ok(id)
    }

    fn simple_type(
        &mut self,
        node: &Node,
        name: Option<String>,
    ) -> Result<SimpleType, SchemaError> {
        node.check_attrs(&["name"], &["id", "final"])?;
        let mut content = node.content();
        let Some(body) = content.next() else {
            return err(
                node.line,
                "xs:simpleType vide : une xs:restriction est attendue",
            );
        };
        if let Some(extra) = content.next() {
            return err(
                extra.line,
                format!("xs:{} en trop dans xs:simpleType", extra.local),
            );
        }
        if !body.is_xsd("restriction") {
            return err(body.line, unsupported(&body.local));
        }
        body.check_attrs(&["base"], &["id"])?;
        let mut facets = body.content().peekable();
        let mut st = match body.attr("base") {
            Some(base) => match self.resolve_type(body, base)? {
                Resolved::Simple(id) => self.schema.simple_types[id].clone(),
                Resolved::Complex(_) => {
                    return err(
                        body.line,
                        format!(
                            "la base « {base} » est un type complexe : un type simple est attendu"
                        ),
                    )
                }
            },
            None => match facets.next_if(|n| n.is_xsd("simpleType")) {
                Some(inline) => self.simple_type(inline, None)?,
                None => {
                    return err(
                        body.line,
                        "xs:restriction sans attribut base ni type simple intégré",
                    )
                }
            },
        };
        st.name = name;
        self.apply_facets(&mut st, facets)?;
        Ok(st)
    }

    fn apply_facets<'n>(
        &mut self,
        st: &mut SimpleType,
        facets: impl Iterator<Item = &'n Node>,
    ) -> Result<(), SchemaError> {
        let mut patterns: Vec<Pattern> = Vec::new();
        let mut enumeration: Vec<(String, Value)> = Vec::new();
        let b = st.builtin;
        // A restriction may only narrow its base (XSD 1.0 §4.3): the facets of this step are
        // checked against the base as it was before them.
        let base = st.clone();
        for f in facets {
            if f.ns.as_deref() != Some(XSD_NS) {
                return err(
                    f.line,
                    format!("élément inattendu « {} » dans xs:restriction", f.local),
                );
            }
            f.check_attrs(&["value"], &["id", "fixed"])?;
            let Some(value) = f.attr("value") else {
                return err(
                    f.line,
                    format!("la facette xs:{} n'a pas d'attribut value", f.local),
                );
            };
            let count = |v: &str| -> Result<usize, SchemaError> {
                v.trim().parse::<usize>().map_err(|_| SchemaError {
                    line: f.line,
                    message: format!("xs:{} value=\"{v}\" : entier positif attendu", f.local),
                })
            };
            let not_applicable = || {
                err::<()>(
                    f.line,
                    format!(
                        "la facette xs:{} ne s'applique pas au type {}",
                        f.local,
                        b.name()
                    ),
                )
            };
            let parse_bound = |v: &str| -> Result<(String, Value), SchemaError> {
                b.parse(&b.whitespace().apply(v))
                    .map(|val| (v.to_owned(), val))
                    .map_err(|_| SchemaError {
                        line: f.line,
                        message: format!(
                            "xs:{} value=\"{v}\" n'est pas une valeur du type {}",
                            f.local,
                            b.name()
                        ),
                    })
            };
            match f.local.as_str() {
                "length" | "minLength" | "maxLength" => {
                    if !b.is_stringlike() {
                        not_applicable()?;
                    }
                    let n = count(value)?;
                    let conflict = match f.local.as_str() {
                        "length" => base
                            .length
                            .filter(|&l| l != n)
                            .or(base.max_length.filter(|&l| n > l))
                            .or(base.min_length.filter(|&l| n < l)),
                        "minLength" => base.min_length.filter(|&l| n < l),
                        _ => base.max_length.filter(|&l| n > l),
                    };
                    if let Some(limit) = conflict {
                        return err(f.line, loosened(&f.local, value, limit));
                    }
                    match f.local.as_str() {
                        "length" => st.length = Some(n),
                        "minLength" => st.min_length = Some(n),
                        _ => st.max_length = Some(n),
                    }
                }
                "totalDigits" | "fractionDigits" => {
                    if !b.is_decimal() {
                        not_applicable()?;
                    }
                    let n = count(value)?;
                    let limit = if f.local == "totalDigits" {
                        base.total_digits
                    } else {
                        base.fraction_digits
                    };
                    if let Some(limit) = limit.filter(|&l| n > l) {
                        return err(f.line, loosened(&f.local, value, limit));
                    }
                    if f.local == "totalDigits" {
                        st.total_digits = Some(n);
                    } else {
                        st.fraction_digits = Some(n);
                    }
                }
                "minInclusive" | "maxInclusive" | "minExclusive" | "maxExclusive" => {
                    if !b.is_ordered() {
                        not_applicable()?;
                    }
                    let bound = Some(parse_bound(value)?);
                    if base.check(value).is_err() {
                        return err(
                            f.line,
                            format!("xs:{} value=\"{value}\" sort des limites du type de base : une restriction ne peut que les resserrer", f.local),
                        );
                    }
                    match f.local.as_str() {
                        "minInclusive" => st.min_inclusive = bound,
                        "maxInclusive" => st.max_inclusive = bound,
                        "minExclusive" => st.min_exclusive = bound,
                        _ => st.max_exclusive = bound,
                    }
                }
                "pattern" => patterns.push(Pattern::new(value).map_err(|e| SchemaError {
                    line: f.line,
                    message: format!("motif « {value} » : {e}"),
                })?),
                "enumeration" => {
                    let normalized = st.whitespace.apply(value);
                    let parsed = b.parse(&normalized).map_err(|_| SchemaError {
                        line: f.line,
                        message: format!(
                            "xs:enumeration value=\"{value}\" n'est pas une valeur du type {}",
                            b.name()
                        ),
                    })?;
                    if base.check(value).is_err() {
                        return err(
                            f.line,
                            format!("xs:enumeration value=\"{value}\" n'est pas une valeur permise par le type de base"),
                        );
                    }
                    enumeration.push((normalized.into_owned(), parsed));
                }
                "whiteSpace" => {
                    let ws = WhiteSpace::from_keyword(value.trim()).ok_or_else(|| SchemaError {
                        line: f.line,
                        message: format!("xs:whiteSpace value=\"{value}\" : preserve, replace ou collapse attendu"),
                    })?;
                    if ws < st.whitespace {
                        return err(f.line, format!("xs:whiteSpace ne peut pas assouplir la règle du type de base ({value})"));
                    }
                    st.whitespace = ws;
                }
                other => return err(f.line, unsupported(other)),
            }
        }
        if !patterns.is_empty() {
            st.patterns.push(patterns);
        }
        if !enumeration.is_empty() {
            st.enumeration = Some(enumeration);
        }
        Ok(())
    }

    fn element_type(&mut self, node: &Node) -> Result<TypeRef, SchemaError> {
        let inline: Vec<&Node> = node.content().collect();
        for c in &inline {
            if !(c.is_xsd("simpleType") || c.is_xsd("complexType")) {
                let what = c.local.as_str();
                let msg = match what {
                    "key" | "keyref" | "unique" => format!(
                        "les contraintes d'identité xs:{what} ne sont pas prises en charge par accrochage"
                    ),
                    _ => format!("xs:{what} inattendu dans xs:element"),
                };
                return err(c.line, msg);
            }
        }
        match (node.attr("type"), inline.as_slice()) {
            (Some(t), []) => Ok(match self.resolve_type(node, t)? {
                Resolved::Simple(id) => TypeRef::Simple(id),
                Resolved::Complex(id) => TypeRef::Complex(id),
            }),
            (None, [one]) if one.is_xsd("simpleType") => {
                let st = self.simple_type(one, None)?;
                self.schema.simple_types.push(st);
                Ok(TypeRef::Simple(self.schema.simple_types.len() - 1))
            }
            (None, [one]) => {
                let ct = self.complex_type(one, None)?;
                self.schema.complex_types.push(ct);
                Ok(TypeRef::Complex(self.schema.complex_types.len() - 1))
            }
            (Some(_), _) => err(
                node.line,
                "xs:element a à la fois un attribut type et un type intégré",
            ),
            (None, []) => err(
                node.line,
                format!(
                    "l'élément « {} » n'a pas de type (xs:anyType n'est pas pris en charge)",
                    node.attr("name").unwrap_or("?")
                ),
            ),
            (None, _) => err(node.line, "xs:element contient plusieurs types intégrés"),
        }
    }

    fn complex_type(
        &mut self,
        node: &Node,
        name: Option<String>,
    ) -> Result<ComplexType, SchemaError> {
        node.check_attrs(&["name", "mixed"], &["id", "abstract", "block", "final"])?;
        if parse_bool_attr(node, "abstract")? {
            return err(
                node.line,
                "les types abstraits (abstract=\"true\") ne sont pas pris en charge",
            );
        }
        let mut ct = placeholder_complex(name);
        ct.mixed = parse_bool_attr(node, "mixed")?;
        for child in node.content() {
            if child.ns.as_deref() != Some(XSD_NS) {
                return err(
                    child.line,
                    format!("élément inattendu « {} » dans xs:complexType", child.local),
                );
            }
            match child.local.as_str() {
                "sequence" | "choice" | "all" => {
                    if ct.particle.is_some() || !ct.attributes.is_empty() {
                        return err(
                            child.line,
                            format!("xs:{} mal placé dans xs:complexType", child.local),
                        );
                    }
                    ct.particle = Some(self.particle(child, true)?);
                }
                "attribute" => ct.attributes.push(self.attribute(child)?),
                other => return err(child.line, unsupported(other)),
            }
        }
        ct.content = match &ct.particle {
            None => ContentModel::Empty,
            Some(Particle {
                term: Term::All(members),
                min,
                ..
            }) => {
                if members.len() > MAX_ALL_MEMBERS {
                    return err(node.line, format!("un groupe xs:all de plus de {MAX_ALL_MEMBERS} éléments n'est pas pris en charge"));
                }
                let mut ids = Vec::new();
                let mut required = Vec::new();
                for m in members {
                    if let Term::Element(e) = m.term {
                        ids.push(e);
                        required.push(m.min > 0);
                    }
                }
                ContentModel::All {
                    members: ids,
                    required,
                    optional: *min == 0,
                }
            }
            Some(p) => {
                let (mut a, particles) = build_automaton(p).map_err(|m| SchemaError {
                    line: node.line,
                    message: m,
                })?;
                let name_of = |pos: u32| self.schema.elements[a.positions[pos as usize]].name_id;
                // Unique Particle Attribution (XSD 1.0 §3.8.6): at every point, an element name
                // may match one particle only. The validator follows the first candidate, so an
                // ambiguous model would reject valid documents. (Copies of one particle made for
                // its occurrence bounds may compete: the earliest is always the right one.)
                for set in std::iter::once(&a.first).chain(a.follow.iter()) {
                    for (i, &p) in set.iter().enumerate() {
                        if set[i + 1..].iter().any(|&q| {
                            name_of(q) == name_of(p)
                                && particles[q as usize] != particles[p as usize]
                        }) {
                            let name = &self.schema.elements[a.positions[p as usize]].name;
                            return err(
                                node.line,
                                format!("modèle de contenu ambigu : à un même endroit, un élément « {name} » pourrait correspondre à deux déclarations (règle d'attribution unique des particules de XSD 1.0)"),
                            );
                        }
                    }
                }
                let mut repeatable = Vec::new();
                for (i, follow) in a.follow.iter().enumerate() {
                    let own = name_of(i as u32);
                    let mut same = (0..a.positions.len() as u32).filter(|&j| name_of(j) == own);
                    // Two occurrences of a name, or one that can follow itself.
                    if follow.iter().any(|&n| name_of(n) == own) || same.nth(1).is_some() {
                        repeatable.push(own);
                    }
                }
                repeatable.sort_unstable();
                repeatable.dedup();
                a.repeatable = repeatable;
                ContentModel::Automaton(a)
            }
        };
        Ok(ct)
    }

    fn attribute(&mut self, node: &Node) -> Result<AttributeDecl, SchemaError> {
        if node.attr("ref").is_some() {
            return err(node.line, "xs:attribute ref=… n'est pas pris en charge");
        }
        if node.attr("default").is_some() || node.attr("fixed").is_some() {
            return err(
                node.line,
                "les valeurs default / fixed d'attribut ne sont pas prises en charge",
            );
        }
        node.check_attrs(&["name", "type", "use", "form"], &["id"])?;
        let Some(name) = node.attr("name") else {
            return err(node.line, "xs:attribute sans attribut name");
        };
        let required = match node.attr("use") {
            None | Some("optional") => false,
            Some("required") => true,
            Some(other) => {
                return err(
                    node.line,
                    format!("use=\"{other}\" n'est pas pris en charge (required ou optional)"),
                )
            }
        };
        let inline: Vec<&Node> = node.content().collect();
        let simple_type = match (node.attr("type"), inline.as_slice()) {
            (Some(t), []) => match self.resolve_type(node, t)? {
                Resolved::Simple(id) => id,
                Resolved::Complex(_) => {
                    return err(node.line, "un attribut doit avoir un type simple")
                }
            },
            (None, [one]) if one.is_xsd("simpleType") => {
                let st = self.simple_type(one, None)?;
                self.schema.simple_types.push(st);
                self.schema.simple_types.len() - 1
            }
            (None, []) => self.builtin_type(Builtin::String),
            _ => return err(node.line, "xs:attribute : type invalide"),
        };
        let namespace = match node.attr("form") {
            Some("qualified") => self.tns.clone(),
            _ => None,
        };
        Ok(AttributeDecl {
            name: name.to_owned(),
            namespace,
            simple_type,
            required,
        })
    }

    fn particle(&mut self, node: &Node, top: bool) -> Result<Particle, SchemaError> {
        let (min, max) = parse_occurs(node)?;
        let term = match node.local.as_str() {
            "element" => Term::Element(self.local_element(node)?),
            "sequence" | "choice" => {
                node.check_attrs(&["minOccurs", "maxOccurs"], &["id"])?;
                let mut items = Vec::new();
                for child in node.content() {
                    if child.ns.as_deref() != Some(XSD_NS) {
                        return err(child.line, format!("élément inattendu « {} »", child.local));
                    }
                    match child.local.as_str() {
                        "element" | "sequence" | "choice" => items.push(self.particle(child, false)?),
                        "all" => return err(child.line, "xs:all ne peut pas être imbriqué dans une séquence ou un choix (XSD 1.0)"),
                        other => return err(child.line, unsupported(other)),
                    }
                }
                if node.local == "sequence" {
                    Term::Sequence(items)
                } else {
                    Term::Choice(items)
                }
            }
            "all" => {
                node.check_attrs(&["minOccurs", "maxOccurs"], &["id"])?;
                if !top {
                    return err(
                        node.line,
                        "xs:all doit être le seul modèle de contenu du type (XSD 1.0)",
                    );
                }
                if max != Some(1) || min > 1 {
                    return err(
                        node.line,
                        "xs:all n'admet que minOccurs 0 ou 1 et maxOccurs 1",
                    );
                }
                let mut items = Vec::new();
                for child in node.content() {
                    if !child.is_xsd("element") {
                        return err(
                            child.line,
                            format!("xs:{} n'est pas permis dans xs:all", child.local),
                        );
                    }
                    let p = self.particle(child, false)?;
                    if p.max.is_none_or(|m| m > 1) {
                        return err(child.line, "dans xs:all, maxOccurs doit valoir 0 ou 1");
                    }
                    if let Term::Element(e) = p.term {
                        let name_id = self.schema.elements[e].name_id;
                        if items.iter().any(|q: &Particle| matches!(q.term, Term::Element(o) if self.schema.elements[o].name_id == name_id)) {
                            return err(child.line, format!("l'élément « {} » apparaît deux fois dans le même xs:all", self.schema.elements[e].name));
                        }
                    }
                    if p.max != Some(0) {
                        items.push(p);
                    }
                }
                Term::All(items)
            }
            other => return err(node.line, unsupported(other)),
        };
        Ok(Particle { min, max, term })
    }

    fn local_element(&mut self, node: &Node) -> Result<ElementId, SchemaError> {
        if let Some(r) = node.attr("ref") {
            node.check_attrs(&["ref", "minOccurs", "maxOccurs"], &["id"])?;
            let (ns, local) = node.qname(r)?;
            if ns != self.tns {
                return err(
                    node.line,
                    format!("ref=\"{r}\" désigne un autre espace de noms"),
                );
            }
            return self
                .schema
                .global_element(&local)
                .ok_or_else(|| SchemaError {
                    line: node.line,
                    message: format!("ref=\"{r}\" : aucun élément global de ce nom"),
                });
        }
        for forbidden in ["default", "fixed", "substitutionGroup", "abstract"] {
            if node.attr(forbidden).is_some() {
                return err(node.line, format!("l'attribut « {forbidden} » de xs:element n'est pas pris en charge par accrochage"));
            }
        }
        node.check_attrs(
            &["name", "type", "minOccurs", "maxOccurs", "nillable", "form"],
            &["id", "block"],
        )?;
        let Some(name) = node.attr("name") else {
            return err(node.line, "xs:element sans attribut name ni ref");
        };
        let qualified = match node.attr("form") {
            Some("qualified") => true,
            Some("unqualified") => false,
            None => self.qualified,
            Some(other) => return err(node.line, format!("form=\"{other}\" est invalide")),
        };
        let ns = if qualified { self.tns.clone() } else { None };
        let id = self.new_element(name.to_owned(), ns, node);
        let t = self.element_type(node)?;
        self.schema.elements[id].type_ref = t;
        self.schema.elements[id].nillable = parse_bool_attr(node, "nillable")?;
        Ok(id)
    }
}

/// A regular expression over element positions, after expanding occurrence bounds.
enum Re {
    Empty,
    Pos(u32),
    Seq(Vec<Re>),
    Alt(Vec<Re>),
    Star(Box<Re>),
    Opt(Box<Re>),
}

/// Expands a particle into a regular expression over positions; each position records its
/// declaration and the particle it copies (by address: copies made for occurrence bounds share it).
fn expand(p: &Particle, positions: &mut Vec<(ElementId, usize)>) -> Result<Re, String> {
    let term = |positions: &mut Vec<(ElementId, usize)>| -> Result<Re, String> {
        Ok(match &p.term {
            Term::Element(e) => {
                if positions.len() >= MAX_POSITIONS {
                    return Err(format!(
                        "modèle de contenu trop grand (plus de {MAX_POSITIONS} positions après prise en compte de minOccurs/maxOccurs)"
                    ));
                }
                positions.push((*e, p as *const Particle as usize));
                Re::Pos(positions.len() as u32 - 1)
            }
            Term::Sequence(items) => Re::Seq(
                items
                    .iter()
                    .map(|i| expand(i, positions))
                    .collect::<Result<_, _>>()?,
            ),
            Term::Choice(items) => Re::Alt(
                items
                    .iter()
                    .map(|i| expand(i, positions))
                    .collect::<Result<_, _>>()?,
            ),
            Term::All(_) => return Err("xs:all ne peut être imbriqué (XSD 1.0)".into()),
        })
    };
    let mut parts = Vec::new();
    for _ in 0..p.min {
        parts.push(term(positions)?);
    }
    match p.max {
        None => parts.push(Re::Star(Box::new(term(positions)?))),
        Some(max) if max > p.min => {
            // Nested optionals (a (a (a)?)?)? stay deterministic, unlike a? a? a?.
            let mut copies = Vec::new();
            for _ in p.min..max {
                copies.push(term(positions)?);
            }
            let mut tail: Option<Re> = None;
            for c in copies.into_iter().rev() {
                let inner = match tail {
                    None => c,
                    Some(t) => Re::Seq(vec![c, t]),
                };
                tail = Some(Re::Opt(Box::new(inner)));
            }
            parts.extend(tail);
        }
        Some(_) => {}
    }
    Ok(match parts.len() {
        0 => Re::Empty,
        1 => parts.pop().unwrap_or(Re::Empty),
        _ => Re::Seq(parts),
    })
}

struct Info {
    nullable: bool,
    first: Vec<u32>,
    last: Vec<u32>,
}

fn glushkov(re: &Re, follow: &mut Vec<Vec<u32>>) -> Info {
    match re {
        Re::Empty => Info {
            nullable: true,
            first: vec![],
            last: vec![],
        },
        Re::Pos(p) => Info {
            nullable: false,
            first: vec![*p],
            last: vec![*p],
        },
        Re::Alt(items) => {
            let mut out = Info {
                nullable: items.is_empty(),
                first: vec![],
                last: vec![],
            };
            for i in items {
                let info = glushkov(i, follow);
                out.nullable |= info.nullable;
                out.first.extend(info.first);
                out.last.extend(info.last);
            }
            out
        }
        Re::Seq(items) => {
            let mut out = Info {
                nullable: true,
                first: vec![],
                last: vec![],
            };
            for i in items {
                let info = glushkov(i, follow);
                for &l in &out.last {
                    follow[l as usize].extend(info.first.iter().copied());
                }
                if out.nullable {
                    out.first.extend(info.first.iter().copied());
                }
                if info.nullable {
                    out.last.extend(info.last);
                } else {
                    out.last = info.last;
                }
                out.nullable &= info.nullable;
            }
            out
        }
        Re::Star(inner) | Re::Opt(inner) => {
            let info = glushkov(inner, follow);
            if matches!(re, Re::Star(_)) {
                for &l in &info.last {
                    follow[l as usize].extend(info.first.iter().copied());
                }
            }
            Info {
                nullable: true,
                ..info
            }
        }
    }
}

/// The automaton, and for each position the particle it comes from.
fn build_automaton(p: &Particle) -> Result<(Automaton, Vec<usize>), String> {
    let mut expanded = Vec::new();
    let re = expand(p, &mut expanded)?;
    let (positions, particles): (Vec<ElementId>, Vec<usize>) = expanded.into_iter().unzip();
    let mut follow = vec![Vec::new(); positions.len()];
    let info = glushkov(&re, &mut follow);
    for f in &mut follow {
        f.sort_unstable();
        f.dedup();
    }
    let mut first = info.first;
    first.sort_unstable();
    first.dedup();
    let mut last = vec![false; positions.len()];
    for l in info.last {
        last[l as usize] = true;
    }
    let automaton = Automaton {
        positions,
        first,
        follow,
        last,
        nullable: info.nullable,
        repeatable: Vec::new(),
    };
    Ok((automaton, particles))
}
