//! A deterministic corpus of CDC 1.1.2 documents for testing validators: valid documents that
//! exercise the reference XSD's structure (accents, exact maximum lengths in characters with
//! multibyte text, every branch of every choice, nil and omitted optional variants, empty lists
//! where allowed, several certifications, any order inside `xsd:all`, serialization variants) and
//! single-defect mutants, each with a name and the verdict (and diagnostic code) expected.
//!
//! Nothing is random at run time: a small seeded generator (SplitMix64) makes the same bytes on
//! every machine, so a disagreement found once can be reproduced by name.
//!
//! ```ignore
//! let docs = corpus::corpus();
//! let doc = docs.iter().find(|d| d.name == "maximal-titulaire").unwrap();
//! assert_eq!(doc.expect, corpus::Expect::Valid);
//! let bad = docs.iter().find(|d| d.name == "too-long-by-one@maximal-titulaire").unwrap();
//! assert_eq!(bad.expect, corpus::Expect::Invalid("value-max-length"));
//! ```
//!
//! The structure is written by hand from `cdc-1.1.2.xsd` (NOTES.md §1): the point is to have a
//! second, independent reading of the schema to test the engine's reading against.

use std::io::{self, Write};
use std::path::PathBuf;

pub const NS: &str = "urn:cdc:cpf:pc5:schema:1.0.0";
pub const XSI: &str = "http://www.w3.org/2001/XMLSchema-instance";

/// What a validator should say about a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    Valid,
    /// Valid per the XSD, with this warning code from our engine (e.g. comments).
    ValidWithWarning(&'static str),
    /// Invalid; our engine's first error has this code.
    Invalid(&'static str),
}

impl Expect {
    pub fn is_valid(self) -> bool {
        !matches!(self, Expect::Invalid(_))
    }
}

/// One corpus document. `name` is unique and safe as a file name; `kind` is the mutant kind (or
/// the valid document's name), shared by every base the mutant was applied to.
#[derive(Debug, Clone)]
pub struct Doc {
    pub name: String,
    pub kind: String,
    pub xml: Vec<u8>,
    pub expect: Expect,
}

// ---- deterministic randomness ------------------------------------------------------------------

/// SplitMix64: tiny, seeded, good enough to vary test data.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// A number in `0..n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
    pub fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }
    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

// ---- a tiny document tree ----------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq)]
pub enum Content {
    Children(Vec<El>),
    /// Character data, escaped on output.
    Text(String),
    /// Markup written as is (CDATA sections, references): for variants and mutants.
    Raw(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct El {
    /// Local name; written with the style's prefix.
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub content: Content,
}

pub fn el(name: &str, children: Vec<El>) -> El {
    El {
        name: name.into(),
        attrs: Vec::new(),
        content: Content::Children(children),
    }
}

pub fn txt(name: &str, text: impl Into<String>) -> El {
    El {
        name: name.into(),
        attrs: Vec::new(),
        content: Content::Text(text.into()),
    }
}

pub fn nil(name: &str) -> El {
    El {
        name: name.into(),
        attrs: vec![("xsi:nil".into(), "true".into())],
        content: Content::Children(Vec::new()),
    }
}

impl El {
    pub fn children_mut(&mut self) -> Option<&mut Vec<El>> {
        match &mut self.content {
            Content::Children(c) => Some(c),
            _ => None,
        }
    }

    /// The first element named `name`, in document order (self included).
    pub fn find(&mut self, name: &str) -> Option<&mut El> {
        if self.name == name {
            return Some(self);
        }
        match &mut self.content {
            Content::Children(c) => c.iter_mut().find_map(|k| k.find(name)),
            _ => None,
        }
    }

    /// The parent of the first element named `name`, and its index there.
    pub fn parent_of(&mut self, name: &str) -> Option<(&mut El, usize)> {
        let at = match &self.content {
            Content::Children(c) => c.iter().position(|k| k.name == name),
            _ => return None,
        };
        if let Some(i) = at {
            return Some((self, i));
        }
        match &mut self.content {
            Content::Children(c) => c.iter_mut().find_map(|k| k.parent_of(name)),
            _ => None,
        }
    }

    /// Removes the first element named `name` and returns it.
    pub fn remove(&mut self, name: &str) -> Option<El> {
        let (parent, i) = self.parent_of(name)?;
        Some(parent.children_mut()?.remove(i))
    }

    /// Replaces the content of the first element named `name` by `text` (and drops any nil).
    pub fn set_text(&mut self, name: &str, text: &str) -> bool {
        match self.find(name) {
            Some(e) => {
                e.attrs.retain(|(k, _)| k != "xsi:nil");
                e.content = Content::Text(text.into());
                true
            }
            None => false,
        }
    }

    pub fn text(&self) -> Option<&str> {
        match &self.content {
            Content::Text(t) => Some(t),
            _ => None,
        }
    }

    /// Every non-ASCII character of every value replaced by `a` (lengths unchanged).
    pub fn make_ascii(&mut self) {
        match &mut self.content {
            Content::Text(t) => {
                *t = t
                    .chars()
                    .map(|c| if c.is_ascii() { c } else { 'a' })
                    .collect()
            }
            Content::Children(c) => c.iter_mut().for_each(El::make_ascii),
            Content::Raw(_) => {}
        }
    }

    fn reverse_all_groups(&mut self) {
        if let Content::Children(c) = &mut self.content {
            // Sequences (identificationTitulaire, codeCommuneNaissance…) have one child and the
            // repeated lists keep their order: only `all` groups have several distinct names.
            let distinct = c.windows(2).all(|w| w[0].name != w[1].name);
            if distinct {
                c.reverse();
            }
            c.iter_mut().for_each(El::reverse_all_groups);
        }
    }
}

// ---- serialization -----------------------------------------------------------------------------

/// How a tree is written out.
#[derive(Debug, Clone)]
pub struct Style {
    /// Written before each child element, times the depth; empty for a compact file.
    pub indent: &'static str,
    pub newline: &'static str,
    /// `Some("cpf")`: prefixed names; `None`: the CDC namespace as default namespace.
    pub prefix: Option<&'static str>,
    pub declaration: bool,
    /// Nil elements as `<x xsi:nil="true"></x>` (the CDC example) instead of `<x …/>`.
    pub nil_with_end_tag: bool,
}

impl Default for Style {
    fn default() -> Self {
        Style {
            indent: "  ",
            newline: "\n",
            prefix: Some("cpf"),
            declaration: true,
            nil_with_end_tag: false,
        }
    }
}

impl Style {
    pub fn compact() -> Style {
        Style {
            indent: "",
            newline: "",
            ..Style::default()
        }
    }
}

pub fn escape(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
}

fn qname(style: &Style, name: &str, out: &mut String) {
    if let (Some(p), false) = (style.prefix, name.contains(':')) {
        out.push_str(p);
        out.push(':');
    }
    out.push_str(name);
}

pub fn write_el(e: &El, style: &Style, depth: usize, out: &mut String) {
    out.push('<');
    qname(style, &e.name, out);
    if depth == 0 {
        match style.prefix {
            Some(p) => out.push_str(&format!(" xmlns:{p}=\"{NS}\"")),
            None => out.push_str(&format!(" xmlns=\"{NS}\"")),
        }
        out.push_str(&format!(" xmlns:xsi=\"{XSI}\""));
    }
    for (k, v) in &e.attrs {
        out.push(' ');
        out.push_str(k);
        out.push_str("=\"");
        escape(v, out);
        out.push('"');
    }
    let empty_children = matches!(&e.content, Content::Children(c) if c.is_empty());
    if empty_children && (e.attrs.is_empty() || !style.nil_with_end_tag) {
        out.push_str("/>");
        return;
    }
    out.push('>');
    match &e.content {
        Content::Children(c) => {
            for k in c {
                out.push_str(style.newline);
                for _ in 0..=depth {
                    out.push_str(style.indent);
                }
                write_el(k, style, depth + 1, out);
            }
            if !c.is_empty() {
                out.push_str(style.newline);
                for _ in 0..depth {
                    out.push_str(style.indent);
                }
            }
        }
        Content::Text(t) => escape(t, out),
        Content::Raw(r) => out.push_str(r),
    }
    out.push_str("</");
    qname(style, &e.name, out);
    out.push('>');
}

pub fn serialize(root: &El, style: &Style) -> String {
    let mut out = String::new();
    if style.declaration {
        out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
        out.push_str(if style.newline.is_empty() {
            "\n"
        } else {
            style.newline
        });
    }
    write_el(root, style, 0, &mut out);
    out.push_str(style.newline);
    out
}

// ---- values ------------------------------------------------------------------------------------

/// Characters for text values: accents, ligatures, typographic quotes, non-BMP characters (one
/// character, four UTF-8 bytes, two UTF-16 units) and the characters XML must escape.
const POOL: &[char] = &[
    'a', 'b', 'z', 'A', 'Z', '0', '9', 'é', 'è', 'ê', 'ë', 'à', 'â', 'î', 'ï', 'ô', 'ù', 'û', 'ü',
    'ç', 'œ', 'æ', 'É', 'È', 'À', 'Ç', 'Œ', 'ß', 'ñ', 'ø', 'ă', 'ị', '€', '’', '«', '»', '–', '𝄞',
    '😀', '&', '<', '>', '"', '\'', ' ', '-', '.',
];

/// Exactly `n` characters drawn from the pool, never starting or ending with a space (so that a
/// reader who trims does not change the value: a test of that is separate).
pub fn fill(rng: &mut Rng, n: usize) -> String {
    (0..n)
        .map(|i| loop {
            let c = *rng.pick(POOL);
            if c != ' ' || (i != 0 && i + 1 != n) {
                break c;
            }
        })
        .collect()
}

/// Every enumerated element with its values (NOTES.md §1).
pub const ENUMERATIONS: &[(&str, &[&str])] = &[
    ("natureDeposant", NATURE),
    ("obtentionCertification", OBTENTION),
    ("modalitePassageExamen", MODALITE_PASSAGE),
    ("niveauLangueEuropeen", CECRL),
    ("mentionValidee", MENTION),
    ("modaliteAcces", MODALITE_ACCES),
    ("voieAccessVAE", VOIE_VAE),
    ("initiativeInscription", INITIATIVE),
    ("sexe", SEXE),
];

const OBTENTION: &[&str] = &["PAR_ADMISSION", "PAR_SCORING"];
const NATURE: &[&str] = &["CERTIFICATEUR", "TIERS_CONFIANCE"];
const MODALITE_PASSAGE: &[&str] = &["A_DISTANCE", "EN_PRESENTIEL", "MIXTE"];
const CECRL: &[&str] = &["A1", "A2", "B1", "B2", "C1", "C2", "INSUFFISANT"];
const MENTION: &[&str] = &[
    "SANS_MENTION",
    "MENTION_ASSEZ_BIEN",
    "MENTION_BIEN",
    "MENTION_TRES_BIEN",
    "MENTION_TRES_BIEN_AVEC_FELICITATIONS_DU_JURY",
];
const MODALITE_ACCES: &[&str] = &[
    "FORMATION_INITIALE_HORS_APPRENTISSAGE",
    "FORMATION_INITIALE_APPRENTISSAGE",
    "FORMATION_CONTINUE_HORS_CONTRAT_DE_PROFESSIONNALISATION",
    "FORMATION_CONTINUE_CONTRAT_DE_PROFESSIONNALISATION",
    "VAE",
    "EQUIVALENCE_DIPLOME_ETRANGER",
    "CANDIDAT_LIBRE",
];
const VOIE_VAE: &[&str] = &["CONGES_VAE", "VAE_CLASSIQUE"];
const INITIATIVE: &[&str] = &["CERTIFIE", "OF", "POLE_EMPLOI", "EMPLOYEUR", "AUTRE"];
const SEXE: &[&str] = &["M", "F"];
const BOOLEANS: &[&str] = &["true", "false", "1", "0"];

fn is_leap(y: usize) -> bool {
    (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400)
}

fn days_in(y: usize, m: usize) -> usize {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// A calendar date the CDC's pattern accepts (years 1900–2099), sometimes a month's last day.
pub fn date(rng: &mut Rng) -> String {
    let y = rng.range(1900, 2099);
    let m = rng.range(1, 12);
    let d = if rng.chance(25) {
        days_in(y, m)
    } else {
        rng.range(1, days_in(y, m))
    };
    format!("{y:04}-{m:02}-{d:02}")
}

/// A horodatage the pattern and xsd:dateTime both accept: offset hours 00–14.
pub fn horodatage(rng: &mut Rng) -> String {
    let sign = if rng.chance(70) { '+' } else { '-' };
    let oh = rng.range(0, if sign == '+' { 14 } else { 12 });
    let om = if oh == 14 { 0 } else { *rng.pick(&[0, 30, 45]) };
    format!(
        "{}T{:02}:{:02}:{:02}{sign}{oh:02}:{om:02}",
        date(rng),
        rng.range(0, 23),
        rng.range(0, 59),
        rng.range(0, 59)
    )
}

// ---- valid documents ---------------------------------------------------------------------------

/// How much of the optional content a generated passage has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// Required elements only, nillable ones nil, shortest lengths.
    Minimal,
    /// Every optional element, no nil, every string at its exact maximum length.
    Maximal,
    /// A seeded mix of both.
    Random,
    /// Like real files: most optional elements, short values (the large benchmark document).
    Typical,
}

/// Which `identificationTitulaire` / `codeCommuneNaissance` branch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Holder {
    Dossier,
    Insee,
    CodePostal,
    CodePostalNil,
    Any,
}

struct Gen<'a> {
    rng: &'a mut Rng,
    shape: Shape,
}

