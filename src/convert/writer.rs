//! The XML writer. It walks the compiled schema, not a hard-coded list of tags: element order,
//! nillability, optionality and choices all come from the XSD, so a newer schema of the same
//! family (an `action` under flux, an `identifiantNational` branch) is written without code
//! changes as soon as its fields have columns or parameters.
//!
//! The schema is turned once into a [`Plan`]; each passage is then rendered on its own (so a row
//! with an error can be left out) and the file is assembled around the passages.

use std::collections::HashMap;

use quick_xml::escape::partial_escape;

use crate::xsd::{ElementId, Schema, TypeRef};

use super::cells::FieldValue;

/// The elements that structure the file: one `certification` per (type, code), one
/// `passageCertification` per row. Stable across the CDC schema family.
pub const GROUP_ELEMENT: &str = "certification";
pub const RECORD_ELEMENT: &str = "passageCertification";
pub const XSI_NS: &str = "http://www.w3.org/2001/XMLSchema-instance";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Flux,
    Group,
    Record,
}

#[derive(Debug)]
pub struct Node {
    pub element: ElementId,
    pub name: String,
    pub tag: String,
    pub min: u32,
    pub choice: Option<u32>,
    pub body: Body,
    /// For a choice branch: its leaves that no other branch has (slot, parameter keys), which
    /// decide the branch a row takes. Filled once when the plan is built.
    pub own: Vec<(Option<usize>, Vec<String>)>,
    /// Whether the branch can be written with nils only.
    pub nil_only: bool,
}

#[derive(Debug)]
pub enum Body {
    Leaf {
        /// Record slot (for group and record levels) and parameter keys, in lookup order.
        slot: Option<usize>,
        param_keys: Vec<String>,
        nillable: bool,
    },
    Complex(Vec<Node>),
    /// A list written from one cell (`resultats`: `niveau:domaine:competence|…`).
    CellList {
        slot: usize,
        item_tag: String,
        parts: Vec<(String, ElementId)>,
    },
    /// Where the groups go (`certification`).
    Groups(Vec<Node>),
    /// Where the group's passages go (`passageCertification`).
    Records(Vec<Node>),
}

/// Field names interned to slots, shared by all records.
#[derive(Debug, Default, Clone)]
pub struct Slots {
    pub names: Vec<String>,
    pub index: crate::fnv::FnvMap<String, usize>,
}

impl Slots {
    pub fn intern(&mut self, name: &str) -> usize {
        if let Some(&i) = self.index.get(name) {
            return i;
        }
        self.names.push(name.to_owned());
        self.index.insert(name.to_owned(), self.names.len() - 1);
        self.names.len() - 1
    }

    pub fn get(&self, name: &str) -> Option<usize> {
        self.index.get(name).copied()
    }
}

/// A leaf field the plan can fill: its element and level.
#[derive(Debug, Clone)]
pub struct FieldInfo {
    pub element: ElementId,
    pub level: Level,
    pub nillable: bool,
}

#[derive(Debug)]
pub struct Plan {
    pub root: Node,
    pub prefix: Option<String>,
    pub namespace: Option<String>,
    /// Every leaf fillable from a row, by field name.
    pub fields: HashMap<String, FieldInfo>,
    /// Fields filled from the parameters (flux level), by key.
    pub params: Vec<(String, ElementId)>,
    /// Names of complex elements written from one cell.
    pub list_fields: HashMap<String, Vec<(String, ElementId)>>,
    param_names: Vec<String>,
}

fn upper_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

impl Plan {
    /// Builds the plan for the schema's `root` element. Field names that rows can fill are
    /// interned into `slots`.
    pub fn new(schema: &Schema, root: ElementId, slots: &mut Slots) -> Plan {
        let namespace = schema.target_namespace().map(str::to_owned);
        let prefix = namespace.as_ref().map(|_| "cpf".to_owned());
        let mut plan = Plan {
            root: Node {
                element: root,
                name: String::new(),
                tag: String::new(),
                min: 1,
                choice: None,
                body: Body::Complex(Vec::new()),
                own: Vec::new(),
                nil_only: false,
            },
            prefix,
            namespace,
            fields: HashMap::new(),
            params: Vec::new(),
            list_fields: HashMap::new(),
            param_names: Vec::new(),
        };
        let mut stack = Vec::new();
        plan.root = plan.node(schema, root, 1, None, Level::Flux, "", slots, &mut stack);
        // A parameter is named after its element, qualified by its parent only when the name is
        // ambiguous (idClientEmetteur / idClientCertificateur).
        let names = std::mem::take(&mut plan.param_names);
        for (i, (key, _)) in plan.params.iter_mut().enumerate() {
            if names.iter().filter(|n| **n == names[i]).count() == 1 {
                *key = names[i].clone();
            }
        }
        plan
    }

