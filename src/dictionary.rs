//! The data dictionary: what each workbook column and parameter means to a person.
//!
//! The XSD is the single source of truth for structure, lengths and allowed values. This module
//! only adds what the schema cannot say: French labels and help texts, statuses (from the CDC's
//! documentation), the header spellings and value spellings people actually use, and grouping.
//! Whenever a text needs a length or a list of values, it is computed from the compiled
//! [`Schema`] at run time, so a newer XSD changes the help without touching this file.
//!
//! ```
//! use accrochage::dictionary::{self, Status};
//! use accrochage::xsd::Schema;
//!
//! let schema = Schema::cdc();
//! // Headers are matched whatever their case, accents, spaces or `cpf:` prefix.
//! let entry = dictionary::lookup_header("NOM DE NAISSANCE").unwrap();
//! assert_eq!(entry.key, "nomNaissance");
//! assert_eq!(entry.status, Status::Obligatoire);
//! // Values typed in French resolve to the schema's codes.
//! let code = dictionary::resolve_enumeration(&schema, "modalitePassageExamen", "présentiel");
//! assert_eq!(code.as_deref(), Some("EN_PRESENTIEL"));
//! assert_eq!(dictionary::parse_boolean("Oui"), Some(true));
//! // Lengths are read from the schema, never written here.
//! let insee = dictionary::column("codeInsee").unwrap();
//! assert!(dictionary::constraints(&schema, insee).contains("Exactement 5 caractères"));
//! ```

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::Serialize;

use crate::xsd::builtin::Builtin;
use crate::xsd::{ElementId, Schema, SimpleType};

/// Whether a value must be given, per the CDC's documentation (NOTES.md §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Status {
    Obligatoire,
    /// The element must be present, but may be sent as `xsi:nil="true"` when the value is unknown.
    ObligatoireSaufNil,
    Facultatif,
}

impl Status {
    /// The French wording shown to users.
    pub fn label(self) -> &'static str {
        match self {
            Status::Obligatoire => "Obligatoire",
            Status::ObligatoireSaufNil => "Obligatoire sauf nil",
            Status::Facultatif => "Facultatif",
        }
    }
}

/// Where a column belongs; the template orders its columns by group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Group {
    Certification,
    Passage,
    Titulaire,
    DossierFormation,
    Numerique,
    Parametre,
}

impl Group {
    pub fn label(self) -> &'static str {
        match self {
            Group::Certification => "Certification",
            Group::Passage => "Passage",
            Group::Titulaire => "Titulaire",
            Group::DossierFormation => "Dossier de formation",
            Group::Numerique => "Niveau numérique européen",
            Group::Parametre => "Paramètre",
        }
    }
}

/// How a cell should be read and formatted. `Code` is text whose leading zeros matter: Excel
/// must never turn it into a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Kind {
    Text,
    Code,
    Date,
    DateTime,
    Integer,
    Boolean,
    Enumeration,
}

/// Where a column's value goes in the XML.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Source {
    /// One simple-typed element. `parent` names the enclosing element where the local name is
    /// declared more than once (`idClient` under `emetteur` and under `certificateur`).
    Element {
        name: &'static str,
        parent: Option<&'static str>,
    },
    /// One cell packing a repeated structure: `container` holds items separated by
    /// [`PACKED_ITEM_SEPARATOR`], each made of `leaves` separated by [`PACKED_FIELD_SEPARATOR`].
    Packed {
        container: &'static str,
        item: &'static str,
        leaves: &'static [&'static str],
    },
    /// A convenience column that stands for several others (a full birth date instead of year,
    /// month and day). Accepted when reading, never written to the template.
    Alternative { replaces: &'static [&'static str] },
}

/// Separates the items of a packed cell (`resultats`: `3:1:2|4:2:1`).
pub const PACKED_ITEM_SEPARATOR: char = '|';
/// Separates the fields of one item of a packed cell.
pub const PACKED_FIELD_SEPARATOR: char = ':';

/// One workbook column (sheet « Passages ») or parameter (sheet « Paramètres »).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Entry {
    /// The XSD element name (or a pseudo name for pseudo columns): the header the template writes.
    pub key: &'static str,
    /// Short French label, written under the header.
    pub label: &'static str,
    /// What to put in the cell, in French. Never states a length or a list of values: those come
    /// from the schema (see [`constraints`]).
    pub help: &'static str,
    pub status: Status,
    pub group: Group,
    pub kind: Kind,
    /// Other accepted header spellings, besides the key and the label.
    pub synonyms: &'static [&'static str],
    pub source: Source,
}

impl Entry {
    /// The schema declaration this entry writes to, if the schema has it (a newer or older XSD
    /// may lack it). For a packed column, the container; for an alternative column, none.
    pub fn xsd_element(&self, schema: &Schema) -> Option<ElementId> {
        match self.source {
            Source::Element { name, parent } => find_element(schema, name, parent),
            Source::Packed { container, .. } => find_element(schema, container, None),
            Source::Alternative { .. } => None,
        }
    }

    /// The simple type of the element this entry writes to, when it writes to one leaf.
    pub fn simple_type<'s>(&self, schema: &'s Schema) -> Option<&'s SimpleType> {
        match self.source {
            Source::Element { .. } => schema.element_simple_type(self.xsd_element(schema)?),
            _ => None,
        }
    }

    /// Whether the template should have this column for this schema.
    pub fn in_template(&self, schema: &Schema) -> bool {
        self.xsd_element(schema).is_some()
    }

    /// The XSD element name whose type the entry's values follow (the container for a packed
    /// column, the key for an alternative one): where to look up its enumeration, for instance.
    pub fn element_name(&self) -> &'static str {
        match self.source {
            Source::Element { name, .. } => name,
            Source::Packed { container, .. } => container,
            Source::Alternative { .. } => self.key,
        }
    }
}

const fn el(name: &'static str) -> Source {
    Source::Element { name, parent: None }
}

/// `entry!(key, label, status, group, kind, [synonyms], help[, source])`: one table row per
/// entry keeps the dictionary readable; the source defaults to the element named like the key.
macro_rules! entry {
    ($key:literal, $label:literal, $status:ident, $group:ident, $kind:ident,
     [$($syn:literal),* $(,)?], $help:literal) => {
        entry!($key, $label, $status, $group, $kind, [$($syn),*], $help, el($key))
    };
    ($key:literal, $label:literal, $status:ident, $group:ident, $kind:ident,
     [$($syn:literal),* $(,)?], $help:literal, $source:expr) => {
        Entry {
            key: $key,
            label: $label,
            help: $help,
            status: Status::$status,
            group: Group::$group,
            kind: Kind::$kind,
            synonyms: &[$($syn),*],
            source: $source,
        }
    };
}

