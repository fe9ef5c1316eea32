//! Writes a realistic, valid Passages workbook of N rows × 45 columns (fictitious holders), for
//! the benchmarks: `cargo run --release --example gen_workbook -- 100000 target/bench/passages.xlsx`.

use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, XlsxError};

const COLUMNS: &[&str] = &[
    "idTechnique",
    "type",
    "code",
    "natureDeposant",
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
    "scoreGeneral",
    "resultats",
    "scoring",
    "mentionValidee",
    "modaliteAcces",
    "voieAccessVAE",
    "initiativeInscription",
    "dateInscription",
    "nomNaissance",
    "nomUsage",
    "prenom1",
    "prenom2",
    "prenom3",
    "anneeNaissance",
    "moisNaissance",
    "jourNaissance",
    "sexe",
    "codeInsee",
    "codePostal",
    "libelleCommuneNaissance",
    "codePaysNaissance",
    "libellePaysNaissance",
    "commentairesMEN",
    "verbatim",
    "idDossier",
    "nomTitulaire",
    "prenom1Titulaire",
    "remarque",
];

const NAMES: &[&str] = &[
    "DUPONT",
    "MARTIN",
    "BERNARD",
    "THOMAS",
    "PETIT",
    "ROBERT",
    "RICHARD",
    "DURAND",
    "LEFÈVRE",
    "MOREAU",
    "GARCIA",
    "N'DIAYE",
    "DA SILVA",
    "NGUYEN",
    "LÉGER-DUVAL",
];
const FIRST: &[&str] = &[
    "Marie",
    "Jean",
    "Zoé",
    "Léa",
    "Hugo",
    "Chloé",
    "Noël",
    "Inès",
    "Maël",
    "Anaïs",
    "Loïc",
    "Éric",
    "Amélie",
    "Moussa",
    "Ségolène",
];
const TOWNS: &[(&str, &str)] = &[
    ("75056", "Paris"),
    ("13055", "Marseille"),
    ("69123", "Lyon"),
    ("06088", "Nice"),
    ("2A004", "Ajaccio"),
    ("01053", "Bourg-en-Bresse"),
];

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[(self.next() % items.len() as u64) as usize]
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn main() -> Result<(), XlsxError> {
    let args: Vec<String> = std::env::args().collect();
    let rows: u32 = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let path = args
        .get(2)
        .cloned()
        .unwrap_or_else(|| "target/bench/passages.xlsx".into());
    if let Some(dir) = std::path::Path::new(&path).parent() {
        std::fs::create_dir_all(dir).map_err(XlsxError::IoError)?;
    }
    let mut book = Workbook::new();
    let date = Format::new().set_num_format("dd/mm/yyyy");
    let text = Format::new().set_num_format("@");
    let sheet = book.add_worksheet().set_name("Passages")?;
    for (c, name) in COLUMNS.iter().enumerate() {
        sheet.write_string(0, c as u16, *name)?;
    }
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    for i in 0..rows {
        let r = i + 1;
        let col = |name: &str| COLUMNS.iter().position(|c| *c == name).unwrap_or(0) as u16;
        let rs = rng.below(4) == 0;
        let (ty, code) = if rs {
            ("RS", format!("RS{}", 5000 + rng.below(5)))
        } else {
            ("RNCP", format!("RNCP{}", 34000 + rng.below(10)))
        };
        let scoring = rng.below(5) == 0;
        // Within the 60 days before today, as a file to deposit is: no deadline warnings.
        let day = |rng: &mut Rng| {
            use chrono::Datelike;
            let d = chrono::Local::now().date_naive()
                - chrono::Duration::days(1 + rng.below(60) as i64);
            ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)
        };
        sheet.write_string_with_format(
            r,
            col("idTechnique"),
            format!("ID-{i:08}-{}", rng.below(1000)),
            &text,
        )?;
        sheet.write_string(r, col("type"), ty)?;
        sheet.write_string(r, col("code"), &code)?;
        sheet.write_string(r, col("natureDeposant"), "CERTIFICATEUR")?;
        sheet.write_string(
            r,
            col("urlPreuve"),
            format!("https://preuves.example.org/{i}"),
        )?;
        sheet.write_string(r, col("libelleOption"), "Option générale")?;
        sheet.write_string(
            r,
            col("obtentionCertification"),
            if scoring {
                "PAR_SCORING"
            } else {
                "PAR_ADMISSION"
            },
        )?;
        sheet.write_string(r, col("donneeCertifiee"), "Oui")?;
        let d1 = day(&mut rng)?;
        sheet.write_datetime_with_format(r, col("dateDebutExamen"), &d1, &date)?;
        sheet.write_datetime_with_format(r, col("dateFinExamen"), &d1, &date)?;
        sheet.write_string(
            r,
            col("modalitePassageExamen"),
            *rng.pick(&["Présentiel", "À distance", "MIXTE"]),
        )?;
        sheet.write_string_with_format(r, col("codePostalCentreExamen"), "75011", &text)?;
        sheet.write_datetime_with_format(r, col("dateDebutValidite"), &d1, &date)?;
        if rng.below(2) == 0 {
            sheet.write_datetime_with_format(
                r,
                col("dateFinValidite"),
                &ExcelDateTime::from_ymd(2031, 12, 31)?,
                &date,
            )?;
        }
        let lang = rng.below(3) == 0;
        sheet.write_string(
            r,
            col("presenceNiveauLangueEuro"),
            if lang { "Oui" } else { "Non" },
        )?;
        if lang {
            sheet.write_string(
                r,
                col("niveauLangueEuropeen"),
                *rng.pick(&["A2", "B1", "B2", "C1"]),
            )?;
        }
        let num = rng.below(4) == 0;
        sheet.write_string(
            r,
            col("presenceNiveauNumeriqueEuro"),
            if num { "Oui" } else { "Non" },
        )?;
        if num {
            sheet.write_number(r, col("scoreGeneral"), (1 + rng.below(1000)) as f64)?;
            sheet.write_string(r, col("resultats"), "3:1:2|4:2:1")?;
        }
        if scoring {
            sheet.write_number(r, col("scoring"), rng.below(1000) as f64)?;
        }
        sheet.write_string(
            r,
            col("mentionValidee"),
            *rng.pick(&["Sans mention", "Assez bien", "Bien", "nil"]),
        )?;
        sheet.write_string(
            r,
            col("modaliteAcces"),
            *rng.pick(&[
                "FORMATION_CONTINUE_HORS_CONTRAT_DE_PROFESSIONNALISATION",
                "CANDIDAT_LIBRE",
                "FORMATION_INITIALE_APPRENTISSAGE",
            ]),
        )?;
        sheet.write_string(r, col("initiativeInscription"), "OF")?;
        sheet.write_datetime_with_format(
            r,
            col("dateInscription"),
            &ExcelDateTime::from_ymd(2025, 9, 1)?,
            &date,
        )?;
        sheet.write_string(r, col("nomNaissance"), *rng.pick(NAMES))?;
        if rng.below(3) == 0 {
            sheet.write_string(r, col("nomUsage"), *rng.pick(NAMES))?;
        }
        sheet.write_string(r, col("prenom1"), *rng.pick(FIRST))?;
        if rng.below(2) == 0 {
            sheet.write_string(r, col("prenom2"), *rng.pick(FIRST))?;
        }
        sheet.write_number(r, col("anneeNaissance"), (1960 + rng.below(45)) as f64)?;
        sheet.write_number(r, col("moisNaissance"), (1 + rng.below(12)) as f64)?;
        sheet.write_number(r, col("jourNaissance"), (1 + rng.below(28)) as f64)?;
        sheet.write_string(r, col("sexe"), *rng.pick(&["M", "F", "Homme", "Femme"]))?;
        let (insee, town) = *rng.pick(TOWNS);
        sheet.write_string_with_format(r, col("codeInsee"), insee, &text)?;
        sheet.write_string(r, col("libelleCommuneNaissance"), town)?;
        sheet.write_string(r, col("commentairesMEN"), "RAS")?;
        sheet.write_string(r, col("remarque"), "colonne interne")?;
    }
    book.save(&path)?;
    eprintln!("{rows} lignes écrites dans {path}");
    Ok(())
}
