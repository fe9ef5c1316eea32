//! What the CDC's terse messages mean, and what to do about each.
//!
//! The messages are recognised by their words (case, accents, spaces and apostrophes ignored), so
//! the variants the CDC appends (« … enrichis du jour et du mois de naissance ») fall in the
//! same family; a message never seen gets generic advice that quotes it.
//!
//! ```
//! use accrochage::accuse::{explain, Reason};
//! let e = explain("Plusieurs titulaires ont été identifiés");
//! assert_eq!(e.reason, Reason::PlusieursTitulaires);
//! assert!(e.resend);
//! ```

use serde::Serialize;

use crate::dictionary::normalize_header;

/// The families of refusal the CDC's messages fall in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Reason {
    /// Identity matching (« NIRisation ») found nobody.
    AucunTitulaire,
    /// Identity matching found several people.
    PlusieursTitulaires,
    /// The same passage (bcr émetteur + idTechnique) was already accepted.
    PassageDejaEnBase,
    /// The holder's passage is already recorded.
    TitulaireDejaEnBase,
    /// The whole file was rejected (XSD): nothing was processed.
    FichierRejete,
    /// A message this tool does not know.
    Autre,
}

impl Reason {
    /// A short French label, for summaries.
    pub fn label(self) -> &'static str {
        match self {
            Reason::AucunTitulaire => "aucun titulaire trouvé (état civil)",
            Reason::PlusieursTitulaires => "plusieurs titulaires possibles (état civil)",
            Reason::PassageDejaEnBase => "passage déjà enregistré",
            Reason::TitulaireDejaEnBase => "titulaire déjà enregistré",
            Reason::FichierRejete => "fichier entier rejeté",
            Reason::Autre => "autre motif",
        }
    }
}

/// The CDC's message, explained.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Explanation {
    pub reason: Reason,
    /// What the message means, in plain French.
    pub explanation: String,
    /// What to do.
    pub fix: String,
    /// Whether the passage is to be corrected and sent again (false: it must not be re-sent).
    pub resend: bool,
}

const ETAT_CIVIL: &str = "nom de naissance (et non le nom d'usage), premier prénom, sexe, jour, mois et année de naissance, commune de naissance (code INSEE, ou 99 + code du pays pour une naissance à l'étranger)";

/// Explains one message of the accusé (a KO passage's `messageErreur`).
pub fn explain(message: &str) -> Explanation {
    let m = normalize_header(message);
    if m.contains("aucuntitulaire") {
        let enriched = m.contains("jouretdumois") || m.contains("enrichi");
        let explanation = if enriched {
            "La Caisse des Dépôts n'a retrouvé personne avec cet état civil, même en tenant compte du jour et du mois de naissance : une des données d'identité ne correspond pas à celles de la Sécurité sociale".to_owned()
        } else {
            "La Caisse des Dépôts n'a retrouvé aucune personne avec cet état civil (rapprochement avec le numéro de Sécurité sociale, « NIRisation ») : une des données d'identité ne correspond pas, ou manque".to_owned()
        };
        return Explanation {
            reason: Reason::AucunTitulaire,
            explanation,
            fix: format!("Vérifiez l'état civil sur une pièce d'identité ou un acte de naissance : {ETAT_CIVIL} ; corrigez la ligne (ajoutez le jour, le mois et la commune de naissance s'ils manquent) puis envoyez-la dans un nouveau fichier"),
            resend: true,
        };
    }
    if m.contains("plusieurstitulaires") {
        return Explanation {
            reason: Reason::PlusieursTitulaires,
            explanation: "Plusieurs personnes correspondent à l'état civil transmis : la Caisse des Dépôts ne sait pas à qui rattacher la certification".into(),
            fix: format!("Complétez et vérifiez l'état civil pour distinguer la personne, en particulier le jour et le mois de naissance et la commune de naissance ({ETAT_CIVIL}) ; puis envoyez la ligne dans un nouveau fichier"),
            resend: true,
        };
    }
    if m.contains("existedejaenbase") && m.contains("passage") {
        return Explanation {
            reason: Reason::PassageDejaEnBase,
            explanation: "Ce passage (même émetteur, même idTechnique) a déjà été accepté lors d'un dépôt précédent : il est déjà enregistré".into(),
            fix: "Ne le renvoyez pas. S'il s'agit en réalité d'un autre passage, donnez-lui un idTechnique jamais utilisé (un idTechnique ne doit jamais être réemployé)".into(),
            resend: false,
        };
    }
    if m.contains("existedejaenbase") && m.contains("titulaire") {
        return Explanation {
            reason: Reason::TitulaireDejaEnBase,
            explanation: "La Caisse des Dépôts a déjà enregistré ce passage pour ce titulaire : l'envoyer de nouveau créerait un doublon".into(),
            fix: "Ne le renvoyez pas ; vérifiez seulement qu'il ne s'agit pas d'une autre certification du même titulaire (sinon, contactez l'assistance de la Caisse des Dépôts)".into(),
            resend: false,
        };
    }
    Explanation {
        reason: Reason::Autre,
        explanation: format!("La Caisse des Dépôts a refusé ce passage avec le message « {message} », que cet outil ne connaît pas"),
        fix: format!("Vérifiez les données de la ligne, notamment l'état civil ({ETAT_CIVIL}), corrigez-la et envoyez-la dans un nouveau fichier ; si le message reste obscur, contactez l'assistance de la Caisse des Dépôts en le citant"),
        resend: true,
    }
}

/// Explains a whole-file rejection error located by the CDC at a line and column.
pub fn explain_rejection(message: &str, line: Option<u32>, column: Option<u32>) -> Explanation {
    let at = match (line, column) {
        (Some(l), Some(c)) => format!(" (ligne {l}, colonne {c} du fichier envoyé)"),
        (Some(l), None) => format!(" (ligne {l} du fichier envoyé)"),
        _ => String::new(),
    };
    Explanation {
        reason: Reason::FichierRejete,
        explanation: format!("Le fichier entier a été rejeté car il n'est pas conforme au schéma XSD{at} : « {message} » ; aucun de ses passages n'a été traité"),
        fix: "Corrigez la donnée en cause (voir le diagnostic d'accrochage), produisez un nouveau fichier avec un nouvel idFlux et renvoyez tous ses passages".into(),
        resend: true,
    }
}