/// The columns of the sheet « Passages », in template order.
#[rustfmt::skip]
static COLUMNS: &[Entry] = &[
    // Certification
    entry!("type", "Type de certification", Obligatoire, Certification, Text,
        ["Type certification", "Répertoire"],
        "Le répertoire de la certification : RNCP ou RS."),
    entry!("code", "Code de la certification", Obligatoire, Certification, Code,
        ["Code certification", "Code RNCP", "Code RS", "Code RNCP/RS", "Code fiche",
         "N° de fiche"],
        "Le code de la fiche France compétences, préfixe compris (ex. RNCP34567 ou RS5678)."),
    entry!("natureDeposant", "Nature du déposant", Facultatif, Certification, Enumeration,
        ["Nature déposant", "Déposant"],
        "Qui dépose le fichier pour cette certification : le certificateur lui-même ou un tiers \
         de confiance. Laisser vide pour reprendre la valeur de la feuille Paramètres."),
    // Passage
    entry!("idTechnique", "Identifiant du passage", Obligatoire, Passage, Code,
        ["Identifiant technique", "Id technique", "Identifiant passage", "ID passage",
         "N° passage", "Référence passage"],
        "Identifiant unique du passage, choisi par vous (ex. 2024-RNCP34567-0001). Ne jamais \
         réutiliser un identifiant déjà envoyé : la CDC refuse les doublons."),
    entry!("urlPreuve", "URL de preuve", Facultatif, Passage, Text,
        ["URL preuve", "Lien preuve", "Lien vers la preuve", "Preuve"],
        "Adresse web où la certification obtenue peut être vérifiée (ex. https://…)."),
    entry!("libelleOption", "Libellé de l'option", Facultatif, Passage, Text,
        ["Option", "Libellé option"],
        "L'option, la spécialité ou le bloc obtenu, s'il y en a un."),
    entry!("obtentionCertification", "Mode d'obtention", Obligatoire, Passage, Enumeration,
        ["Obtention", "Obtention certification", "Obtention de la certification",
         "Modalité d'obtention"],
        "Par admission (reçu ou non) ou par scoring (un score ou un niveau est délivré)."),
    entry!("donneeCertifiee", "Donnée certifiée", Obligatoire, Passage, Boolean,
        ["Données certifiées"],
        "Oui si le certificateur garantit l'exactitude des informations de la ligne."),
    entry!("dateDebutExamen", "Date de début d'examen", Facultatif, Passage, Date,
        ["Date début examen", "Début examen", "Date examen", "Date d'examen",
         "Date de l'examen"],
        "Premier jour des épreuves."),
    entry!("dateFinExamen", "Date de fin d'examen", Facultatif, Passage, Date,
        ["Date fin examen", "Fin examen"],
        "Dernier jour des épreuves (le même jour que le début pour une épreuve unique)."),
    entry!("modalitePassageExamen", "Modalité de passage", Facultatif, Passage, Enumeration,
        ["Modalité passage", "Modalité examen", "Modalité de l'examen",
         "Modalité de passage de l'examen"],
        "Comment l'examen a été passé : sur place, à distance ou les deux."),
    entry!("codePostalCentreExamen", "Code postal du centre d'examen", Facultatif, Passage, Code,
        ["CP centre examen", "CP centre", "Code postal centre", "Code postal du centre",
         "Code postal centre examen", "Code postal lieu d'examen"],
        "Code postal du lieu où l'examen s'est tenu (ex. 06000 ; le zéro initial compte)."),
    entry!("dateDebutValidite", "Date de début de validité", Obligatoire, Passage, Date,
        ["Date d'obtention", "Date de délivrance", "Date début validité", "Début de validité",
         "Date de certification"],
        "Date de délivrance de la certification. Le dépôt doit se faire dans les 3 mois qui \
         suivent."),
    entry!("dateFinValidite", "Date de fin de validité", ObligatoireSaufNil, Passage, Date,
        ["Date fin validité", "Fin de validité", "Date d'expiration", "Expiration"],
        "Date à laquelle la certification cesse d'être valable ; nil si elle est permanente."),
    entry!("presenceNiveauLangueEuro", "Niveau de langue évalué", Obligatoire, Passage, Boolean,
        ["Présence niveau langue", "Présence niveau langue européen", "Niveau langue présent"],
        "Oui si la certification atteste un niveau de langue du cadre européen (CECRL) ; le \
         remplir alors dans niveauLangueEuropeen."),
    entry!("niveauLangueEuropeen", "Niveau de langue (CECRL)", Facultatif, Passage, Enumeration,
        ["Niveau CECRL", "CECRL", "Niveau de langue", "Niveau langue européen"],
        "Niveau atteint dans le cadre européen commun de référence pour les langues, si \
         presenceNiveauLangueEuro vaut Oui."),
    entry!("presenceNiveauNumeriqueEuro", "Niveau numérique évalué", Obligatoire, Passage,
        Boolean,
        ["Présence niveau numérique", "Présence niveau numérique européen",
         "Niveau numérique présent"],
        "Oui si la certification atteste un niveau de compétences numériques du cadre européen \
         (DigComp) ; remplir alors scoreGeneral et/ou resultats."),
    entry!("scoring", "Score obtenu", ObligatoireSaufNil, Passage, Text,
        ["Score", "Note", "Note obtenue"],
        "Le score ou la note obtenu, tel que délivré (ex. 785 ou 12,5), pour une obtention par \
         scoring ; nil sinon."),
    entry!("mentionValidee", "Mention obtenue", ObligatoireSaufNil, Passage, Enumeration,
        ["Mention", "Mention validée"],
        "La mention obtenue ; nil si la certification ne délivre pas de mention."),
    entry!("modaliteAcces", "Modalité d'accès", ObligatoireSaufNil, Passage, Enumeration,
        ["Modalité accès", "Voie d'accès", "Mode d'accès"],
        "Le parcours par lequel le candidat est arrivé à la certification ; nil si inconnu."),
    entry!("voieAccessVAE", "Voie d'accès à la VAE", Facultatif, Passage, Enumeration,
        ["voieAccesVAE", "Voie d'accès VAE", "Voie VAE", "Type de VAE"],
        "Seulement si la modalité d'accès est la VAE : congé VAE ou VAE classique."),
    entry!("initiativeInscription", "Initiative de l'inscription", Facultatif, Passage,
        Enumeration,
        ["Initiative", "Inscription à l'initiative de", "A l'initiative de"],
        "Qui a pris l'initiative de l'inscription à la certification."),
    entry!("dateInscription", "Date d'inscription", Facultatif, Passage, Date,
        ["Date d'inscription à la certification"],
        "Date d'inscription du candidat à la certification, avant l'examen."),
    entry!("verbatim", "Verbatim", Facultatif, Passage, Text,
        [],
        "Texte libre transmis avec le passage (ex. le nom de l'épreuve ou du référentiel)."),
    // Titulaire
    entry!("nomNaissance", "Nom de naissance", Obligatoire, Titulaire, Text,
        ["Nom", "Nom de famille", "Nom patronymique"],
        "Nom de naissance tel qu'il figure sur l'acte de naissance ou la pièce d'identité (ex. \
         DUPONT), sans le nom d'usage."),
    entry!("nomUsage", "Nom d'usage", ObligatoireSaufNil, Titulaire, Text,
        ["Nom marital", "Nom d'épouse", "Nom usuel"],
        "Nom d'usage s'il diffère du nom de naissance (ex. nom d'époux ou d'épouse) ; nil \
         sinon."),
    entry!("prenom1", "Prénom", Obligatoire, Titulaire, Text,
        ["Premier prénom"],
        "Premier prénom, tel qu'à l'état civil (ex. Marie), accents compris."),
    entry!("prenom2", "Deuxième prénom", Facultatif, Titulaire, Text,
        ["Second prénom", "2e prénom", "Prénom n°2"],
        "Deuxième prénom à l'état civil, s'il y en a un."),
    entry!("prenom3", "Troisième prénom", Facultatif, Titulaire, Text,
        ["3e prénom", "Prénom n°3"],
        "Troisième prénom à l'état civil, s'il y en a un."),
    entry!("anneeNaissance", "Année de naissance", Obligatoire, Titulaire, Integer,
        ["Année naissance"],
        "Année de naissance sur quatre chiffres (ex. 1990)."),
    entry!("moisNaissance", "Mois de naissance", ObligatoireSaufNil, Titulaire, Integer,
        [],
        "Mois de naissance en chiffres (ex. 3 pour mars) ; nil si inconnu. Le jour et le mois \
         aident beaucoup la CDC à reconnaître le titulaire."),
    entry!("jourNaissance", "Jour de naissance", ObligatoireSaufNil, Titulaire, Integer,
        [],
        "Jour de naissance (ex. 14) ; nil si inconnu."),
    entry!("dateNaissance", "Date de naissance", Facultatif, Titulaire, Date,
        ["Né le", "Née le", "Né(e) le", "Naissance", "DDN"],
        "Date de naissance complète (ex. 14/03/1990), à la place des trois colonnes année, mois \
         et jour de naissance.",
        Source::Alternative { replaces: &["anneeNaissance", "moisNaissance", "jourNaissance"] }),
    entry!("sexe", "Sexe", Obligatoire, Titulaire, Enumeration,
        ["Genre", "Civilité"],
        "Sexe à l'état civil : homme ou femme."),
    entry!("codeInsee", "Code INSEE de naissance", Facultatif, Titulaire, Code,
        ["Code INSEE", "Code INSEE naissance", "Code INSEE commune de naissance",
         "Code INSEE de la commune de naissance", "Code INSEE lieu de naissance",
         "Code commune de naissance", "codeInseeNaissance"],
        "Code officiel géographique de la commune de naissance (ex. 44109 pour Nantes ; 2A004 en \
         Corse). Né(e) à l'étranger : 99 + code pays INSEE (ex. 99109 pour l'Allemagne). À \
         défaut, remplir codePostal.",
        Source::Element { name: "codeInsee", parent: Some("codeInseeNaissance") }),
    entry!("codePostal", "Code postal de naissance", ObligatoireSaufNil, Titulaire, Code,
        ["CP naissance", "CP de naissance", "Code postal naissance",
         "Code postal commune de naissance", "Code postal lieu de naissance",
         "codePostalNaissance"],
        "Seulement si le code INSEE de la commune de naissance n'est pas connu : son code postal \
         (ex. 01000), ou nil.",
        Source::Element { name: "codePostal", parent: Some("codePostalNaissance") }),
    entry!("libelleCommuneNaissance", "Commune de naissance", Facultatif, Titulaire, Text,
        ["Commune naissance", "Ville de naissance", "Ville naissance", "Lieu de naissance",
         "Libellé commune de naissance"],
        "Nom de la commune de naissance (ex. Nantes), ou de la ville à l'étranger."),
    entry!("codePaysNaissance", "Code pays de naissance", Facultatif, Titulaire, Code,
        ["Code pays", "Code pays INSEE", "Code pays INSEE de naissance"],
        "Pour une naissance à l'étranger, le code pays INSEE : les chiffres qui suivent 99 dans \
         le code INSEE (ex. 109 pour l'Allemagne)."),
    entry!("libellePaysNaissance", "Pays de naissance", Facultatif, Titulaire, Text,
        ["Pays", "Pays naissance", "Libellé pays de naissance"],
        "Nom du pays de naissance (ex. Allemagne)."),
    entry!("commentairesMEN", "Commentaires MEN", Facultatif, Titulaire, Text,
        ["Commentaire MEN"],
        "Commentaire réservé aux échanges avec l'Éducation nationale ; en général vide."),
    // Dossier de formation
    entry!("idDossier", "N° de dossier de formation", Facultatif, DossierFormation, Code,
        ["N° dossier", "N° de dossier", "Numéro de dossier", "Numéro dossier", "N° dossier CPF",
         "Numéro de dossier CPF", "Dossier CPF", "Numéro de dossier de formation"],
        "Numéro du dossier de formation CPF (Mon Compte Formation). À remplir, avec nomTitulaire \
         et prenom1Titulaire, à la place de l'état civil du titulaire."),
    entry!("nomTitulaire", "Nom (dossier de formation)", Facultatif, DossierFormation, Text,
        ["Nom du titulaire"],
        "Nom du titulaire tel qu'il figure dans le dossier de formation CPF."),
    entry!("prenom1Titulaire", "Prénom (dossier de formation)", Facultatif, DossierFormation,
        Text,
        ["Prénom titulaire", "Prénom du titulaire"],
        "Prénom du titulaire tel qu'il figure dans le dossier de formation CPF."),
    // Niveau numérique européen
    entry!("scoreGeneral", "Score général (numérique)", Facultatif, Numerique, Integer,
        ["Score général", "Score numérique"],
        "Score global de la certification numérique, si presenceNiveauNumeriqueEuro vaut Oui."),
    entry!("resultats", "Résultats par compétence", Facultatif, Numerique, Text,
        ["Résultats", "Résultats numériques", "Compétences numériques"],
        "Résultats par compétence numérique, séparés par | ; chacun s'écrit \
         niveau:domaine:compétence (ex. 3:1:2|4:2:1).",
        Source::Packed {
            container: "resultats",
            item: "resultat",
            leaves: &["niveau", "domaineCompetenceId", "competenceId"],
        }),
];