impl Gen<'_> {
    fn optional(&mut self) -> bool {
        match self.shape {
            Shape::Minimal => false,
            Shape::Maximal => true,
            Shape::Random => self.rng.chance(50),
            Shape::Typical => self.rng.chance(60),
        }
    }
    fn nilled(&mut self) -> bool {
        match self.shape {
            Shape::Minimal => true,
            Shape::Maximal => false,
            Shape::Random | Shape::Typical => self.rng.chance(30),
        }
    }
    fn len(&mut self, min: usize, max: usize) -> usize {
        match self.shape {
            Shape::Minimal => min,
            Shape::Maximal => max,
            Shape::Random => match self.rng.below(4) {
                0 => min,
                1 => max,
                _ => self.rng.range(min, max),
            },
            Shape::Typical => self.rng.range(min, max.min(min + 11)),
        }
    }
    fn string(&mut self, name: &str, min: usize, max: usize) -> El {
        let n = self.len(min, max);
        txt(name, fill(self.rng, n))
    }
    fn opt_string(&mut self, out: &mut Vec<El>, name: &str, min: usize, max: usize) {
        if self.optional() {
            out.push(self.string(name, min, max));
        }
    }
    fn enumerated(&mut self, name: &str, values: &[&str]) -> El {
        txt(name, *self.rng.pick(values))
    }
    fn opt_enum(&mut self, out: &mut Vec<El>, name: &str, values: &[&str]) {
        if self.optional() {
            out.push(self.enumerated(name, values));
        }
    }
    fn opt_date(&mut self, out: &mut Vec<El>, name: &str) {
        if self.optional() {
            out.push(txt(name, date(self.rng)));
        }
    }
    fn boolean(&mut self, name: &str) -> El {
        let v = match self.shape {
            Shape::Random | Shape::Typical => *self.rng.pick(BOOLEANS),
            _ => "true",
        };
        txt(name, v)
    }
    fn int(&mut self, name: &str, lo: usize, hi: usize) -> El {
        let v = match self.shape {
            Shape::Minimal => lo,
            Shape::Maximal => hi,
            Shape::Random | Shape::Typical => self.rng.range(lo, hi),
        };
        txt(name, v.to_string())
    }
    fn nillable(&mut self, e: El) -> El {
        if self.nilled() {
            nil(&e.name)
        } else {
            e
        }
    }

    fn numerique(&mut self) -> El {
        let mut c = Vec::new();
        if self.optional() {
            c.push(self.int("scoreGeneral", 1, 1000));
        }
        if self.optional() {
            let n = match self.shape {
                Shape::Maximal => 3,
                _ => self.rng.range(0, 3),
            };
            let mut list = Vec::new();
            for _ in 0..n {
                let mut r = Vec::new();
                if self.optional() {
                    r.push(self.int("niveau", 1, 8));
                }
                self.opt_string(&mut r, "domaineCompetenceId", 1, 1);
                self.opt_string(&mut r, "competenceId", 1, 1);
                list.push(el("resultat", r));
            }
            c.push(el("resultats", list));
        }
        el("niveauNumeriqueEuropeen", c)
    }

    fn holder(&mut self, holder: Holder) -> El {
        let holder = match holder {
            Holder::Any => *self.rng.pick(&[
                Holder::Dossier,
                Holder::Insee,
                Holder::CodePostal,
                Holder::CodePostalNil,
            ]),
            h => h,
        };
        if holder == Holder::Dossier {
            return el(
                "dossierFormation",
                vec![
                    self.string("idDossier", 1, 13),
                    self.string("nomTitulaire", 1, 30),
                    self.string("prenom1Titulaire", 1, 20),
                ],
            );
        }
        let mut t = vec![self.string("nomNaissance", 1, 60)];
        let usage = self.string("nomUsage", 1, 60);
        t.push(self.nillable(usage));
        t.push(self.string("prenom1", 1, 60));
        self.opt_string(&mut t, "prenom2", 1, 60);
        self.opt_string(&mut t, "prenom3", 1, 60);
        t.push(self.int("anneeNaissance", 1900, 2099));
        let mois = self.int("moisNaissance", 1, 12);
        t.push(self.nillable(mois));
        let jour = self.int("jourNaissance", 1, 31);
        t.push(self.nillable(jour));
        t.push(self.enumerated("sexe", SEXE));
        let commune = match holder {
            Holder::Insee => el(
                "codeInseeNaissance",
                vec![txt("codeInsee", fill(self.rng, 5))],
            ),
            Holder::CodePostalNil => el("codePostalNaissance", vec![nil("codePostal")]),
            _ => el("codePostalNaissance", vec![self.string("codePostal", 1, 9)]),
        };
        t.push(el("codeCommuneNaissance", vec![commune]));
        self.opt_string(&mut t, "libelleCommuneNaissance", 1, 60);
        self.opt_string(&mut t, "codePaysNaissance", 3, 3);
        self.opt_string(&mut t, "libellePaysNaissance", 1, 60);
        self.opt_string(&mut t, "commentairesMEN", 1, 250);
        el("titulaire", t)
    }

    fn passage(&mut self, id: &str, holder: Holder) -> El {
        // Unique whatever the shape: the id's prefix is kept, the rest pads to the length.
        let n = self.len(id.chars().count(), 255);
        let id = format!("{id}{}", fill(self.rng, n - id.chars().count()));
        let mut p = vec![txt("idTechnique", id)];
        self.opt_string(&mut p, "urlPreuve", 1, 255);
        self.opt_string(&mut p, "libelleOption", 1, 255);
        p.push(self.enumerated("obtentionCertification", OBTENTION));
        p.push(self.boolean("donneeCertifiee"));
        self.opt_date(&mut p, "dateDebutExamen");
        self.opt_date(&mut p, "dateFinExamen");
        self.opt_enum(&mut p, "modalitePassageExamen", MODALITE_PASSAGE);
        self.opt_string(&mut p, "codePostalCentreExamen", 1, 9);
        p.push(txt("dateDebutValidite", date(self.rng)));
        let fin = txt("dateFinValidite", date(self.rng));
        p.push(self.nillable(fin));
        p.push(self.boolean("presenceNiveauLangueEuro"));
        self.opt_enum(&mut p, "niveauLangueEuropeen", CECRL);
        p.push(self.boolean("presenceNiveauNumeriqueEuro"));
        if self.optional() {
            p.push(self.numerique());
        }
        let scoring = self.string("scoring", 1, 255);
        p.push(self.nillable(scoring));
        let mention = self.enumerated("mentionValidee", MENTION);
        p.push(self.nillable(mention));
        let mut m = Vec::new();
        let acces = self.enumerated("modaliteAcces", MODALITE_ACCES);
        m.push(self.nillable(acces));
        self.opt_enum(&mut m, "voieAccessVAE", VOIE_VAE);
        self.opt_enum(&mut m, "initiativeInscription", INITIATIVE);
        self.opt_date(&mut m, "dateInscription");
        p.push(el("modalitesInscription", m));
        let h = self.holder(holder);
        p.push(el("identificationTitulaire", vec![h]));
        self.opt_string(&mut p, "verbatim", 1, 255);
        el("passageCertification", p)
    }

    fn certification(&mut self, index: usize, passages: usize, holder: Holder) -> El {
        let mut c = vec![self.string("type", 1, 255), self.string("code", 1, 100)];
        self.opt_enum(&mut c, "natureDeposant", NATURE);
        let list = (0..passages)
            .map(|i| self.passage(&format!("P{index}-{i}-"), holder))
            .collect();
        c.push(el("passageCertifications", list));
        el("certification", c)
    }

    fn flux(&mut self, certifications: &[usize], holder: Holder) -> El {
        let certs = certifications
            .iter()
            .enumerate()
            .map(|(i, &n)| self.certification(i, n, holder))
            .collect();
        let id_flux = self.string("idFlux", 1, 50);
        el(
            "flux",
            vec![
                id_flux,
                txt("horodatage", horodatage(self.rng)),
                el(
                    "emetteur",
                    vec![
                        txt("idClient", fill(self.rng, 8)),
                        el(
                            "certificateurs",
                            vec![el(
                                "certificateur",
                                vec![
                                    txt("idClient", fill(self.rng, 8)),
                                    self.string("idContrat", 1, 20),
                                    el("certifications", certs),
                                ],
                            )],
                        ),
                    ],
                ),
            ],
        )
    }
}