    fn tag(&self, schema: &Schema, e: ElementId) -> String {
        let decl = schema.element(e);
        match (&decl.namespace, &self.prefix) {
            (Some(_), Some(p)) => format!("{p}:{}", decl.name),
            _ => decl.name.clone(),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn node(
        &mut self,
        schema: &Schema,
        e: ElementId,
        min: u32,
        choice: Option<u32>,
        level: Level,
        parent: &str,
        slots: &mut Slots,
        stack: &mut Vec<ElementId>,
    ) -> Node {
        let decl = schema.element(e);
        let name = decl.name.clone();
        let tag = self.tag(schema, e);
        let level = match name.as_str() {
            GROUP_ELEMENT => Level::Group,
            RECORD_ELEMENT => Level::Record,
            _ => level,
        };
        let body = match decl.type_ref {
            TypeRef::Simple(_) => {
                // `idClient` exists under emetteur and certificateur: the parameter
                // `idClientEmetteur` / `idClientCertificateur` says which.
                let qualified = format!("{name}{}", upper_first(parent));
                // Rows fill record fields; parameters fill the flux and may give group defaults
                // (natureDeposant).
                let param_keys = match level {
                    Level::Record => Vec::new(),
                    _ => vec![qualified, name.clone()],
                };
                let slot = match level {
                    Level::Flux => {
                        self.params
                            .push((format!("{name}{}", upper_first(parent)), e));
                        self.param_names.push(name.clone());
                        None
                    }
                    _ => {
                        self.fields.entry(name.clone()).or_insert(FieldInfo {
                            element: e,
                            level,
                            nillable: decl.nillable,
                        });
                        Some(slots.intern(&name))
                    }
                };
                Body::Leaf {
                    slot,
                    param_keys,
                    nillable: decl.nillable,
                }
            }
            TypeRef::Complex(_) if stack.contains(&e) => Body::Complex(Vec::new()),
            TypeRef::Complex(_) => {
                stack.push(e);
                let child_slots = schema.children(e);
                let children: Vec<Node> = child_slots
                    .iter()
                    .filter(|c| c.max_occurs != Some(0))
                    .map(|c| {
                        self.node(
                            schema,
                            c.element,
                            c.min_occurs,
                            c.choice,
                            level,
                            &name,
                            slots,
                            stack,
                        )
                    })
                    .collect();
                stack.pop();
                let single_repeated_item = match child_slots.as_slice() {
                    [only] if only.max_occurs != Some(1) => Some(only.element),
                    _ => None,
                };
                match (name.as_str(), single_repeated_item) {
                    (GROUP_ELEMENT, _) => Body::Groups(children),
                    (RECORD_ELEMENT, _) => Body::Records(children),
                    // A list of small records under a record (resultats/resultat): one cell.
                    (_, Some(item))
                        if level == Level::Record
                            && schema
                                .children(item)
                                .iter()
                                .all(|c| schema.element_simple_type(c.element).is_some()) =>
                    {
                        let parts: Vec<(String, ElementId)> = schema
                            .children(item)
                            .iter()
                            .map(|c| (self.tag(schema, c.element), c.element))
                            .collect();
                        self.list_fields.insert(name.clone(), parts.clone());
                        Body::CellList {
                            slot: slots.intern(&name),
                            item_tag: self.tag(schema, item),
                            parts,
                        }
                    }
                    _ => Body::Complex(children),
                }
            }
        };
        let mut node = Node {
            element: e,
            name,
            tag,
            min,
            choice,
            body,
            own: Vec::new(),
            nil_only: false,
        };
        node.nil_only = nil_only(&node);
        if let Body::Complex(children) = &mut node.body {
            mark_own_leaves(children);
        }
        node
    }

    /// Every field name a column or a parameter may carry.
    pub fn known_keys(&self) -> Vec<String> {
        let mut keys: Vec<String> = self.fields.keys().cloned().collect();
        keys.extend(self.list_fields.keys().cloned());
        keys.extend(self.params.iter().map(|(k, _)| k.clone()));
        keys.push("dateNaissance".into());
        keys.sort();
        keys.dedup();
        keys
    }

    pub fn find(&self, name: &str) -> Option<&Node> {
        fn walk<'a>(n: &'a Node, name: &str) -> Option<&'a Node> {
            if n.name == name {
                return Some(n);
            }
            match &n.body {
                Body::Complex(c) | Body::Groups(c) | Body::Records(c) => {
                    c.iter().find_map(|x| walk(x, name))
                }
                _ => None,
            }
        }
        walk(&self.root, name)
    }
}