/// The rows of the sheet « Paramètres »: what is the same for the whole file.
#[rustfmt::skip]
static PARAMETERS: &[Entry] = &[
    entry!("idClientEmetteur", "Identifiant client émetteur", Obligatoire, Parametre, Code,
        ["idClient émetteur", "Id client émetteur", "Identifiant émetteur", "Émetteur",
         "emetteur/idClient"],
        "Identifiant client (compte EDOF / CDC) de celui qui dépose le fichier : le \
         certificateur, ou le tiers de confiance qui dépose pour lui.",
        Source::Element { name: "idClient", parent: Some("emetteur") }),
    entry!("idClientCertificateur", "Identifiant client certificateur", Obligatoire, Parametre,
        Code,
        ["idClient certificateur", "Id client certificateur", "Identifiant certificateur",
         "Certificateur", "certificateur/idClient"],
        "Identifiant client (compte CDC) du certificateur pour lequel les passages sont \
         déposés ; le même que l'émetteur quand le certificateur dépose lui-même.",
        Source::Element { name: "idClient", parent: Some("certificateur") }),
    entry!("idContrat", "N° de contrat", Obligatoire, Parametre, Code,
        ["Contrat", "Numéro de contrat", "Identifiant contrat", "Id contrat"],
        "Numéro du contrat d'accrochage signé avec la CDC (ex. 2560080000127J)."),
    entry!("natureDeposant", "Nature du déposant", Facultatif, Parametre, Enumeration,
        ["Nature déposant", "Déposant"],
        "Certificateur s'il dépose lui-même, tiers de confiance s'il dépose pour un autre. Vaut \
         pour toutes les certifications, sauf si la colonne natureDeposant de Passages est \
         remplie."),
    entry!("idFlux", "Identifiant du flux", Obligatoire, Parametre, Code,
        ["Identifiant flux", "Id flux", "Flux"],
        "Laisser vide : généré automatiquement, différent à chaque fichier."),
    entry!("horodatage", "Date et heure du flux", Obligatoire, Parametre, DateTime,
        ["Date et heure", "Horodatage du flux"],
        "Laisser vide : date et heure de la conversion."),
];