/// A whole document: `certifications[i]` passages in certification i.
pub fn flux(seed: u64, shape: Shape, certifications: &[usize], holder: Holder) -> El {
    let mut rng = Rng::new(seed);
    Gen {
        rng: &mut rng,
        shape,
    }
    .flux(certifications, holder)
}

/// The reference material directory (`ACCROCHAGE_REFERENCE_DIR`, else `tests/reference`).
pub fn reference_dir() -> PathBuf {
    std::env::var_os("ACCROCHAGE_REFERENCE_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/reference")))
}

fn doc(name: &str, xml: impl Into<Vec<u8>>, expect: Expect) -> Doc {
    Doc {
        name: name.into(),
        kind: name.into(),
        xml: xml.into(),
        expect,
    }
}

fn valid(name: &str, root: &El, style: &Style) -> Doc {
    doc(name, serialize(root, style), Expect::Valid)
}

/// The bases mutants are applied to.
pub fn mutant_bases() -> Vec<(&'static str, El)> {
    vec![
        (
            "maximal-titulaire",
            flux(1, Shape::Maximal, &[2], Holder::Insee),
        ),
        (
            "minimal-dossier",
            flux(2, Shape::Minimal, &[1], Holder::Dossier),
        ),
        (
            "random-codepostal",
            flux(3, Shape::Random, &[2, 1], Holder::CodePostal),
        ),
    ]
}