/// The values a render reads: one record's fields (by slot) and the parameters.
pub struct Values<'a> {
    pub record: Option<&'a [Option<FieldValue>]>,
    pub params: &'a HashMap<String, String>,
}

/// A value as found, borrowed.
#[derive(Clone, Copy)]
enum Found<'a> {
    Text(&'a str),
    Nil,
}

impl<'a> Values<'a> {
    fn leaf(&self, slot: Option<usize>, param_keys: &[String]) -> Option<Found<'a>> {
        if let (Some(rec), Some(s)) = (self.record, slot) {
            match rec.get(s) {
                Some(Some(FieldValue::Text(t))) => return Some(Found::Text(t)),
                Some(Some(FieldValue::Nil)) => return Some(Found::Nil),
                _ => {}
            }
        }
        let params: &'a HashMap<String, String> = self.params;
        param_keys
            .iter()
            .find_map(|k| params.get(k))
            .map(|v| Found::Text(v.as_str()))
    }
}

/// A required element that had no value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Missing {
    pub name: String,
    /// Alternatives when the missing piece is a choice (« codeInsee ou codePostal »).
    pub alternatives: Vec<String>,
    pub level: Level,
}

/// What a render needs besides values: how to emit groups and records.
pub trait Filler {
    fn groups(&mut self, node: &Node, out: &mut String);
    fn records(&mut self, node: &Node, out: &mut String);
}

/// Renders `node` and its subtree. Missing required values are collected; nothing is emitted
/// for an optional element without any value below it.
pub fn render(
    node: &Node,
    values: &Values,
    filler: &mut dyn Filler,
    out: &mut String,
    missing: &mut Vec<Missing>,
    level: Level,
) {
    match &node.body {
        Body::Leaf {
            slot,
            param_keys,
            nillable,
        } => match values.leaf(*slot, param_keys) {
            Some(Found::Text(t)) => {
                out.push('<');
                out.push_str(&node.tag);
                out.push('>');
                out.push_str(&partial_escape(t));
                out.push_str("</");
                out.push_str(&node.tag);
                out.push('>');
            }
            Some(Found::Nil) if *nillable => nil(out, &node.tag),
            _ if node.min == 0 => {}
            _ if *nillable => nil(out, &node.tag),
            _ => missing.push(Missing {
                name: node.name.clone(),
                alternatives: Vec::new(),
                level,
            }),
        },
        Body::CellList {
            slot,
            item_tag,
            parts,
        } => {
            let Some(Found::Text(cell)) = values.leaf(Some(*slot), &[]) else {
                return;
            };
            open(out, &node.tag);
            for item in split_list(cell) {
                open(out, item_tag);
                for ((tag, _), part) in parts.iter().zip(item.iter()) {
                    if !part.is_empty() {
                        for piece in ["<", tag, ">", &partial_escape(*part), "</", tag, ">"] {
                            out.push_str(piece);
                        }
                    }
                }
                close(out, item_tag);
            }
            close(out, &node.tag);
        }
        Body::Groups(_) => filler.groups(node, out),
        Body::Records(_) => filler.records(node, out),
        Body::Complex(children) => {
            if node.min == 0 && !has_value(node, values) {
                return;
            }
            open(out, &node.tag);
            render_children(children, values, filler, out, missing, level);
            close(out, &node.tag);
        }
    }
}

/// Renders children in schema order; in each choice, only the branch the values point to.
pub fn render_children(
    children: &[Node],
    values: &Values,
    filler: &mut dyn Filler,
    out: &mut String,
    missing: &mut Vec<Missing>,
    level: Level,
) {
    let mut done_choices: Vec<u32> = Vec::new();
    for (i, child) in children.iter().enumerate() {
        match child.choice {
            None => render(child, values, filler, out, missing, level),
            Some(c) if done_choices.contains(&c) => {}
            Some(c) => {
                done_choices.push(c);
                let branches: Vec<&Node> = children[i..]
                    .iter()
                    .filter(|n| n.choice == Some(c))
                    .collect();
                match choose_branch(&branches, values) {
                    Some(b) => render(b, values, filler, out, missing, level),
                    None => missing.push(Missing {
                        name: branches.first().map(|b| b.name.clone()).unwrap_or_default(),
                        alternatives: branches.iter().map(|b| first_leaf_name(b)).collect(),
                        level,
                    }),
                }
            }
        }
    }
}