/// The columns of the sheet « Passages », in template order (certification, passage, holder,
/// dossier de formation, numérique).
pub fn columns() -> &'static [Entry] {
    COLUMNS
}

/// The parameters of the sheet « Paramètres », in template order.
pub fn parameters() -> &'static [Entry] {
    PARAMETERS
}

/// The column whose key is exactly `key`.
pub fn column(key: &str) -> Option<&'static Entry> {
    COLUMNS.iter().find(|e| e.key == key)
}

/// The parameter whose key is exactly `key`.
pub fn parameter(key: &str) -> Option<&'static Entry> {
    PARAMETERS.iter().find(|e| e.key == key)
}

/// Folds a spelling for comparison: no case, accents, spaces, underscores, hyphens, apostrophes
/// or dots. NFKD also turns look-alikes (`º`, non-breaking spaces, ligatures) into plain letters.
fn fold(s: &str) -> String {
    // Most cells are plain ASCII codes (`PRESENTIEL`, `true`): NFKD would leave them unchanged,
    // so skip the decomposition, which dominated the conversion profile.
    if s.is_ascii() {
        return s
            .bytes()
            .filter(|&b| !char::from(b).is_whitespace() && !matches!(b, b'_' | b'-' | b'\'' | b'.'))
            .map(|b| char::from(b.to_ascii_lowercase()))
            .collect();
    }
    // An enumeration column repeats a few labels (« Présentiel », « À distance ») on every row,
    // and in the browser each decomposition is a call into JavaScript: short spellings are
    // folded once per thread.
    thread_local! {
        static FOLDED: std::cell::RefCell<HashMap<String, String>> = Default::default();
    }
    const CACHED_LEN: usize = 64;
    const CACHED_SPELLINGS: usize = 1024;
    if s.len() <= CACHED_LEN {
        if let Some(hit) = FOLDED.with(|f| f.borrow().get(s).cloned()) {
            return hit;
        }
    }
    let folded = fold_decomposed(s);
    if s.len() <= CACHED_LEN {
        FOLDED.with(|f| {
            let mut f = f.borrow_mut();
            if f.len() >= CACHED_SPELLINGS {
                f.clear();
            }
            f.insert(s.to_owned(), folded.clone());
        });
    }
    folded
}

fn fold_decomposed(s: &str) -> String {
    crate::unicode::nfkd_without_marks(s)
        .chars()
        .filter(|c| {
            !c.is_whitespace()
                && !matches!(
                    c,
                    '_' | '-' | '\u{2010}' | '\u{2011}' | '\u{2013}' | '\'' | '\u{2019}' | '.'
                )
        })
        .flat_map(char::to_lowercase)
        .collect()
}

/// The form under which headers are compared: `cpf:` prefix dropped, then case, accents,
/// spaces, underscores, hyphens, apostrophes and dots ignored.
/// « Nom de naissance », « NOM_DE_NAISSANCE » and « cpf:nomDeNaissance » all give
/// `nomdenaissance`.
pub fn normalize_header(s: &str) -> String {
    let t = s.trim();
    let t = match t.get(..4) {
        Some(p) if p.eq_ignore_ascii_case("cpf:") => &t[4..],
        _ => t,
    };
    fold(t)
}

/// An entry's spellings, folded once: folding every entry on every lookup (Unicode
/// decomposition included) was most of the time spent finding a workbook's header row.
struct Folded {
    key: String,
    others: Vec<String>,
}

fn folded(entries: &'static [Entry]) -> &'static [Folded] {
    static COLUMN_FOLDS: OnceLock<Vec<Folded>> = OnceLock::new();
    static PARAMETER_FOLDS: OnceLock<Vec<Folded>> = OnceLock::new();
    let cell = if std::ptr::eq(entries, PARAMETERS) {
        &PARAMETER_FOLDS
    } else {
        &COLUMN_FOLDS
    };
    cell.get_or_init(|| {
        entries
            .iter()
            .map(|e| Folded {
                key: fold(e.key),
                others: std::iter::once(e.label)
                    .chain(e.synonyms.iter().copied())
                    .map(fold)
                    .collect(),
            })
            .collect()
    })
}

fn lookup_in(entries: &'static [Entry], s: &str) -> Option<&'static Entry> {
    let n = normalize_header(s);
    if n.is_empty() {
        return None;
    }
    let folds = folded(entries);
    // A key wins over any synonym, so a file using the XSD names is read exactly.
    let i = folds
        .iter()
        .position(|f| f.key == n)
        .or_else(|| folds.iter().position(|f| f.others.contains(&n)))?;
    entries.get(i)
}

/// The « Passages » column a header designates: by key (priority), label or synonym, after
/// [`normalize_header`].
pub fn lookup_header(s: &str) -> Option<&'static Entry> {
    lookup_in(COLUMNS, s)
}

/// The « Paramètres » row a name designates, like [`lookup_header`].
pub fn lookup_parameter(s: &str) -> Option<&'static Entry> {
    lookup_in(PARAMETERS, s)
}

type Spellings = &'static [(&'static str, &'static [&'static str])];