/// Every valid document of the corpus.
pub fn valid_documents() -> Vec<Doc> {
    let d = Style::default();
    let mut docs = Vec::new();
    if let Ok(example) = std::fs::read(reference_dir().join("cdc-1.1.2-example.xml")) {
        docs.push(doc("cdc-example", example, Expect::Valid));
    }
    for (name, root) in mutant_bases() {
        docs.push(valid(name, &root, &d));
    }
    let m = |seed, h| flux(seed, Shape::Minimal, &[1], h);
    let x = |seed, h| flux(seed, Shape::Maximal, &[1], h);
    docs.push(valid("minimal-titulaire-insee", &m(10, Holder::Insee), &d));
    docs.push(valid(
        "minimal-codepostal-nil",
        &m(11, Holder::CodePostalNil),
        &d,
    ));
    docs.push(valid("maximal-dossier", &x(12, Holder::Dossier), &d));
    docs.push(valid("maximal-codepostal", &x(13, Holder::CodePostal), &d));
    docs.push(valid(
        "several-certifications",
        &flux(14, Shape::Random, &[3, 1, 2], Holder::Any),
        &d,
    ));

    let base = flux(20, Shape::Maximal, &[1], Holder::Insee);
    let edit = |f: &dyn Fn(&mut El)| {
        let mut r = base.clone();
        f(&mut r);
        r
    };
    // Every nillable element nil at once (codePostal needs the postal-code branch).
    let mut all_nil = flux(21, Shape::Maximal, &[1], Holder::CodePostalNil);
    for n in [
        "dateFinValidite",
        "scoring",
        "mentionValidee",
        "modaliteAcces",
        "nomUsage",
        "moisNaissance",
        "jourNaissance",
    ] {
        *all_nil.find(n).unwrap() = nil(n);
    }
    docs.push(valid("all-eight-nillables-nil", &all_nil, &d));
    let nil_one = edit(&|r| {
        let mut e = nil("scoring");
        e.attrs[0].1 = "1".into();
        *r.find("scoring").unwrap() = e;
    });
    docs.push(valid("nil-as-1", &nil_one, &d));
    docs.push(valid(
        "nil-with-end-tag",
        &all_nil,
        &Style {
            nil_with_end_tag: true,
            ..Style::default()
        },
    ));
    let nil_false = edit(&|r| {
        r.find("scoring")
            .unwrap()
            .attrs
            .push(("xsi:nil".into(), "false".into()));
    });
    docs.push(valid("nil-false-with-value", &nil_false, &d));
    docs.push(valid(
        "numerique-empty",
        &edit(&|r| {
            *r.find("niveauNumeriqueEuropeen").unwrap() = el("niveauNumeriqueEuropeen", vec![])
        }),
        &d,
    ));
    docs.push(valid(
        "resultats-empty",
        &edit(&|r| *r.find("resultats").unwrap() = el("resultats", vec![])),
        &d,
    ));
    docs.push(valid(
        "resultat-empty",
        &edit(&|r| *r.find("resultat").unwrap() = el("resultat", vec![])),
        &d,
    ));
    let mut reversed = base.clone();
    reversed.reverse_all_groups();
    docs.push(valid("all-groups-reversed", &reversed, &d));
    docs.push(valid("compact", &base, &Style::compact()));
    docs.push(valid(
        "tabs-crlf",
        &base,
        &Style {
            indent: "\t",
            newline: "\r\n",
            ..Style::default()
        },
    ));
    docs.push(valid(
        "default-namespace",
        &base,
        &Style {
            prefix: None,
            ..Style::default()
        },
    ));
    docs.push(valid(
        "no-declaration",
        &base,
        &Style {
            declaration: false,
            ..Style::default()
        },
    ));
    docs.push(valid(
        "int-plus-and-zeros",
        &edit(&|r| {
            r.set_text("anneeNaissance", "+1979");
            r.set_text("moisNaissance", "07");
            r.set_text("scoreGeneral", "0042");
        }),
        &d,
    ));
    docs.push(valid(
        "boolean-1-0",
        &edit(&|r| {
            r.set_text("donneeCertifiee", "1");
            r.set_text("presenceNiveauLangueEuro", "0");
        }),
        &d,
    ));
    docs.push(valid(
        "leap-days",
        &edit(&|r| {
            r.set_text("dateDebutValidite", "2024-02-29");
            r.set_text("dateFinValidite", "2000-02-29");
        }),
        &d,
    ));
    docs.push(valid(
        "horodatage-bounds",
        &edit(&|r| {
            r.set_text("horodatage", "1900-01-01T00:00:00+14:00");
        }),
        &d,
    ));
    docs.push(valid(
        "horodatage-negative-offset",
        &edit(&|r| {
            r.set_text("horodatage", "2099-12-31T23:59:59-09:30");
        }),
        &d,
    ));
    docs.push(valid(
        "string-keeps-spaces",
        &edit(&|r| {
            r.set_text("nomNaissance", " Dupont  ");
            r.set_text("idClient", " AB 12C ");
        }),
        &d,
    ));
    docs.push(valid(
        "single-multibyte-chars",
        &edit(&|r| {
            r.set_text("domaineCompetenceId", "𝄞");
            r.set_text("competenceId", "é");
            r.set_text("codePaysNaissance", "😀€ß");
        }),
        &d,
    ));
    let raw = |r: &mut El, name: &str, markup: &str| {
        r.find(name).unwrap().content = Content::Raw(markup.into());
    };
    docs.push(valid(
        "cdata-text",
        &edit(&|r| raw(r, "nomNaissance", "<![CDATA[D'Artagnan & <Fils>]]>")),
        &d,
    ));
    docs.push(valid(
        "character-references",
        &edit(&|r| {
            raw(
                r,
                "prenom1",
                "Ren&#233;e &amp; &#x1D11E; &lt;&gt;&quot;&apos;",
            )
        }),
        &d,
    ));
    let base_text = serialize(&base, &d);
    let after_open = |xml: &str, tag: &str, insert: &str| {
        let at = xml.find(tag).unwrap() + tag.len();
        format!("{}{insert}{}", &xml[..at], &xml[at..])
    };
    docs.push(doc(
        "cdata-whitespace-between-elements",
        after_open(&base_text, "<cpf:titulaire>", "<![CDATA[ \n\t]]>"),
        Expect::Valid,
    ));
    docs.push(doc(
        "processing-instruction",
        after_open(&base_text, "<cpf:titulaire>", "<?note un test?>"),
        Expect::Valid,
    ));
    docs.push(doc(
        "comment",
        after_open(
            &base_text,
            "<cpf:titulaire>",
            "<!-- nom d'usage à vérifier -->",
        ),
        Expect::ValidWithWarning("xml-comment"),
    ));
    docs.push(doc(
        "bom",
        [&[0xEF, 0xBB, 0xBF][..], base_text.as_bytes()].concat(),
        Expect::Valid,
    ));
    docs.push(doc(
        "xsi-schema-location",
        base_text.replacen(
            "xmlns:xsi=",
            &format!("xsi:schemaLocation=\"{NS} cdc.xsd\" xmlns:xsi="),
            1,
        ),
        Expect::Valid,
    ));
    // whiteSpace is collapse (fixed) for every atomic type but string: XSD 1.0 Part 2 §4.3.6.
    docs.push(valid(
        "int-whitespace",
        &edit(&|r| {
            r.set_text("anneeNaissance", " 1975 ");
            r.set_text("scoreGeneral", "\n  890\t");
        }),
        &d,
    ));
    docs.push(valid(
        "date-boolean-datetime-whitespace",
        &edit(&|r| {
            r.set_text("dateDebutValidite", "\n  2024-04-20 ");
            r.set_text("donneeCertifiee", " true\t");
            r.set_text("horodatage", " 2024-06-01T10:00:00+02:00\n");
        }),
        &d,
    ));
    // Seven certifications of one passage each: certification i uses value i of every list.
    let mut every = flux(22, Shape::Maximal, &[1; 7], Holder::Insee);
    let certs = every
        .find("certifications")
        .unwrap()
        .children_mut()
        .unwrap();
    for (i, cert) in certs.iter_mut().enumerate() {
        for (name, values) in ENUMERATIONS {
            cert.set_text(name, values[i % values.len()]);
        }
    }
    docs.push(valid("every-enumeration-value", &every, &d));
    docs.push(doc(
        "empty-cdata-between-elements",
        after_open(&base_text, "<cpf:titulaire>", "<![CDATA[]]>"),
        Expect::Valid,
    ));
    docs.push(doc(
        "namespace-with-character-reference",
        base_text.replacen(
            &format!("xmlns:cpf=\"{NS}\""),
            "xmlns:cpf=\"urn&#58;cdc:cpf:pc5:schema:1.0.0\"",
            1,
        ),
        Expect::Valid,
    ));
    // Not valid for the tool (the CDC wants UTF-8), though well-formed XML: ASCII content so that
    // only the declaration differs.
    let mut ascii = flux(23, Shape::Random, &[2], Holder::Any);
    ascii.make_ascii();
    docs.push(doc(
        "declared-encoding-not-utf8",
        serialize(&ascii, &d).replacen("encoding=\"UTF-8\"", "encoding=\"windows-1252\"", 1),
        Expect::Invalid("xml-encoding"),
    ));
    // Markup that carries no character data inside values and nil elements.
    docs.push(doc(
        "comment-and-pi-inside-values",
        base_text
            .replacen("<cpf:sexe>", "<cpf:sexe><?p?>", 1)
            .replacen("</cpf:idContrat>", "<!-- c --></cpf:idContrat>", 1),
        Expect::ValidWithWarning("xml-comment"),
    ));
    docs.push(doc(
        "comment-inside-nil",
        serialize(&all_nil, &d).replacen(
            "<cpf:scoring xsi:nil=\"true\"/>",
            "<cpf:scoring xsi:nil=\"true\"><!-- inconnu --></cpf:scoring>",
            1,
        ),
        Expect::ValidWithWarning("xml-comment"),
    ));
    docs.push(valid(
        "cdata-whole-value",
        &edit(&|r| raw(r, "sexe", "<![CDATA[F]]>")),
        &d,
    ));
    docs.push(valid(
        "nil-value-with-spaces",
        &edit(&|r| {
            let mut e = nil("mentionValidee");
            e.attrs[0].1 = " true ".into();
            *r.find("mentionValidee").unwrap() = e;
        }),
        &d,
    ));
    docs.push(valid(
        "nil-with-another-prefix",
        &edit(&|r| {
            *r.find("scoring").unwrap() = El {
                name: "scoring".into(),
                attrs: vec![
                    ("xmlns:i".into(), XSI.into()),
                    ("i:nil".into(), "true".into()),
                ],
                content: Content::Children(Vec::new()),
            };
        }),
        &d,
    ));
    docs.push(valid(
        "extra-namespace-declaration",
        &edit(&|r| {
            r.find("sexe")
                .unwrap()
                .attrs
                .push(("xmlns:autre".into(), "urn:autre".into()));
        }),
        &d,
    ));
    docs.push(doc(
        "xsi-no-namespace-schema-location",
        base_text.replacen(
            "xmlns:xsi=",
            "xsi:noNamespaceSchemaLocation=\"cdc.xsd\" xmlns:xsi=",
            1,
        ),
        Expect::Valid,
    ));
    docs.push(valid(
        "several-empty-resultat",
        &edit(&|r| {
            *r.find("resultats").unwrap() = el(
                "resultats",
                vec![el("resultat", vec![]), el("resultat", vec![])],
            )
        }),
        &d,
    ));
    docs.push(valid(
        "offset-minus-zero",
        &edit(&|r| {
            r.set_text("horodatage", "2026-11-22T10:00:00-00:00");
        }),
        &d,
    ));
    // Line ends are normalized by the XML parser before the value is checked (XML 1.0 §2.11):
    // "ABCD\r\nEFG" is 8 characters.
    docs.push(valid(
        "crlf-normalized-in-value",
        &edit(&|r| raw(r, "idClient", "ABCD\r\nEFG")),
        &d,
    ));
    docs.push(valid(
        "whitespace-only-string",
        &edit(&|r| {
            r.set_text("verbatim", " ");
        }),
        &d,
    ));
    // 60 code points that show as 30 letters: lengths count code points, never graphemes.
    docs.push(valid(
        "decomposed-accents-at-max",
        &edit(&|r| {
            r.set_text("nomNaissance", &"e\u{301}".repeat(30));
        }),
        &d,
    ));
    docs.push(valid(
        "nel-and-line-separator",
        &edit(&|r| {
            r.set_text("verbatim", "\u{85}\u{2028}");
        }),
        &d,
    ));
    docs.push(doc(
        "single-quoted-attributes",
        serialize(&all_nil, &d).replace("xsi:nil=\"true\"", "xsi:nil='true'"),
        Expect::Valid,
    ));
    for (name, decl) in [
        ("declaration-without-encoding", "<?xml version=\"1.0\"?>"),
        (
            "declaration-lowercase-utf8",
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>",
        ),
        (
            "declaration-standalone",
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>",
        ),
    ] {
        docs.push(doc(
            name,
            base_text.replacen("<?xml version=\"1.0\" encoding=\"UTF-8\"?>", decl, 1),
            Expect::Valid,
        ));
    }
    docs.push(doc(
        "space-in-end-tags",
        base_text.replace(
            "</cpf:passageCertification>",
            "</cpf:passageCertification\n >",
        ),
        Expect::Valid,
    ));
    docs.push(doc(
        "child-in-default-namespace",
        base_text
            .replacen("<cpf:sexe>", &format!("<sexe xmlns=\"{NS}\">"), 1)
            .replacen("</cpf:sexe>", "</sexe>", 1),
        Expect::Valid,
    ));
    for seed in 0..30u64 {
        let certs: Vec<usize> = {
            let mut rng = Rng::new(1000 + seed);
            (0..rng.range(1, 3)).map(|_| rng.range(1, 4)).collect()
        };
        let style = if seed % 3 == 0 {
            Style::compact()
        } else {
            Style::default()
        };
        docs.push(valid(
            &format!("random-{seed:02}"),
            &flux(100 + seed, Shape::Random, &certs, Holder::Any),
            &style,
        ));
    }
    docs
}

