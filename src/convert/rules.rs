//! Rules the XSD does not express (NOTES.md §3): checked across the fields of a row and across
//! rows. Only a duplicate idTechnique is an error; the others are warnings or advice, because the
//! CDC accepts such files (its own example breaks the VAE rule) but they usually hide a mistake.

use std::fmt::Write;

use crate::fnv::FnvMap;

use crate::workbook::cell_reference;
use crate::xsd::builtin::days_in_month;

use super::report::{Finding, Level};
use super::{FieldValue, Record, RulesContext};

const DEADLINE_MONTHS: u32 = 3;

/// Declares [`F`] and [`FIELD_NAMES`] from one list, so that a field and its name cannot drift
/// apart.
macro_rules! fields {
    ($($field:ident => $name:literal,)*) => {
        /// The fields the rules read. Their slots are looked up by name once for a batch of
        /// rows ([`RulesContext::fields`]): by name for every row, the lookups took 7 % of
        /// converting one.
        #[derive(Clone, Copy)]
        pub(super) enum F {
            $($field,)*
        }

        /// The names of [`F`]'s fields, in the same order.
        pub(super) const FIELD_NAMES: [&str; [$($name),*].len()] = [$($name),*];
    };
}

fields! {
    IdTechnique => "idTechnique",
    ObtentionCertification => "obtentionCertification",
    Scoring => "scoring",
    PresenceNiveauLangueEuro => "presenceNiveauLangueEuro",
    NiveauLangueEuropeen => "niveauLangueEuropeen",
    PresenceNiveauNumeriqueEuro => "presenceNiveauNumeriqueEuro",
    ScoreGeneral => "scoreGeneral",
    Resultats => "resultats",
    VoieAccessVAE => "voieAccessVAE",
    ModaliteAcces => "modaliteAcces",
    CodeInsee => "codeInsee",
    CodePaysNaissance => "codePaysNaissance",
    DateInscription => "dateInscription",
    DateDebutExamen => "dateDebutExamen",
    DateFinExamen => "dateFinExamen",
    DateDebutValidite => "dateDebutValidite",
    DateFinValidite => "dateFinValidite",
    Type => "type",
    Code => "code",
    NatureDeposant => "natureDeposant",
    AnneeNaissance => "anneeNaissance",
    MoisNaissance => "moisNaissance",
    JourNaissance => "jourNaissance",
    NomNaissance => "nomNaissance",
    CodePostal => "codePostal",
    LibelleCommuneNaissance => "libelleCommuneNaissance",
}

impl F {
    fn name(self) -> &'static str {
        FIELD_NAMES[self as usize]
    }
}

struct Out<'a, 'b> {
    ctx: &'a RulesContext<'b>,
    findings: &'a mut Vec<Finding>,
}

impl Out<'_, '_> {
    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        level: Level,
        code: &'static str,
        rec: &Record,
        key: &str,
        value: &str,
        message: String,
        fix: &str,
    ) {
        let column = self.ctx.map.find(key);
        self.findings.push(Finding {
            level,
            code,
            sheet: self.ctx.sheet.to_owned(),
            cell: match column {
                Some(c) => cell_reference(self.ctx.sheet, c.index, rec.row),
                None => format!("{}!{}", self.ctx.sheet, rec.row),
            },
            row: rec.row,
            column: column.map(|c| c.header.clone()).unwrap_or_default(),
            value: value.to_owned(),
            message,
            fix: fix.to_owned(),
        });
    }
}

fn add_months(date: (i32, u32, u32), months: u32) -> (i32, u32, u32) {
    let total = date.0 * 12 + (date.1 as i32 - 1) + months as i32;
    let (y, m) = (total.div_euclid(12), total.rem_euclid(12) as u32 + 1);
    let d = date.2.min(days_in_month(y as i64, m));
    (y, m, d)
}

fn parse_iso(s: &str) -> Option<(i32, u32, u32)> {
    let mut it = s.splitn(3, '-');
    Some((
        it.next()?.parse().ok()?,
        it.next()?.parse().ok()?,
        it.next()?.parse().ok()?,
    ))
}