/// Accepted French spellings of enumeration codes, per XSD element. The first spelling of each
/// code is its display label. Codes listed here but absent from the loaded schema are ignored.
static ENUMERATIONS: &[(&str, Spellings)] = &[
    (
        "natureDeposant",
        &[
            (
                "CERTIFICATEUR",
                &["Certificateur", "Organisme certificateur"],
            ),
            ("TIERS_CONFIANCE", &["Tiers de confiance", "Tiers"]),
        ],
    ),
    (
        "obtentionCertification",
        &[
            ("PAR_ADMISSION", &["Par admission", "Admission"]),
            (
                "PAR_SCORING",
                &["Par scoring", "Scoring", "Score", "Par score"],
            ),
        ],
    ),
    (
        "modalitePassageExamen",
        &[
            (
                "EN_PRESENTIEL",
                &["En présentiel", "Présentiel", "Sur site", "Sur place"],
            ),
            (
                "A_DISTANCE",
                &["À distance", "Distanciel", "En distanciel", "En ligne"],
            ),
            ("MIXTE", &["Mixte", "Hybride"]),
        ],
    ),
    (
        "niveauLangueEuropeen",
        &[
            ("A1", &["A1 (découverte)"]),
            ("A2", &["A2 (intermédiaire)"]),
            ("B1", &["B1 (seuil)"]),
            ("B2", &["B2 (avancé)"]),
            ("C1", &["C1 (autonome)"]),
            ("C2", &["C2 (maîtrise)"]),
            ("INSUFFISANT", &["Insuffisant", "Niveau insuffisant"]),
        ],
    ),
    (
        "mentionValidee",
        &[
            (
                "SANS_MENTION",
                &["Sans mention", "Aucune", "Aucune mention"],
            ),
            ("MENTION_ASSEZ_BIEN", &["Assez bien", "AB"]),
            ("MENTION_BIEN", &["Bien"]),
            ("MENTION_TRES_BIEN", &["Très bien", "TB"]),
            (
                "MENTION_TRES_BIEN_AVEC_FELICITATIONS_DU_JURY",
                &[
                    "Très bien avec félicitations du jury",
                    "Très bien avec félicitations",
                    "Félicitations du jury",
                    "Félicitations",
                ],
            ),
        ],
    ),
    (
        "modaliteAcces",
        &[
            (
                "FORMATION_INITIALE_HORS_APPRENTISSAGE",
                &[
                    "Formation initiale hors apprentissage",
                    "Formation initiale",
                    "Formation initiale (hors apprentissage)",
                    "Scolaire",
                ],
            ),
            (
                "FORMATION_INITIALE_APPRENTISSAGE",
                &[
                    "Apprentissage",
                    "Formation initiale en apprentissage",
                    "Formation initiale apprentissage",
                    "Contrat d'apprentissage",
                ],
            ),
            (
                "FORMATION_CONTINUE_HORS_CONTRAT_DE_PROFESSIONNALISATION",
                &[
                    "Formation continue hors contrat de professionnalisation",
                    "Formation continue",
                    "Formation continue (hors contrat de professionnalisation)",
                    "Formation continue hors contrat pro",
                ],
            ),
            (
                "FORMATION_CONTINUE_CONTRAT_DE_PROFESSIONNALISATION",
                &[
                    "Contrat de professionnalisation",
                    "Contrat pro",
                    "Formation continue en contrat de professionnalisation",
                    "Formation continue contrat de professionnalisation",
                ],
            ),
            ("VAE", &["VAE", "Validation des acquis de l'expérience"]),
            (
                "EQUIVALENCE_DIPLOME_ETRANGER",
                &[
                    "Équivalence de diplôme étranger",
                    "Équivalence diplôme étranger",
                    "Diplôme étranger",
                ],
            ),
            ("CANDIDAT_LIBRE", &["Candidat libre", "Candidate libre"]),
        ],
    ),
    (
        "voieAccessVAE",
        &[
            (
                "CONGES_VAE",
                &["Congé VAE", "Congé pour VAE", "Congé de VAE"],
            ),
            ("VAE_CLASSIQUE", &["VAE classique", "Classique"]),
        ],
    ),
    (
        "initiativeInscription",
        &[
            (
                "CERTIFIE",
                &[
                    "Le candidat lui-même",
                    "Certifié",
                    "Candidat",
                    "Titulaire",
                    "Initiative personnelle",
                    "Personnelle",
                ],
            ),
            ("OF", &["Organisme de formation", "Organisme formateur"]),
            (
                "POLE_EMPLOI",
                &[
                    "France Travail (ex-Pôle emploi)",
                    "France Travail",
                    "Pôle emploi",
                    "FT",
                ],
            ),
            ("EMPLOYEUR", &["Employeur", "Entreprise"]),
            ("AUTRE", &["Autre"]),
        ],
    ),
    (
        "sexe",
        &[
            (
                "M",
                &[
                    "Homme (M)",
                    "Homme",
                    "H",
                    "Masculin",
                    "Monsieur",
                    "M.",
                    "Mr",
                ],
            ),
            (
                "F",
                &[
                    "Femme (F)",
                    "Femme",
                    "Féminin",
                    "Madame",
                    "Mme",
                    "Mademoiselle",
                    "Mlle",
                ],
            ),
        ],
    ),
];

/// Accepted French spellings for the codes of an element's enumeration, as
/// `(code, spellings)`; the first spelling is the display label. Empty for unknown elements.
pub fn enumeration_synonyms(element: &str) -> &'static [(&'static str, &'static [&'static str])] {
    ENUMERATIONS
        .iter()
        .find(|(name, _)| *name == element)
        .map(|(_, s)| *s)
        .unwrap_or(&[])
}

/// The label shown in drop-down lists for a code (« EN_PRESENTIEL » → « En présentiel »).
pub fn enumeration_label(element: &str, code: &str) -> Option<&'static str> {
    enumeration_synonyms(element)
        .iter()
        .find(|(c, _)| *c == code)
        .and_then(|(_, spellings)| spellings.first().copied())
}

/// The enumeration literals the schema allows for an element, if it is an enumeration.
pub fn schema_codes<'s>(schema: &'s Schema, element: &str) -> Option<Vec<&'s str>> {
    schema
        .elements_named(element)
        .find_map(|id| schema.element_simple_type(id)?.enumeration_values())
}

/// The schema's codes for an element with their display labels (the code itself when the
/// dictionary has no label, e.g. for a value a newer XSD added).
pub fn enumeration_choices(schema: &Schema, element: &str) -> Option<Vec<(String, String)>> {
    let codes = schema_codes(schema, element)?;
    Some(
        codes
            .into_iter()
            .map(|c| {
                let label = enumeration_label(element, c).unwrap_or(c);
                (c.to_owned(), label.to_owned())
            })
            .collect(),
    )
}

/// The XSD code an input designates — the code itself, its label or a synonym, whatever the
/// case, accents and spacing — provided the schema's enumeration for `element` has that code.
/// For many values of one column, build an [`EnumerationResolver`] once instead.
pub fn resolve_enumeration(schema: &Schema, element: &str, input: &str) -> Option<String> {
    EnumerationResolver::new(schema, element)?
        .resolve(input)
        .map(str::to_owned)
}

/// [`resolve_enumeration`] for one element, prepared once: one fold and one hash lookup per
/// value, for converting columns of many rows.
#[derive(Debug, Clone)]
pub struct EnumerationResolver {
    by_spelling: HashMap<String, String>,
}

impl EnumerationResolver {
    /// `None` when the schema has no enumeration for `element`.
    pub fn new(schema: &Schema, element: &str) -> Option<EnumerationResolver> {
        let codes = schema_codes(schema, element)?;
        let mut by_spelling = HashMap::new();
        for (code, spellings) in enumeration_synonyms(element) {
            if codes.contains(code) {
                for s in *spellings {
                    by_spelling.insert(fold(s), (*code).to_owned());
                }
            }
        }
        // Inserted last so that a schema value spelled exactly is never shadowed by a synonym.
        for code in codes {
            by_spelling.insert(fold(code), code.to_owned());
        }
        Some(EnumerationResolver { by_spelling })
    }

    pub fn resolve(&self, input: &str) -> Option<&str> {
        self.by_spelling.get(&fold(input)).map(String::as_str)
    }
}

/// Reads a yes/no cell: VRAI/FAUX, Oui/Non, O/N, true/false, 1/0, and X for a ticked box, in any
/// case and with or without accents. `None` for anything else, including an empty cell.
pub fn parse_boolean(input: &str) -> Option<bool> {
    match fold(input).as_str() {
        "vrai" | "oui" | "o" | "true" | "1" | "x" => Some(true),
        "faux" | "non" | "n" | "false" | "0" => Some(false),
        _ => None,
    }
}

/// Splits a packed cell (`3:1:2|4:2:1`) into items and their fields, trimmed; empty items are
/// skipped. The caller checks the number of fields.
pub fn split_packed(cell: &str) -> Vec<Vec<&str>> {
    cell.split(PACKED_ITEM_SEPARATOR)
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(|item| item.split(PACKED_FIELD_SEPARATOR).map(str::trim).collect())
        .collect()
}