// ---- mutants -----------------------------------------------------------------------------------

/// One kind of single defect: a change of the tree (returns false when the base lacks what it
/// needs) or of the serialized text.
pub enum Mutation {
    Tree(fn(&mut El) -> bool),
    Text(fn(&str) -> Option<String>),
    Bytes(fn(&str) -> Option<Vec<u8>>),
}

pub struct MutantKind {
    pub kind: &'static str,
    pub expect: Expect,
    pub mutation: Mutation,
}

fn set(r: &mut El, name: &str, text: &str) -> bool {
    r.set_text(name, text)
}

fn too_long(r: &mut El, name: &str, max: usize) -> bool {
    // Multibyte on purpose: max+1 characters is far more than max bytes.
    set(
        r,
        name,
        &"é€𝄞".chars().cycle().take(max + 1).collect::<String>(),
    )
}

fn insert_into(r: &mut El, parent: &str, child: El) -> bool {
    match r.find(parent).and_then(El::children_mut) {
        Some(c) => {
            c.push(child);
            true
        }
        None => false,
    }
}

fn add_attr(r: &mut El, name: &str, k: &str, v: &str) -> bool {
    match r.find(name) {
        Some(e) => {
            e.attrs.push((k.into(), v.into()));
            true
        }
        None => false,
    }
}

fn nil_on(r: &mut El, name: &str) -> bool {
    match r.find(name) {
        Some(e) => {
            *e = nil(name);
            true
        }
        None => false,
    }
}

/// scoreGeneral set to `v`, added with its parent when the base has none.
fn score(r: &mut El, v: &str) -> bool {
    set(r, "scoreGeneral", v)
        || insert_into(
            r,
            "passageCertification",
            el("niveauNumeriqueEuropeen", vec![txt("scoreGeneral", v)]),
        )
}

fn replace_content(r: &mut El, name: &str, content: Content) -> bool {
    match r.find(name) {
        Some(e) => {
            e.content = content;
            true
        }
        None => false,
    }
}

fn replace_once(xml: &str, from: &str, to: &str) -> Option<String> {
    xml.contains(from).then(|| xml.replacen(from, to, 1))
}

macro_rules! tree {
    ($kind:expr, $code:expr, |$r:ident| $body:expr) => {
        MutantKind {
            kind: $kind,
            expect: Expect::Invalid($code),
            mutation: Mutation::Tree(|$r: &mut El| $body),
        }
    };
}

macro_rules! text {
    ($kind:expr, $code:expr, |$x:ident| $body:expr) => {
        MutantKind {
            kind: $kind,
            expect: Expect::Invalid($code),
            mutation: Mutation::Text(|$x: &str| $body),
        }
    };
}