fn first_leaf_name(n: &Node) -> String {
    match &n.body {
        Body::Leaf { .. } | Body::CellList { .. } => n.name.clone(),
        Body::Complex(c) | Body::Groups(c) | Body::Records(c) => c
            .iter()
            .find(|x| x.min > 0)
            .or(c.first())
            .map(first_leaf_name)
            .unwrap_or_else(|| n.name.clone()),
    }
}

/// The branch with the most values of its own (fields no other branch has); with none, the first
/// branch that can be written entirely with nils (a birthplace unknown → `codePostal` nil).
fn choose_branch<'a>(branches: &[&'a Node], values: &Values) -> Option<&'a Node> {
    let mut best: Option<(usize, &Node)> = None;
    for b in branches {
        let score = b
            .own
            .iter()
            .filter(|(slot, keys)| matches!(values.leaf(*slot, keys), Some(Found::Text(_))))
            .count();
        if score > 0 && best.is_none_or(|(s, _)| score > s) {
            best = Some((score, b));
        }
    }
    if let Some((_, b)) = best {
        return Some(b);
    }
    branches.iter().copied().find(|b| b.nil_only)
}

/// Leaves of `n` with their name, slot and parameter keys.
fn leaves(n: &Node) -> Vec<(&str, Option<usize>, &[String])> {
    match &n.body {
        Body::Leaf {
            slot, param_keys, ..
        } => vec![(n.name.as_str(), *slot, param_keys.as_slice())],
        Body::CellList { slot, .. } => vec![(n.name.as_str(), Some(*slot), &[][..])],
        Body::Complex(c) | Body::Groups(c) | Body::Records(c) => {
            c.iter().flat_map(leaves).collect()
        }
    }
}

/// A leaf of a choice branch: element name, its column (if any) and its path.
type OwnedLeaf = (String, Option<usize>, Vec<String>);

/// Fills `own` for the branches of each choice among `children`.
fn mark_own_leaves(children: &mut [Node]) {
    let mut choices: Vec<u32> = children.iter().filter_map(|c| c.choice).collect();
    choices.dedup();
    for c in choices {
        let idx: Vec<usize> = (0..children.len())
            .filter(|&i| children[i].choice == Some(c))
            .collect();
        let sets: Vec<Vec<OwnedLeaf>> = idx
            .iter()
            .map(|&i| {
                leaves(&children[i])
                    .into_iter()
                    .map(|(n, s, k)| (n.to_owned(), s, k.to_vec()))
                    .collect()
            })
            .collect();
        for (k, &i) in idx.iter().enumerate() {
            let own = sets[k]
                .iter()
                .filter(|(n, _, _)| {
                    sets.iter()
                        .enumerate()
                        .all(|(j, other)| j == k || other.iter().all(|(m, _, _)| m != n))
                })
                .map(|(_, s, keys)| (*s, keys.clone()))
                .collect();
            children[i].own = own;
        }
    }
}

fn nil_only(n: &Node) -> bool {
    match &n.body {
        Body::Leaf { nillable, .. } => *nillable || n.min == 0,
        Body::CellList { .. } => n.min == 0,
        Body::Complex(c) => n.min == 0 || c.iter().filter(|x| x.choice.is_none()).all(nil_only),
        _ => false,
    }
}

/// Whether any field below `n` has a real value (nils alone do not make an optional element
/// worth writing).
pub fn has_value(n: &Node, values: &Values) -> bool {
    match &n.body {
        Body::Leaf {
            slot, param_keys, ..
        } => matches!(values.leaf(*slot, param_keys), Some(Found::Text(_))),
        Body::CellList { slot, .. } => values.leaf(Some(*slot), &[]).is_some(),
        Body::Complex(c) => c.iter().any(|x| has_value(x, values)),
        _ => true,
    }
}

/// Splits `1:A:3|2:B:1` into items of parts.
pub fn split_list(cell: &str) -> Vec<Vec<&str>> {
    cell.split('|')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|item| item.split(':').map(str::trim).collect())
        .collect()
}

pub fn open(out: &mut String, tag: &str) {
    out.push('<');
    out.push_str(tag);
    out.push('>');
}

pub fn close(out: &mut String, tag: &str) {
    out.push_str("</");
    out.push_str(tag);
    out.push('>');
}

fn nil(out: &mut String, tag: &str) {
    out.push('<');
    out.push_str(tag);
    out.push_str(" xsi:nil=\"true\"/>");
}