/// Visits the element tree from `flux` (or from every global element when there is no `flux`),
/// calling `f(ancestors, element)` for each declaration. Recursion through a type that contains
/// itself stops at the repeated element.
pub fn walk_schema(schema: &Schema, f: &mut dyn FnMut(&[ElementId], ElementId)) {
    let roots: Vec<ElementId> = match schema.global_element("flux") {
        Some(id) => vec![id],
        None => schema
            .global_elements()
            .filter_map(|e| schema.global_element(&e.name))
            .collect(),
    };
    let mut path = Vec::new();
    for root in roots {
        walk_from(schema, root, &mut path, f);
    }
}

fn walk_from(
    schema: &Schema,
    id: ElementId,
    path: &mut Vec<ElementId>,
    f: &mut dyn FnMut(&[ElementId], ElementId),
) {
    f(path, id);
    if path.contains(&id) {
        return;
    }
    path.push(id);
    for slot in schema.children(id) {
        walk_from(schema, slot.element, path, f);
    }
    path.pop();
}

/// The first declaration named `name` (under an element named `parent`, if given) in the tree.
fn find_element(schema: &Schema, name: &str, parent: Option<&str>) -> Option<ElementId> {
    let mut found = None;
    walk_schema(schema, &mut |path, id| {
        if found.is_none()
            && schema.element(id).name == name
            && parent.is_none_or(|p| {
                path.last()
                    .is_some_and(|&parent_id| schema.element(parent_id).name == p)
            })
        {
            found = Some(id);
        }
    });
    found
}

fn plural(n: usize, word: &str) -> String {
    if n > 1 {
        format!("{n} {word}s")
    } else {
        format!("{n} {word}")
    }
}

/// Whether a label already shows its code as a word (« Homme (M) », « VAE »), so that help texts
/// do not repeat it.
fn mentions_code(label: &str, code: &str) -> bool {
    label
        .split(|c: char| !c.is_alphanumeric() && c != '_')
        .any(|word| word == code)
}

/// Describes a simple type in French from its facets: length, range, format, values.
fn describe_simple_type(st: &SimpleType, element: &str) -> String {
    if let Some(codes) = st.enumeration_values() {
        let values: Vec<String> = codes
            .iter()
            .map(|c| match enumeration_label(element, c) {
                Some(label) if !mentions_code(label, c) => format!("{label} ({c})"),
                Some(label) => label.to_owned(),
                None => (*c).to_owned(),
            })
            .collect();
        return format!("Valeurs : {}.", values.join(", "));
    }
    match st.builtin {
        Builtin::Boolean => "Oui ou Non (VRAI/FAUX et 1/0 sont aussi acceptés).".to_owned(),
        Builtin::Date => "Date (jj/mm/aaaa).".to_owned(),
        Builtin::DateTime => "Date et heure.".to_owned(),
        Builtin::GYear => "Année (aaaa).".to_owned(),
        b if b.is_decimal() => {
            let what = if b == Builtin::Decimal {
                "Nombre"
            } else {
                "Nombre entier"
            };
            let min = st.min_inclusive.as_ref().map(|(lit, _)| lit.as_str());
            let max = st.max_inclusive.as_ref().map(|(lit, _)| lit.as_str());
            match (min, max) {
                (Some(a), Some(b)) => format!("{what} de {a} à {b}."),
                (Some(a), None) => format!("{what} supérieur ou égal à {a}."),
                (None, Some(b)) => format!("{what} inférieur ou égal à {b}."),
                (None, None) => format!("{what}."),
            }
        }
        _ => match (st.length, st.min_length, st.max_length) {
            (Some(n), _, _) => format!("Exactement {}.", plural(n, "caractère")),
            (None, Some(a), Some(b)) if a > 1 => format!("De {a} à {b} caractères."),
            (None, _, Some(b)) => format!("{} au plus.", plural(b, "caractère")),
            (None, Some(a), None) if a > 1 => format!("Au moins {a} caractères."),
            _ => String::new(),
        },
    }
}

/// What the schema requires of one element's value, in French; see [`constraints`].
pub fn element_constraints(schema: &Schema, id: ElementId) -> String {
    let decl = schema.element(id);
    let mut text = schema
        .element_simple_type(id)
        .map(|st| describe_simple_type(st, &decl.name))
        .unwrap_or_default();
    if decl.nillable {
        if !text.is_empty() {
            text.push(' ');
        }
        text.push_str("Inconnu : laisser vide ou écrire nil.");
    }
    text
}

/// What the schema requires of an entry's value, in French (« 60 caractères au plus. », « Nombre
/// entier de 1 à 12. », « Valeurs : … »), plus how to say « unknown » for a nillable element.
/// Empty when the schema has nothing to say.
pub fn constraints(schema: &Schema, entry: &Entry) -> String {
    match entry.source {
        Source::Element { .. } => match entry.xsd_element(schema) {
            Some(id) => element_constraints(schema, id),
            None => "Absent du schéma utilisé : la colonne sera ignorée.".to_owned(),
        },
        Source::Packed { leaves, .. } => {
            let parts: Vec<String> = leaves
                .iter()
                .filter_map(|leaf| {
                    let id = find_element(schema, leaf, None)?;
                    let st = schema.element_simple_type(id)?;
                    let d = describe_simple_type(st, leaf);
                    Some(format!(
                        "{leaf} : {}",
                        d.trim_end_matches('.').to_lowercase()
                    ))
                })
                .collect();
            if parts.is_empty() {
                String::new()
            } else {
                format!("{}.", parts.join(" ; "))
            }
        }
        Source::Alternative { replaces } => {
            format!(
                "Date (jj/mm/aaaa) ; remplace les colonnes {}.",
                replaces.join(", ")
            )
        }
    }
}