/// Every kind of single-defect mutant, with the code of the first error our engine must report.
pub fn mutant_kinds() -> Vec<MutantKind> {
    vec![
        // Lengths, counted in characters.
        tree! {
            "too-long-by-one", "value-max-length",
            |r| too_long(r, "nomNaissance", 60)
                || too_long(r, "nomTitulaire", 30)
        },
        tree! { "idflux-too-long", "value-max-length", |r| too_long(r, "idFlux", 50) },
        tree! { "idtechnique-too-long", "value-max-length", |r| too_long(r, "idTechnique", 255) },
        tree! { "commentaires-too-long", "value-max-length", |r| too_long(r, "commentairesMEN", 250) },
        tree! { "idclient-too-short", "value-length", |r| set(r, "idClient", "ABCD123") },
        tree! { "idclient-multibyte-too-long", "value-length", |r| set(r, "idClient", "ÉÉÉÉÉÉÉÉÉ") },
        tree! { "idclient-trailing-space", "value-length", |r| set(r, "idClient", "ABCD1234 ") },
        tree! { "codeinsee-four-chars", "value-length", |r| set(r, "codeInsee", "7505") },
        tree! { "competence-two-chars", "value-length", |r| set(r, "competenceId", "12") },
        tree! {
            "required-string-empty", "value-min-length",
            |r| set(r, "nomNaissance", "")
                || set(r, "nomTitulaire", "")
        },
        tree! {
            "optional-string-empty", "value-min-length",
            |r| set(r, "verbatim", "")
                || insert_into(r, "passageCertification", txt("verbatim", ""))
        },
        tree! {
            "nil-false-empty", "value-min-length",
            |r| set(r, "scoring", "")
                && add_attr(r, "scoring", "xsi:nil", "false")
        },
        // Enumerations.
        tree! { "bad-enumeration", "value-enumeration", |r| set(r, "obtentionCertification", "ADMIS") },
        tree! {
            "enumeration-lowercase", "value-enumeration",
            |r| set(r, "mentionValidee", "mention_bien")
                || set(r, "obtentionCertification", "par_admission")
        },
        tree! {
            "enumeration-spaces", "value-enumeration",
            |r| set(r, "sexe", " F")
                || set(r, "obtentionCertification", "PAR_SCORING ")
        },
        // Dates and times.
        tree! { "date-not-in-calendar", "value-type", |r| set(r, "dateDebutValidite", "2023-02-29") },
        tree! { "date-french-format", "value-type", |r| set(r, "dateDebutValidite", "15/09/2026") },
        tree! { "date-month-13", "value-type", |r| set(r, "dateDebutValidite", "2024-13-01") },
        tree! { "date-year-1899", "value-pattern", |r| set(r, "dateDebutValidite", "1899-12-31") },
        tree! { "date-with-timezone", "value-pattern", |r| set(r, "dateDebutValidite", "2024-04-20Z") },
        tree! { "horodatage-no-offset", "value-pattern", |r| set(r, "horodatage", "2024-06-01T10:00:00") },
        tree! { "horodatage-z", "value-pattern", |r| set(r, "horodatage", "2024-06-01T10:00:00Z") },
        tree! {
            "horodatage-fraction", "value-pattern",
            |r| set(r, "horodatage", "2024-06-01T10:00:00.5+02:00")
        },
        tree! {
            "horodatage-offset-over-14h", "value-type",
            |r| set(r, "horodatage", "2024-06-01T10:00:00+14:30")
        },
        tree! { "horodatage-date-only", "value-type", |r| set(r, "horodatage", "2024-06-01") },
        tree! {
            "horodatage-year-2100", "value-pattern",
            |r| set(r, "horodatage", "2100-01-01T00:00:00+01:00")
        },
        // Numbers and booleans.
        tree! {
            "int-below-min", "value-min-inclusive",
            |r| set(r, "anneeNaissance", "1899")
                || score(r, "0")
        },
        tree! {
            "int-above-max", "value-max-inclusive",
            |r| set(r, "moisNaissance", "13")
                || score(r, "1001")
        },
        tree! { "int-decimal", "value-type", |r| set(r, "anneeNaissance", "1990.0") || score(r, "12.5") },
        tree! {
            "int-overflow", "value-type",
            |r| set(r, "anneeNaissance", "2147483648")
                || score(r, "2147483648")
        },
        tree! { "boolean-capitalized", "value-type", |r| set(r, "donneeCertifiee", "True") },
        tree! { "boolean-french", "value-type", |r| set(r, "presenceNiveauLangueEuro", "oui") },
        // Structure.
        tree! { "missing-required", "element-missing", |r| r.remove("idTechnique").is_some() },
        tree! { "missing-nillable", "element-missing", |r| r.remove("dateFinValidite").is_some() },
        tree! { "missing-nested-required", "element-missing", |r| r.remove("idContrat").is_some() },
        tree! {
            "missing-choice", "element-missing",
            |r| replace_content(r, "identificationTitulaire", Content::Children(vec![]))
        },
        tree! {
            "both-choice-branches", "element-unexpected",
            // The branch the base lacks is added beside the one it has.
            |r| {
                let other = if r.find("titulaire").is_some() {
                    el("dossierFormation", vec![
                        txt("idDossier", "D-1"),
                        txt("nomTitulaire", "X"),
                        txt("prenom1Titulaire", "Y"),
                    ])
                } else {
                    flux(9, Shape::Minimal, &[1], Holder::Insee).find("titulaire").unwrap().clone()
                };
                insert_into(r, "identificationTitulaire", other)
            }
        },
        tree! { "wrong-branch-content", "element-unexpected", |r| {
            replace_content(r, "codePostalNaissance", Content::Children(vec![txt("codeInsee", "75056")]))
        } },
        tree! {
            "empty-certifications", "element-missing",
            |r| replace_content(r, "certifications", Content::Children(vec![]))
        },
        tree! {
            "empty-passages", "element-missing",
            |r| replace_content(r, "passageCertifications", Content::Children(vec![]))
        },
        tree! {
            "repeated-in-all", "element-repeated",
            |r| { let copy = r.find("obtentionCertification").cloned();
                copy.is_some_and(|c| insert_into(r, "passageCertification", c)) }
        },
        tree! {
            "two-certificateurs", "element-repeated",
            |r| { let copy = r.find("certificateur").cloned();
                copy.is_some_and(|c| insert_into(r, "certificateurs", c)) }
        },
        tree! {
            "element-in-wrong-parent", "element-unexpected",
            |r| { let moved = r.remove("verbatim").or_else(|| r.remove("idTechnique"));
                moved.is_some_and(|m| insert_into(r, "modalitesInscription", m)) }
        },
        tree! {
            "unknown-element", "element-unexpected",
            |r| insert_into(r, "passageCertification", txt("commentaire", "à revoir"))
        },
        tree! { "element-in-simple", "element-in-simple", |r| {
            replace_content(r, "idContrat", Content::Children(vec![txt("valeur", "MCF")]))
        } },
        text! {
            "text-in-complex", "text-not-allowed",
            |x| replace_once(x, "<cpf:modalitesInscription>", "<cpf:modalitesInscription>texte libre")
        },
        tree! {
            "undeclared-attribute", "attribute-undeclared",
            |r| add_attr(r, "passageCertification", "id", "1")
        },
        tree! {
            "nil-on-non-nillable", "nil-not-nillable",
            |r| nil_on(r, "nomNaissance")
                || nil_on(r, "idDossier")
        },
        tree! {
            "nil-on-codeinsee", "nil-not-nillable",
            |r| nil_on(r, "codeInsee")
                || nil_on(r, "idTechnique")
        },
        tree! {
            "content-in-nil", "nil-not-empty",
            |r| set(r, "dateFinValidite", "2030-01-01")
                && add_attr(r, "dateFinValidite", "xsi:nil", "true")
        },
        tree! {
            "nil-bad-value", "nil-invalid",
            |r| nil_on(r, "scoring")
                && { r.find("scoring").unwrap().attrs[0].1 = "yes".into();
                true }
        },
        tree! {
            "nil-with-whitespace", "nil-not-empty",
            |r| nil_on(r, "dateFinValidite")
                && { r.find("dateFinValidite").unwrap().content = Content::Text(" ".into());
                true }
        },
        tree! {
            "xsi-type", "xsi-type-unsupported",
            |r| add_attr(r, "sexe", "xmlns:xs", "http://www.w3.org/2001/XMLSchema")
                && add_attr(r, "sexe", "xsi:type", "xs:string")
                || add_attr(r, "idDossier", "xmlns:xs", "http://www.w3.org/2001/XMLSchema")
                && add_attr(r, "idDossier", "xsi:type", "xs:string")
        },
        tree! {
            "foreign-attribute", "attribute-undeclared",
            |r| add_attr(r, "idFlux", "xmlns:autre", "urn:autre")
                && add_attr(r, "idFlux", "autre:origine", "tableur")
        },
        tree! { "xml-lang-attribute", "attribute-undeclared", |r| add_attr(r, "idFlux", "xml:lang", "fr") },
        tree! {
            "unknown-xsi-attribute", "attribute-undeclared",
            |r| { add_attr(r, "flux", "xsi:version", "2") }
        },
        tree! {
            "nil-without-namespace", "attribute-undeclared",
            |r| nil_on(r, "scoring")
                && { r.find("scoring").unwrap().attrs[0].0 = "nil".into();
                true }
        },
        tree! {
            "horodatage-hour-24", "value-pattern",
            |r| set(r, "horodatage", "2024-06-01T24:00:00+01:00")
        },
        tree! {
            "horodatage-offset-colon", "value-type",
            |r| set(r, "horodatage", "2024-06-01T10:00:00+:21:00")
        },
        tree! { "date-negative-year", "value-pattern", |r| set(r, "dateDebutValidite", "-2024-04-20") },
        tree! { "date-five-digit-year", "value-pattern", |r| set(r, "dateDebutValidite", "12024-04-20") },
        tree! { "date-with-offset", "value-pattern", |r| set(r, "dateDebutValidite", "2024-04-20+02:00") },
        tree! { "empty-int", "value-type", |r| set(r, "anneeNaissance", "") || score(r, "") },
        tree! { "int-two-signs", "value-type", |r| set(r, "anneeNaissance", "+-1979") || score(r, "-+1") },
        tree! { "boolean-whitespace-only", "value-type", |r| set(r, "donneeCertifiee", " ") },
        text! {
            "character-reference-nul", "xml-entity",
            |x| replace_once(x, "</cpf:idContrat>", "&#0;</cpf:idContrat>")
        },
        tree! { "char-reference-crlf-in-value", "value-length", |r| {
            replace_content(r, "idClient", Content::Raw("ABCD&#13;&#10;EFG".into()))
        } },
        tree! {
            "decomposed-accents-too-long", "value-max-length",
            |r| set(r, "nomNaissance", &format!("{}e", "e\u{301}".repeat(30)))
                || set(r, "nomTitulaire", &format!("{}e", "e\u{301}".repeat(15)))
        },
        tree! {
            "nil-uppercase-true", "nil-invalid",
            |r| nil_on(r, "mentionValidee")
                && { r.find("mentionValidee").unwrap().attrs[0].1 = "TRUE".into();
                true }
        },
        tree! {
            "horodatage-offset-19h", "value-type",
            |r| set(r, "horodatage", "2024-06-01T10:00:00+19:00")
        },
        text! {
            "same-name-other-namespace", "element-unexpected",
            |x| { replace_once(x, "</cpf:idContrat>", "</cpf:idContrat><autre:idContrat xmlns:autre=\"urn:autre\">X</autre:idContrat>") }
        },
        text! {
            "prefix-rebound-on-child", "element-namespace",
            |x| { replace_once(x, "<cpf:idContrat>", "<cpf:idContrat xmlns:cpf=\"urn:autre\">") }
        },
        text! {
            "duplicate-attribute", "xml-malformed",
            |x| replace_once(x, "<cpf:idContrat>", "<cpf:idContrat xsi:nil=\"false\" xsi:nil=\"false\">")
        },
        text! {
            "undeclared-prefix", "xml-malformed",
            |x| replace_once(x, "</cpf:idContrat>", "</cpf:idContrat><inconnu:x/>")
        },
        text! {
            "control-character", "xml-malformed",
            |x| replace_once(x, "</cpf:idContrat>", "\u{1}</cpf:idContrat>")
        },
        text! {
            "noncharacter-fffe", "xml-malformed",
            |x| replace_once(x, "</cpf:idContrat>", "\u{FFFE}</cpf:idContrat>")
        },
        text! {
            "cdata-end-in-text", "xml-malformed",
            |x| replace_once(x, "</cpf:idContrat>", "]]></cpf:idContrat>")
        },
        text! {
            "raw-ampersand", "xml-malformed",
            |x| replace_once(x, "</cpf:idContrat>", " & </cpf:idContrat>")
        },
        text! {
            "lt-in-attribute", "xml-malformed",
            |x| replace_once(x, "<cpf:idContrat>", "<cpf:idContrat xsi:nil=\"<\">")
        },
        text! { "second-root", "xml-malformed", |x| Some(format!("{x}<cpf:flux/>")) },
        text! { "namespace-declaration-with-lt", "xml-malformed", |x| replace_once(x, "xmlns:xsi=\"http://", "xmlns:xsi=\"http:<//") },
        text! { "malformed-declaration", "xml-malformed", |x| replace_once(x, "<?xml version=\"1.0\"", "<?xml version1.0\"") },
        text! { "bad-pi-target", "xml-malformed", |x| replace_once(x, "</cpf:idContrat>", "</cpf:idContrat><?x/y?>") },
        text! { "bad-attribute-name", "xml-malformed", |x| replace_once(x, " xmlns:xsi=", " xmlns:x!si=\"urn:x\" xmlns:xsi=") },
        text! { "attributes-not-separated", "xml-malformed", |x| replace_once(x, "\" xmlns:xsi=", "\"xmlns:xsi=") },
        text! { "bad-element-name", "xml-malformed", |x| replace_once(x, "</cpf:idContrat>", "</cpf:idContrat><cpf:1x/>") },
        text! { "xml-namespace-other-prefix", "xml-malformed", |x| replace_once(x, "<cpf:idContrat>", "<cpf:idContrat xmlns:p=\"http://www.w3.org/XML/1998/namespace\">") },
        text! { "xmlns-prefix-declared", "xml-malformed", |x| replace_once(x, "<cpf:idContrat>", "<cpf:idContrat xmlns:xmlns=\"urn:x\">") },
        // Namespaces and XML-level defects.
        text! {
            "wrong-namespace", "root-unexpected",
            |x| replace_once(x, NS, "urn:cdc:cpf:pc5:schema:1.0.1")
        },
        text! {
            "child-in-no-namespace", "element-namespace",
            |x| { let at = x.find("<cpf:idContrat>")?;
                let end = x[at..].find("</cpf:idContrat>")? + at;
                let value = &x[at + "<cpf:idContrat>".len()..end];
                Some(format!("{}<idContrat xmlns=\"\">{value}</idContrat>{}", &x[..at], &x[end + "</cpf:idContrat>".len()..])) }
        },
        text! {
            "wrong-root", "root-unexpected",
            |x| { let open = x.find("<cpf:emetteur>")?;
                let close = x.find("</cpf:emetteur>")? + "</cpf:emetteur>".len();
                Some(format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<cpf:emetteur xmlns:cpf=\"{NS}\" xmlns:xsi=\"{XSI}\"{}", &x[open + "<cpf:emetteur".len()..close])) }
        },
        text! { "dtd", "xml-dtd", |x| replace_once(x, "?>", "?>\n<!DOCTYPE cpf:flux>") },
        text! {
            "external-entity", "xml-dtd",
            |x| replace_once(x, "?>", "?>\n<!DOCTYPE cpf:flux [<!ENTITY xxe SYSTEM \"file:///etc/hostname\">]>").map(|s| s.replacen("<cpf:verbatim>", "<cpf:verbatim>&xxe;", 1))
        },
        text! {
            "undefined-entity", "xml-entity",
            |x| replace_once(x, "</cpf:idFlux>", "&eacute;</cpf:idFlux>")
        },
        text! { "root-not-closed", "xml-malformed", |x| replace_once(x, "</cpf:flux>", "") },
        text! {
            "mismatched-end-tag", "xml-malformed",
            |x| replace_once(x, "</cpf:idContrat>", "</cpf:idcontrat>")
        },
        text! {
            "truncated", "xml-malformed",
            |x| { let mut end = x.len() * 2 / 3;
                while !x.is_char_boundary(end) { end -= 1;
                } Some(x[..end].to_owned()) }
        },
        text! {
            "blank-before-declaration", "xml-malformed",
            |x| x.starts_with("<?xml").then(|| format!("\n{x}"))
        },
        text! { "text-after-root", "xml-malformed", |x| Some(format!("{x}fin")) },
        text! {
            "cdata-text-in-complex", "text-not-allowed",
            |x| { replace_once(x, "<cpf:modalitesInscription>", "<cpf:modalitesInscription><![CDATA[texte]]>") }
        },
        text! {
            "declared-latin1", "xml-encoding",
            |x| replace_once(x, "encoding=\"UTF-8\"", "encoding=\"ISO-8859-1\"")
        },
        MutantKind {
            kind: "invalid-utf8",
            expect: Expect::Invalid("xml-encoding"),
            mutation: Mutation::Bytes(|x| {
                let at = x.find("</cpf:idContrat>")?;
                Some([&x.as_bytes()[..at], &[0xE9], &x.as_bytes()[at..]].concat())
            }),
        },
    ]
}