fn show(d: (i32, u32, u32)) -> String {
    format!("{:02}/{:02}/{:04}", d.2, d.1, d.0)
}

/// The rules, with what they remember across rows (identifiers seen, nature per certification).
pub struct Rules<'a> {
    ctx: RulesContext<'a>,
    state: &'a mut RulesState,
}

/// What the rules remember of the rows before (kept between batches of rows).
#[derive(Default)]
pub struct RulesState {
    seen: FnvMap<String, u32>,
    /// By certification: the length of its type, its type and its code, as one text.
    nature: FnvMap<String, (String, u32)>,
    /// The key of the row being checked, so that a lookup allocates nothing.
    key: String,
}

impl<'a> Rules<'a> {
    pub fn new(ctx: RulesContext<'a>, state: &'a mut RulesState) -> Rules<'a> {
        Rules { ctx, state }
    }

    /// Checks one row against every rule (and the rows before it); marks it when an error is
    /// found.
    pub fn check(&mut self, rec: &mut Record, findings: &mut Vec<Finding>) {
        let state = &mut *self.state;
        check_one(rec, &self.ctx, state, findings);
    }
}

fn check_one(
    rec: &mut Record,
    ctx: &RulesContext,
    state: &mut RulesState,
    findings: &mut Vec<Finding>,
) {
    let mut out = Out { ctx, findings };
    {
        let mut duplicate = false;
        let t = |k: F| match ctx.fields[k as usize].and_then(|s| rec.values.get(s)) {
            Some(Some(FieldValue::Text(t))) => Some(t.as_str()),
            _ => None,
        };
        // Duplicate idTechnique: the CDC would reject the second passage.
        if let Some(id) = t(F::IdTechnique) {
            match state.seen.get(id) {
                Some(first) => {
                    let first = *first;
                    out.push(
                        Level::Erreur,
                        "idtechnique-doublon",
                        rec,
                        "idTechnique",
                        id,
                        format!("L'idTechnique « {id} » est déjà utilisé ligne {first} : chaque passage doit avoir un identifiant unique"),
                        "Donnez à ce passage un idTechnique qui n'a jamais été utilisé (ni dans ce fichier, ni dans un dépôt précédent)",
                    );
                    duplicate = true;
                }
                None => {
                    state.seen.insert(id.to_owned(), rec.row);
                }
            }
        }
        if t(F::ObtentionCertification) == Some("PAR_SCORING") && t(F::Scoring).is_none() {
            out.push(
                Level::Avertissement,
                "scoring-manquant",
                rec,
                "scoring",
                "",
                "La certification est obtenue par scoring mais le score (scoring) n'est pas renseigné".into(),
                "Indiquez le score obtenu dans la colonne scoring",
            );
        }
        let pairs = [
            (
                F::PresenceNiveauLangueEuro,
                &[F::NiveauLangueEuropeen][..],
                "le niveau de langue (niveauLangueEuropeen)",
            ),
            (
                F::PresenceNiveauNumeriqueEuro,
                &[F::ScoreGeneral, F::Resultats][..],
                "le niveau numérique (scoreGeneral ou resultats)",
            ),
        ];
        for (flag, detail, what) in pairs {
            let present = detail.iter().any(|&k| t(k).is_some());
            let flag_name = flag.name();
            match t(flag) {
                Some("true") if !present => out.push(
                    Level::Avertissement,
                    "niveau-europeen-absent",
                    rec,
                    flag_name,
                    "true",
                    format!("{flag_name} vaut Oui mais {what} n'est pas renseigné"),
                    "Renseignez le niveau, ou mettez Non si la certification n'en atteste pas",
                ),
                Some("false") if present => out.push(
                    Level::Avertissement,
                    "niveau-europeen-inattendu",
                    rec,
                    flag_name,
                    "false",
                    format!("{flag_name} vaut Non mais {what} est renseigné"),
                    "Mettez Oui, ou videz le niveau",
                ),
                _ => {}
            }
        }
        if let Some(voie) = t(F::VoieAccessVAE) {
            if t(F::ModaliteAcces) != Some("VAE") {
                out.push(
                    Level::Avertissement,
                    "vae-incoherente",
                    rec,
                    "voieAccessVAE",
                    voie,
                    "Une voie d'accès VAE est indiquée alors que la modalité d'accès n'est pas VAE"
                        .into(),
                    "Mettez modaliteAcces à VAE, ou videz voieAccessVAE",
                );
            }
        }
        if let Some(insee) = t(F::CodeInsee) {
            if let Some(country) = insee.strip_prefix("99") {
                match t(F::CodePaysNaissance) {
                    Some(pays) if pays != country => out.push(
                        Level::Avertissement,
                        "pays-incoherent",
                        rec,
                        "codePaysNaissance",
                        pays,
                        format!("Le code INSEE {insee} désigne le pays {country}, mais codePaysNaissance vaut {pays}"),
                        "Pour une naissance à l'étranger, codeInsee = 99 + code pays INSEE et codePaysNaissance = ce code pays",
                    ),
                    None => out.push(
                        Level::Info,
                        "pays-suggere",
                        rec,
                        "codePaysNaissance",
                        "",
                        format!("Naissance à l'étranger (code {insee}) : ajouter codePaysNaissance = {country} et le libellé du pays aide l'identification du titulaire"),
                        "Renseignez codePaysNaissance et libellePaysNaissance",
                    ),
                    _ => {}
                }
            }
        }
        let order = [
            F::DateInscription,
            F::DateDebutExamen,
            F::DateFinExamen,
            F::DateDebutValidite,
            F::DateFinValidite,
        ];
        let dated: Vec<(&str, &str)> = order
            .iter()
            .filter_map(|&k| t(k).map(|v| (k.name(), v)))
            .collect();
        for w in dated.windows(2) {
            let ((ka, va), (kb, vb)) = (&w[0], &w[1]);
            if va > vb {
                let (da, db) = (parse_iso(va), parse_iso(vb));
                out.push(
                    Level::Avertissement,
                    "dates-incoherentes",
                    rec,
                    kb,
                    vb,
                    format!(
                        "{kb} ({}) est antérieure à {ka} ({})",
                        db.map(show).unwrap_or_else(|| vb.to_string()),
                        da.map(show).unwrap_or_else(|| va.to_string())
                    ),
                    "Vérifiez l'ordre des dates : inscription ≤ début d'examen ≤ fin d'examen ≤ début de validité ≤ fin de validité",
                );
            }
        }
        if let (Some(ty), Some(code)) = (t(F::Type), t(F::Code)) {
            let ok_type = ty == "RNCP" || ty == "RS";
            if !ok_type {
                out.push(
                    Level::Avertissement,
                    "type-certification",
                    rec,
                    "type",
                    ty,
                    format!("Le type de certification « {ty} » n'est ni RNCP ni RS"),
                    "Indiquez RNCP ou RS",
                );
            } else {
                let digits = code
                    .strip_prefix(ty)
                    .filter(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()));
                if digits.is_none() {
                    out.push(
                        Level::Avertissement,
                        "code-certification",
                        rec,
                        "code",
                        code,
                        format!("Le code « {code} » n'a pas la forme attendue pour le type {ty} ({ty} suivi de chiffres, ex. {ty}12345)"),
                        "Recopiez le code de la fiche France compétences (ex. RNCP34567 ou RS5678)",
                    );
                }
            }
            let nat = t(F::NatureDeposant).unwrap_or_default();
            let key = &mut state.key;
            key.clear();
            // The length first: « RS » + « 1 » and « RS1 » + « » stay two certifications.
            let _ = write!(key, "{}:{ty}{code}", ty.len());
            match state.nature.get(key.as_str()) {
                Some((other, row)) if *other != nat => {
                    let row = *row;
                    out.push(
                        Level::Avertissement,
                        "nature-deposant-variable",
                        rec,
                        "natureDeposant",
                        nat,
                        format!("La nature du déposant diffère de celle de la ligne {row} pour la même certification : celle de la première ligne est transmise"),
                        "Utilisez la même nature du déposant pour toutes les lignes d'une certification",
                    );
                }
                Some(_) => {}
                None => {
                    state.nature.insert(key.clone(), (nat.to_owned(), rec.row));
                }
            }
        }
        if let Some(start) = t(F::DateDebutValidite).and_then(parse_iso) {
            let deadline = add_months(start, DEADLINE_MONTHS);
            if ctx.today > deadline {
                out.push(
                    Level::Avertissement,
                    "delai-depasse",
                    rec,
                    "dateDebutValidite",
                    t(F::DateDebutValidite).unwrap_or_default(),
                    format!(
                        "La certification a été délivrée le {} : le délai de {DEADLINE_MONTHS} mois pour la déclarer à la CDC a expiré le {}",
                        show(start),
                        show(deadline)
                    ),
                    "Déposez ce fichier sans attendre",
                );
            } else if ctx.today < start {
                out.push(
                    Level::Avertissement,
                    "date-future",
                    rec,
                    "dateDebutValidite",
                    t(F::DateDebutValidite).unwrap_or_default(),
                    format!(
                        "La date de début de validité ({}) est dans le futur",
                        show(start)
                    ),
                    "Vérifiez la date de délivrance de la certification",
                );
            }
        }
        let year = t(F::AnneeNaissance).and_then(|v| v.trim_start_matches('+').parse::<i64>().ok());
        let month = t(F::MoisNaissance).and_then(|v| v.trim_start_matches('+').parse::<u32>().ok());
        let day = t(F::JourNaissance).and_then(|v| v.trim_start_matches('+').parse::<u32>().ok());
        if let (Some(y), Some(m), Some(d)) = (year, month, day) {
            if (1..=12).contains(&m) && d > days_in_month(y, m) {
                out.push(
                    Level::Avertissement,
                    "date-naissance-inexistante",
                    rec,
                    "jourNaissance",
                    &d.to_string(),
                    format!("La date de naissance {d:02}/{m:02}/{y} n'existe pas"),
                    "Vérifiez le jour et le mois de naissance sur une pièce d'état civil",
                );
            }
        }
        if t(F::NomNaissance).is_some() && (month.is_none() || day.is_none()) {
            out.push(
                Level::Info,
                "naissance-incomplete",
                rec,
                if month.is_none() { "moisNaissance" } else { "jourNaissance" },
                "",
                "Le jour ou le mois de naissance manque : la CDC identifie les titulaires d'abord par nom, prénom, sexe et année, puis jour, mois et lieu de naissance ; les transmettre évite des rejets".into(),
                "Renseignez le jour et le mois de naissance quand ils sont connus",
            );
        }
        if t(F::NomNaissance).is_some()
            && t(F::CodeInsee).is_none()
            && t(F::CodePostal).is_none()
            && t(F::LibelleCommuneNaissance).is_none()
        {
            out.push(
                Level::Info,
                "lieu-naissance-absent",
                rec,
                "codeInsee",
                "",
                "Le lieu de naissance n'est pas renseigné (codePostal est transmis vide, en xsi:nil) : la CDC s'en sert pour identifier le titulaire quand nom, prénom, sexe et date ne suffisent pas".into(),
                "Renseignez le code INSEE de la commune de naissance (99 + code pays pour une naissance à l'étranger) quand il est connu",
            );
        }
        if duplicate {
            rec.has_error = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_are_added_on_the_calendar() {
        assert_eq!(add_months((2024, 11, 30), 3), (2025, 2, 28));
        assert_eq!(add_months((2024, 1, 15), 3), (2024, 4, 15));
        assert_eq!(add_months((2023, 11, 30), 3), (2024, 2, 29));
        assert_eq!(add_months((2024, 10, 1), 3), (2025, 1, 1));
    }
}