/// The full help of an entry: label, status, help text and the schema's constraints.
pub fn full_help(schema: &Schema, entry: &Entry) -> String {
    let constraints = constraints(schema, entry);
    let mut text = format!(
        "{} — {}.\n{}",
        entry.label,
        entry.status.label(),
        entry.help
    );
    if !constraints.is_empty() {
        text.push('\n');
        text.push_str(&constraints);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn all_entries() -> impl Iterator<Item = &'static Entry> {
        COLUMNS.iter().chain(PARAMETERS.iter())
    }

    #[test]
    fn a_remembered_fold_is_the_fold() {
        // Twice each, across more spellings than are remembered: first computed, then recalled
        // (or computed again after the table was emptied).
        for round in 0..2 {
            for i in 0..3000 {
                let s = format!("À distance {i}");
                assert_eq!(fold(&s), fold_decomposed(&s), "{s} (tour {round})");
                assert_eq!(fold(&s), format!("adistance{i}"));
            }
        }
        let long = "é".repeat(100);
        assert_eq!(fold(&long), "e".repeat(100));
        assert_eq!(fold(&long), fold_decomposed(&long));
    }

    /// NOTES.md §2: the statuses the CDC documents.
    #[test]
    fn statuses_follow_the_cdc_documentation() {
        let obligatoire: BTreeSet<&str> = [
            "idFlux",
            "horodatage",
            "idClientEmetteur",
            "idClientCertificateur",
            "idContrat",
            "type",
            "code",
            "idTechnique",
            "obtentionCertification",
            "donneeCertifiee",
            "dateDebutValidite",
            "nomNaissance",
            "prenom1",
            "anneeNaissance",
            "sexe",
            "presenceNiveauLangueEuro",
            "presenceNiveauNumeriqueEuro",
        ]
        .into();
        let sauf_nil: BTreeSet<&str> = [
            "dateFinValidite",
            "scoring",
            "mentionValidee",
            "modaliteAcces",
            "nomUsage",
            "moisNaissance",
            "jourNaissance",
            "codePostal",
        ]
        .into();
        for e in all_entries() {
            let expected = if obligatoire.contains(e.key) {
                Status::Obligatoire
            } else if sauf_nil.contains(e.key) {
                Status::ObligatoireSaufNil
            } else {
                Status::Facultatif
            };
            assert_eq!(e.status, expected, "{}", e.key);
        }
        let keys: BTreeSet<&str> = all_entries().map(|e| e.key).collect();
        assert!(obligatoire.is_subset(&keys) && sauf_nil.is_subset(&keys));
    }

    #[test]
    fn nillable_in_the_schema_is_obligatoire_sauf_nil() {
        let schema = Schema::cdc();
        for e in all_entries() {
            if let (Source::Element { .. }, Some(id)) = (e.source, e.xsd_element(&schema)) {
                assert_eq!(
                    schema.element(id).nillable,
                    e.status == Status::ObligatoireSaufNil,
                    "{}",
                    e.key
                );
            }
        }
    }

    #[test]
    fn every_entry_points_into_the_schema() {
        let schema = Schema::cdc();
        for e in all_entries() {
            match e.source {
                Source::Alternative { replaces } => {
                    for r in replaces {
                        assert!(column(r).is_some_and(|c| c.in_template(&schema)), "{r}");
                    }
                }
                _ => assert!(e.xsd_element(&schema).is_some(), "{}", e.key),
            }
        }
        let emetteur = parameter("idClientEmetteur").unwrap();
        let certificateur = parameter("idClientCertificateur").unwrap();
        assert_ne!(
            emetteur.xsd_element(&schema),
            certificateur.xsd_element(&schema)
        );
    }

    /// Every simple-typed leaf of the schema has somewhere to come from: a column, a parameter,
    /// or a field of a packed column.
    #[test]
    fn every_schema_leaf_has_an_entry() {
        let schema = Schema::cdc();
        let mut covered: BTreeSet<ElementId> = BTreeSet::new();
        for e in all_entries() {
            match e.source {
                Source::Element { .. } => covered.extend(e.xsd_element(&schema)),
                Source::Packed { leaves, .. } => {
                    for leaf in leaves {
                        covered.extend(find_element(&schema, leaf, None));
                    }
                }
                Source::Alternative { .. } => {}
            }
        }
        let mut leaves_under_passage = 0;
        walk_schema(&schema, &mut |path, id| {
            if schema.element_simple_type(id).is_none() {
                return;
            }
            assert!(
                covered.contains(&id),
                "no entry for {}",
                schema.element(id).name
            );
            if path
                .iter()
                .any(|&p| schema.element(p).name == "passageCertification")
            {
                leaves_under_passage += 1;
            }
        });
        assert_eq!(leaves_under_passage, 43);
    }

    #[test]
    fn kinds_agree_with_the_schema_types() {
        let schema = Schema::cdc();
        for e in all_entries() {
            let Some(st) = e.simple_type(&schema) else {
                continue;
            };
            let ok = match e.kind {
                Kind::Enumeration => st.enumeration.is_some(),
                Kind::Boolean => st.builtin == Builtin::Boolean,
                Kind::Date => st.builtin == Builtin::Date,
                Kind::DateTime => st.builtin == Builtin::DateTime,
                Kind::Integer => st.builtin.is_decimal(),
                Kind::Text | Kind::Code => st.builtin.is_stringlike() && st.enumeration.is_none(),
            };
            assert!(ok, "{}: {:?} vs {:?}", e.key, e.kind, st.builtin);
        }
    }

    #[test]
    fn no_two_entries_share_a_spelling() {
        for (sheet, entries) in [("Passages", COLUMNS), ("Paramètres", PARAMETERS)] {
            let mut seen: HashMap<String, &str> = HashMap::new();
            for e in entries {
                let mut own = BTreeSet::new();
                for s in [e.key, e.label].iter().chain(e.synonyms) {
                    let n = normalize_header(s);
                    assert!(!n.is_empty(), "{}: empty spelling", e.key);
                    own.insert(n);
                }
                for n in own {
                    if let Some(other) = seen.insert(n.clone(), e.key) {
                        panic!("{sheet}: « {n} » designates both {other} and {}", e.key);
                    }
                }
            }
        }
    }

    #[test]
    fn every_spelling_finds_its_entry() {
        for e in COLUMNS {
            for s in [e.key, e.label].iter().chain(e.synonyms) {
                assert_eq!(lookup_header(s).map(|f| f.key), Some(e.key), "{s}");
            }
        }
        for e in PARAMETERS {
            for s in [e.key, e.label].iter().chain(e.synonyms) {
                assert_eq!(lookup_parameter(s).map(|f| f.key), Some(e.key), "{s}");
            }
        }
    }

    #[test]
    fn labels_fit_excel_titles() {
        // Excel caps data-validation titles at 32 characters.
        for e in all_entries() {
            assert!(e.label.encode_utf16().count() <= 32, "{}", e.label);
        }
    }

    #[test]
    fn header_matching_examples() {
        let cases = [
            ("nomNaissance", "nomNaissance"),
            ("cpf:nomNaissance", "nomNaissance"),
            ("CPF:NOMNAISSANCE", "nomNaissance"),
            ("Nom de naissance", "nomNaissance"),
            ("  NOM  NAISSANCE ", "nomNaissance"),
            ("nom_naissance", "nomNaissance"),
            ("nom-naissance", "nomNaissance"),
            ("nom", "nomNaissance"),
            ("NOM", "nomNaissance"),
            ("Prénom", "prenom1"),
            ("PRENOM", "prenom1"),
            ("Prénom 2", "prenom2"),
            ("Date de naissance", "dateNaissance"),
            ("Date\u{a0}de\u{a0}naissance", "dateNaissance"),
            ("Sexe", "sexe"),
            ("Code INSEE commune de naissance", "codeInsee"),
            ("code_insee", "codeInsee"),
            ("N° dossier", "idDossier"),
            ("Numéro de dossier CPF", "idDossier"),
            ("Date d’obtention", "dateDebutValidite"),
            ("CP centre examen", "codePostalCentreExamen"),
            ("voieAccesVAE", "voieAccessVAE"),
            ("Année de naissance", "anneeNaissance"),
            ("Ville de naissance", "libelleCommuneNaissance"),
            ("Score", "scoring"),
            ("resultats", "resultats"),
        ];
        for (header, key) in cases {
            assert_eq!(lookup_header(header).map(|e| e.key), Some(key), "{header}");
        }
        for unknown in [
            "",
            "   ",
            "cpf:",
            "Adresse",
            "Téléphone",
            "Email",
            "Résultat",
        ] {
            assert!(lookup_header(unknown).is_none(), "{unknown}");
        }
        assert_eq!(
            lookup_parameter("cpf:idContrat").map(|e| e.key),
            Some("idContrat")
        );
        assert_eq!(
            lookup_parameter("Identifiant émetteur").map(|e| e.key),
            Some("idClientEmetteur")
        );
        assert!(lookup_parameter("nomNaissance").is_none());
    }

    #[test]
    fn normalize_header_is_total() {
        assert_eq!(normalize_header("cpf:Nom_De-Naissance"), "nomdenaissance");
        assert_eq!(normalize_header("Élève n°"), "eleven°");
        // Multi-byte prefixes must not split a character.
        assert_eq!(normalize_header("éé"), "ee");
        assert_eq!(normalize_header("cp"), "cp");
        assert_eq!(normalize_header(""), "");
    }

    #[test]
    fn every_enumeration_spelling_resolves_to_a_schema_code() {
        let schema = Schema::cdc();
        for (element, table) in ENUMERATIONS {
            let codes = schema_codes(&schema, element).expect(element);
            let mut seen: HashMap<String, &str> = HashMap::new();
            for (code, spellings) in *table {
                assert!(codes.contains(code), "{element}: {code} not in the schema");
                assert!(!spellings.is_empty(), "{element}/{code}: no label");
                for s in spellings.iter().chain([code]) {
                    if let Some(other) = seen.insert(fold(s), code) {
                        assert_eq!(other, *code, "{element}: « {s} » is ambiguous");
                    }
                    assert_eq!(
                        resolve_enumeration(&schema, element, s).as_deref(),
                        Some(*code),
                        "{element}: « {s} »"
                    );
                }
            }
            // Every schema value has a French label.
            for code in codes {
                assert!(
                    enumeration_label(element, code).is_some(),
                    "{element}/{code}"
                );
            }
        }
        // Every enumeration column has its spellings.
        for e in all_entries().filter(|e| e.kind == Kind::Enumeration) {
            assert!(
                !enumeration_synonyms(e.element_name()).is_empty(),
                "{}",
                e.key
            );
        }
    }

    #[test]
    fn resolve_enumeration_examples() {
        let schema = Schema::cdc();
        let r = |el: &str, s: &str| resolve_enumeration(&schema, el, s);
        assert_eq!(r("sexe", "homme").as_deref(), Some("M"));
        assert_eq!(r("sexe", " FÉMININ ").as_deref(), Some("F"));
        assert_eq!(r("sexe", "m").as_deref(), Some("M"));
        assert_eq!(r("sexe", "Homme (M)").as_deref(), Some("M"));
        assert_eq!(
            r("modalitePassageExamen", "a distance").as_deref(),
            Some("A_DISTANCE")
        );
        assert_eq!(
            r("modalitePassageExamen", "en_presentiel").as_deref(),
            Some("EN_PRESENTIEL")
        );
        assert_eq!(
            r("modaliteAcces", "Validation des acquis de l’expérience").as_deref(),
            Some("VAE")
        );
        assert_eq!(
            r("initiativeInscription", "france travail").as_deref(),
            Some("POLE_EMPLOI")
        );
        assert_eq!(
            r("mentionValidee", "très bien avec félicitations du jury").as_deref(),
            Some("MENTION_TRES_BIEN_AVEC_FELICITATIONS_DU_JURY")
        );
        assert_eq!(r("niveauLangueEuropeen", "b2").as_deref(), Some("B2"));
        assert_eq!(r("sexe", "nil"), None);
        assert_eq!(r("sexe", ""), None);
        assert_eq!(r("sexe", "X"), None);
        assert_eq!(r("elementInconnu", "M"), None);
    }

    #[test]
    fn codes_missing_from_the_schema_are_never_returned() {
        let xsd = crate::xsd::CDC_XSD.replace(r#"<xs:enumeration value="MIXTE"/>"#, "");
        assert_ne!(xsd, crate::xsd::CDC_XSD);
        let schema = Schema::parse(&xsd).unwrap();
        assert_eq!(
            resolve_enumeration(&schema, "modalitePassageExamen", "Hybride"),
            None
        );
        assert_eq!(
            resolve_enumeration(&schema, "modalitePassageExamen", "MIXTE"),
            None
        );
        assert_eq!(
            enumeration_choices(&schema, "modalitePassageExamen")
                .unwrap()
                .len(),
            2
        );
    }

    #[test]
    fn booleans() {
        for t in [
            "VRAI", "vrai", "Oui", "OUI", "o", "O", "true", "TRUE", "1", "x", "X", " oui ",
        ] {
            assert_eq!(parse_boolean(t), Some(true), "{t}");
        }
        for f in ["FAUX", "faux", "Non", "n", "N", "false", "False", "0"] {
            assert_eq!(parse_boolean(f), Some(false), "{f}");
        }
        for n in ["", "peut-être", "2", "nil", "oui non"] {
            assert_eq!(parse_boolean(n), None, "{n}");
        }
    }

    #[test]
    fn constraints_come_from_the_schema() {
        let schema = Schema::cdc();
        let c = |key: &str| constraints(&schema, column(key).unwrap());
        assert_eq!(c("codeInsee"), "Exactement 5 caractères.");
        assert_eq!(c("nomNaissance"), "60 caractères au plus.");
        assert_eq!(
            c("nomUsage"),
            "60 caractères au plus. Inconnu : laisser vide ou écrire nil."
        );
        assert_eq!(c("anneeNaissance"), "Nombre entier de 1900 à 2099.");
        assert_eq!(c("dateDebutValidite"), "Date (jj/mm/aaaa).");
        assert_eq!(c("sexe"), "Valeurs : Homme (M), Femme (F).");
        assert!(c("modalitePassageExamen").contains("En présentiel (EN_PRESENTIEL)"));
        assert!(c("niveauLangueEuropeen").contains("Insuffisant (INSUFFISANT)"));
        assert_eq!(
            c("resultats"),
            "niveau : nombre entier de 1 à 8 ; domaineCompetenceId : exactement 1 caractère ; \
             competenceId : exactement 1 caractère."
        );
        assert!(c("dateNaissance").contains("anneeNaissance"));
        let p = |key: &str| constraints(&schema, parameter(key).unwrap());
        assert_eq!(p("idClientEmetteur"), "Exactement 8 caractères.");
        assert_eq!(p("idContrat"), "20 caractères au plus.");
        // A schema that changes a length changes the help.
        let xsd = crate::xsd::CDC_XSD.replacen(
            r#"<xs:maxLength value="60"/>"#,
            r#"<xs:maxLength value="80"/>"#,
            1,
        );
        assert_ne!(xsd, crate::xsd::CDC_XSD);
        let other = Schema::parse(&xsd).unwrap();
        assert_eq!(
            constraints(&other, column("nomNaissance").unwrap()),
            "80 caractères au plus."
        );
    }

    #[test]
    fn help_texts_are_french_sentences_without_copied_facets() {
        for e in all_entries() {
            assert!(e.help.ends_with('.'), "{}", e.key);
            // Lengths and value lists belong to the schema.
            assert!(!e.help.contains("caractères"), "{}", e.key);
            let full = full_help(&Schema::cdc(), e);
            assert!(full.contains(e.status.label()), "{}", e.key);
        }
    }

    #[test]
    fn split_packed_cells() {
        assert_eq!(
            split_packed(" 3:1:2 | 4:2:1 |"),
            vec![vec!["3", "1", "2"], vec!["4", "2", "1"]]
        );
        assert!(split_packed("").is_empty());
    }
}