/// Applies every mutant kind to every base it fits.
pub fn mutants() -> Vec<Doc> {
    let style = Style::default();
    let mut docs = Vec::new();
    for (base_name, base) in mutant_bases() {
        let text = serialize(&base, &style);
        for m in mutant_kinds() {
            let xml = match &m.mutation {
                Mutation::Tree(f) => {
                    let mut r = base.clone();
                    f(&mut r).then(|| serialize(&r, &style).into_bytes())
                }
                Mutation::Text(f) => f(&text).map(String::into_bytes),
                Mutation::Bytes(f) => f(&text),
            };
            if let Some(xml) = xml {
                docs.push(Doc {
                    name: format!("{}@{base_name}", m.kind),
                    kind: m.kind.into(),
                    xml,
                    expect: m.expect,
                });
            }
        }
    }
    docs
}

/// The whole corpus: valid documents, then mutants.
pub fn corpus() -> Vec<Doc> {
    let mut docs = valid_documents();
    docs.extend(mutants());
    docs
}

/// Writes one valid document of `passages` passages (spread over a few certifications), compact,
/// straight to `out`: memory stays flat whatever the size.
pub fn write_large(passages: usize, out: &mut impl Write) -> io::Result<()> {
    write_large_in(passages, 25_000, out)
}

/// [`write_large`] with `per_certification` passages in each certification.
pub fn write_large_in(
    passages: usize,
    per_certification: usize,
    out: &mut impl Write,
) -> io::Result<()> {
    let style = Style::compact();
    let mut rng = Rng::new(42);
    let head = flux(7, Shape::Minimal, &[], Holder::Insee);
    let mut text = serialize(&head, &style);
    // The generated head ends with an empty <certifications/>: open it instead.
    text = text.replacen("<cpf:certifications/>", "<cpf:certifications>", 1);
    let close = text.find("</cpf:certificateur>").unwrap_or(text.len());
    out.write_all(&text.as_bytes()[..close])?;
    let mut buf = String::with_capacity(8192);
    let mut written = 0;
    let mut cert = 0;
    while written < passages.max(1) {
        let n = per_certification.max(1).min(passages.max(1) - written);
        buf.clear();
        buf.push_str(&format!(
            "<cpf:certification><cpf:type>RNCP</cpf:type><cpf:code>RNCP{:05}</cpf:code><cpf:passageCertifications>",
            34000 + cert
        ));
        out.write_all(buf.as_bytes())?;
        for i in 0..n {
            let mut g = Gen {
                rng: &mut rng,
                shape: Shape::Typical,
            };
            let p = g.passage(&format!("L{}-", written + i), Holder::Any);
            buf.clear();
            write_el(&p, &style, 1, &mut buf);
            out.write_all(buf.as_bytes())?;
        }
        out.write_all(b"</cpf:passageCertifications></cpf:certification>")?;
        written += n;
        cert += 1;
    }
    out.write_all(
        text[close..]
            .replacen(
                "</cpf:certificateur>",
                "</cpf:certifications></cpf:certificateur>",
                1,
            )
            .as_bytes(),
    )?;
    Ok(())
}

// ---- random single mutations (differential testing) --------------------------------------------

/// Values that sit on or just past the schema's boundaries, for every kind of field.
fn tricky_values() -> Vec<String> {
    let mut v: Vec<String> = [
        "",
        " ",
        "0",
        "1",
        "-1",
        "+1",
        "01",
        "1.0",
        "1e3",
        "true",
        "false",
        "TRUE",
        "M",
        "F",
        "m",
        "A1",
        "C2",
        "B3",
        "INSUFFISANT",
        "VAE",
        "2024-02-29",
        "2023-02-29",
        "2024-12-31",
        "1899-12-31",
        "2100-01-01",
        "2024-06-01T10:00:00+02:00",
        "2024-06-01T10:00:00Z",
        "12345",
        "1234",
        "123456",
        "ABCD1234",
        "1000",
        "1001",
        "8",
        "9",
        "2099",
        "1900",
        "2147483647",
        "2147483648",
        "-2147483648",
        "PAR_SCORING",
        "MENTION_BIEN",
        "CONGES_VAE",
        "OF",
        "TIERS_CONFIANCE",
        "EN_PRESENTIEL",
        "CANDIDAT_LIBRE",
        "𝄞",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for n in [
        3, 5, 8, 9, 13, 14, 20, 21, 30, 31, 50, 51, 60, 61, 100, 101, 250, 251, 255, 256,
    ] {
        v.push("x".repeat(n));
        v.push("é𝄞".chars().cycle().take(n).collect());
    }
    v
}

const ELEMENT_NAMES: &[&str] = &[
    "idFlux",
    "horodatage",
    "emetteur",
    "idClient",
    "certificateurs",
    "certificateur",
    "idContrat",
    "certifications",
    "certification",
    "type",
    "code",
    "natureDeposant",
    "passageCertifications",
    "passageCertification",
    "idTechnique",
    "urlPreuve",
    "libelleOption",
    "obtentionCertification",
    "donneeCertifiee",
    "dateDebutExamen",
    "dateFinExamen",
    "modalitePassageExamen",
    "codePostalCentreExamen",
    "dateDebutValidite",
    "dateFinValidite",
    "presenceNiveauLangueEuro",
    "niveauLangueEuropeen",
    "presenceNiveauNumeriqueEuro",
    "niveauNumeriqueEuropeen",
    "scoreGeneral",
    "resultats",
    "resultat",
    "niveau",
    "domaineCompetenceId",
    "competenceId",
    "scoring",
    "mentionValidee",
    "modalitesInscription",
    "modaliteAcces",
    "voieAccessVAE",
    "initiativeInscription",
    "dateInscription",
    "identificationTitulaire",
    "dossierFormation",
    "idDossier",
    "nomTitulaire",
    "prenom1Titulaire",
    "titulaire",
    "nomNaissance",
    "nomUsage",
    "prenom1",
    "prenom2",
    "prenom3",
    "anneeNaissance",
    "moisNaissance",
    "jourNaissance",
    "sexe",
    "codeCommuneNaissance",
    "codeInseeNaissance",
    "codeInsee",
    "codePostalNaissance",
    "codePostal",
    "libelleCommuneNaissance",
    "codePaysNaissance",
    "libellePaysNaissance",
    "commentairesMEN",
    "verbatim",
];

fn paths(e: &El, at: &mut Vec<usize>, out: &mut Vec<Vec<usize>>) {
    out.push(at.clone());
    if let Content::Children(c) = &e.content {
        for (i, k) in c.iter().enumerate() {
            at.push(i);
            paths(k, at, out);
            at.pop();
        }
    }
}

fn at_mut<'a>(e: &'a mut El, path: &[usize]) -> &'a mut El {
    match path.split_first() {
        None => e,
        Some((&i, rest)) => match &mut e.content {
            Content::Children(c) => at_mut(&mut c[i], rest),
            _ => unreachable!("paths only lead through children"),
        },
    }
}

/// `n` documents, each a seeded valid document with one random change at a random place (a
/// value from [`tricky_values`], a removal, a duplicate, a nil, a move, a rename). No verdict is
/// known in advance: validators are compared with each other.
pub fn random_mutants(seed: u64, n: usize) -> Vec<(String, Vec<u8>)> {
    let values = tricky_values();
    let mut rng = Rng::new(seed);
    (0..n)
        .map(|i| {
            let certs: Vec<usize> = (0..rng.range(1, 2)).map(|_| rng.range(1, 2)).collect();
            let mut root = flux(
                seed ^ (i as u64 + 1) << 8,
                Shape::Random,
                &certs,
                Holder::Any,
            );
            let mut all = Vec::new();
            paths(&root, &mut Vec::new(), &mut all);
            let path = all[rng.range(1, all.len() - 1)].clone();
            let op = rng.below(7);
            let what = match op {
                0 => {
                    let v = rng.pick(&values).clone();
                    let e = at_mut(&mut root, &path);
                    e.attrs.retain(|(k, _)| k != "xsi:nil");
                    e.content = Content::Text(v.clone());
                    format!("value {v:?}")
                }
                1 | 2 | 5 => {
                    let (parent, last) = path.split_at(path.len() - 1);
                    let removed = at_mut(&mut root, parent)
                        .children_mut()
                        .unwrap()
                        .remove(last[0]);
                    let name = removed.name.clone();
                    if op == 2 {
                        let c = at_mut(&mut root, parent).children_mut().unwrap();
                        c.insert(last[0], removed.clone());
                        c.insert(last[0], removed);
                        format!("duplicate {name}")
                    } else if op == 5 {
                        let mut all = Vec::new();
                        paths(&root, &mut Vec::new(), &mut all);
                        let target = all[rng.below(all.len())].clone();
                        let t = at_mut(&mut root, &target);
                        match &mut t.content {
                            Content::Children(c) => c.push(removed),
                            _ => t.content = Content::Children(vec![removed]),
                        }
                        format!("move {name} into {}", t.name)
                    } else {
                        format!("remove {name}")
                    }
                }
                3 => {
                    let e = at_mut(&mut root, &path);
                    *e = nil(&e.name.clone());
                    format!("nil {}", e.name)
                }
                4 => {
                    let e = at_mut(&mut root, &path);
                    e.attrs.push(("xsi:nil".into(), "true".into()));
                    format!("nil attribute on filled {}", e.name)
                }
                _ => {
                    let to = *rng.pick(ELEMENT_NAMES);
                    let e = at_mut(&mut root, &path);
                    let from = std::mem::replace(&mut e.name, to.into());
                    format!("rename {from} to {to}")
                }
            };
            let style = if i % 2 == 0 {
                Style::compact()
            } else {
                Style::default()
            };
            (
                format!("random-mutant-{i:04} ({what})"),
                serialize(&root, &style).into_bytes(),
            )
        })
        .collect()
}

/// Markup and characters to drop at random places of a valid document.
const FRAGMENTS: &[&str] = &[
    "<!-- c -->",
    "<?pi x?>",
    "<![CDATA[x]]>",
    "\t",
    "\n",
    "&amp;",
    "&#233;",
    "&#xD;",
    "&lt;",
    "<",
    ">",
    "&",
    "]]>",
    "\"",
    "'",
    "=",
    "<x/>",
    "</x>",
    "\u{FEFF}",
    "\u{B}",
    "\u{FFFF}",
    "é",
    " xmlns=\"\"",
    " a=\"1\"",
    "&inconnu;",
    "&#0;",
    "&#x110000;",
    "--",
    "<?xml version=\"1.0\"?>",
    "\r",
    "\u{85}",
    "𝄞",
    "<!---->",
    "<!-- - -->",
    "<!-- -- -->",
    "&#x20;",
    "<?xml-stylesheet?>",
    "<![CDATA[]]>",
    "xsi:",
    "cpf:",
    "/",
    "?",
    "!",
    "&#x9;",
    "&#xA;",
    "\u{2028}",
    "<a:b/>",
    " xmlns:a=\"\"",
    " xmlns:cpf=\"urn:x\"",
    " xsi:nil=\"true\"",
    "&#60;",
    "&#38;",
    "&#x26;amp;",
    "<![CDATA[<]]>",
    "\u{FFFE}",
    "\u{E000}",
    "  ",
    "&quot;",
    "&apos;",
    " a=\"1\" a=\"2\"",
    "<é/>",
    "<1/>",
    "</>",
    "<>",
    "<!>",
    "<![CDATA[",
    "]]",
    "&#;",
    "&#x;",
    "&#65",
    "&#xFFFE;",
    "&#xD800;",
    "<?a?>",
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
    " standalone=\"yes\"",
    "\u{0}",
    "xmlns:a=\"urn:a\"",
    "<a:b:c/>",
    " a:b:c=\"1\"",
    "<1x/>",
    " :a=\"1\"",
    "<cpf:x y=\"1\"/>",
];

/// One document of [`random_text_mutants`].
pub struct TextMutant {
    pub name: String,
    pub xml: Vec<u8>,
    /// The fragment inserted (`None`: characters were deleted) and the text around the place.
    pub fragment: Option<&'static str>,
    pub before: String,
    pub after: String,
}

/// `n` documents, each a valid document with one fragment inserted, or a few characters removed,
/// at a random place: for comparing XML-level checks (well-formedness, characters, references).
pub fn random_text_mutants(seed: u64, n: usize) -> Vec<TextMutant> {
    let mut rng = Rng::new(seed);
    (0..n)
        .map(|i| {
            let root = flux(
                seed.wrapping_mul(31) ^ i as u64,
                Shape::Random,
                &[1],
                Holder::Any,
            );
            let style = if i % 2 == 0 {
                Style::compact()
            } else {
                Style::default()
            };
            let xml = serialize(&root, &style);
            let mut at = rng.below(xml.len());
            while !xml.is_char_boundary(at) {
                at -= 1;
            }
            let (what, fragment, end) = if rng.chance(80) {
                let f = *rng.pick(FRAGMENTS);
                (format!("insert {f:?} at {at}"), Some(f), at)
            } else {
                let mut end = (at + rng.range(1, 5)).min(xml.len());
                while !xml.is_char_boundary(end) {
                    end += 1;
                }
                (format!("delete {:?} at {at}", &xml[at..end]), None, end)
            };
            let out = format!("{}{}{}", &xml[..at], fragment.unwrap_or(""), &xml[end..]);
            TextMutant {
                name: format!("text-mutant-{i:04} ({what})"),
                xml: out.into_bytes(),
                fragment,
                before: xml[..at].to_owned(),
                after: xml[end..].to_owned(),
            }
        })
        .collect()
}
