//! The `accrochage` command line: the same library as the web page, for automation.

// The CLI is native only (clap, files, the system clock); on wasm32 the page uses `src/wasm.rs`,
// and this binary compiles to nothing so that `cargo build --target wasm32-unknown-unknown
// --all-targets` still works.
#![cfg_attr(target_arch = "wasm32", no_main)]
#![cfg(not(target_arch = "wasm32"))]

use std::collections::HashMap;
use std::io::{BufReader, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};

use accrochage::xsd::{Diagnostic, Schema, Severity, ValidationOptions};
use clap::{Parser, Subcommand, ValueEnum};

// Rows are read on one thread and freed on another: see the note in Cargo.toml.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// accrochage : fichier XML « accrochage certificateur » pour la Caisse des Dépôts (SI CPF).
#[derive(Parser)]
#[command(name = "accrochage", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Convertit un classeur en XML pour la CDC, avec un rapport de tous les problèmes.
    ///
    /// Code de sortie : 0 si le XML a été écrit sans erreur, 1 si des lignes ont été écartées
    /// (ou si --strict a refusé de produire le XML), 2 si l'entrée est inutilisable.
    Convert(Box<ConvertArgs>),
    /// Vérifie un ou plusieurs fichiers XML contre le XSD (par défaut celui de la CDC, 1.1.2).
    ///
    /// Code de sortie : 0 si tous sont valides, 1 si l'un est invalide, 2 en cas d'erreur
    /// d'utilisation, de lecture ou de schéma.
    Validate {
        /// Fichiers XML à vérifier.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Un autre schéma XSD à utiliser (par ex. une version plus récente publiée par la CDC).
        #[arg(long, value_name = "FICHIER.xsd")]
        schema: Option<PathBuf>,
        /// Format du rapport.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Nombre maximal d'erreurs listées par fichier.
        #[arg(long, default_value_t = 1000)]
        max_errors: usize,
        /// Messages en anglais.
        #[arg(long)]
        english: bool,
    },
    /// Crée le modèle Excel à remplir (feuilles Passages, Paramètres et Aide).
    ///
    /// Code de sortie : 0 si le fichier est écrit, 2 en cas d'erreur d'utilisation, d'écriture
    /// ou de schéma.
    Template {
        /// Fichier .xlsx à créer (remplacé s'il existe).
        #[arg(short, long, value_name = "FICHIER.xlsx")]
        output: PathBuf,
        /// Ajoute trois passages d'exemple fictifs et des paramètres d'exemple.
        #[arg(long)]
        exemples: bool,
        /// Un autre schéma XSD à utiliser (par ex. une version plus récente publiée par la CDC).
        #[arg(long, value_name = "FICHIER.xsd")]
        schema: Option<PathBuf>,
    },
    /// Lit l'accusé de traitement renvoyé par la CDC et dit, pour chaque ligne ou passage
    /// envoyé, s'il a été accepté, refusé (avec l'explication et quoi corriger) ou oublié.
    ///
    /// Code de sortie : 0 si tous les passages sont acceptés, 1 si certains sont refusés,
    /// absents de l'accusé ou inconnus (ou si le fichier entier est rejeté), 2 en cas d'erreur
    /// d'utilisation, de lecture ou de fichier qui n'est pas un accusé.
    Accuse(Box<AccuseArgs>),
}

#[derive(clap::Args)]
struct AccuseArgs {
    /// L'accusé de traitement (fichier XML téléchargé depuis le portail de la CDC).
    accuse: PathBuf,
    /// Le classeur qui a servi à produire le fichier envoyé (pour situer chaque ligne).
    #[arg(long, value_name = "CLASSEUR")]
    workbook: Option<PathBuf>,
    /// Le fichier XML envoyé (pour situer chaque passage et les erreurs d'un fichier rejeté).
    #[arg(long, value_name = "ENVOYÉ.xml")]
    xml: Option<PathBuf>,
    /// Classeur .xlsx des lignes à corriger et renvoyer (au format du modèle ; exige --workbook).
    #[arg(short, long, value_name = "KO.xlsx")]
    output: Option<PathBuf>,
    /// Format du rapport.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Un autre schéma XSD de la même famille.
    #[arg(long, value_name = "FICHIER.xsd")]
    schema: Option<PathBuf>,
}

#[derive(clap::Args)]
struct ConvertArgs {
    /// Classeur à convertir (.xlsx, .xls, .ods ou .csv).
    input: PathBuf,
    /// Fichier XML à écrire (si le flux est découpé : NOM_1.xml, NOM_2.xml…). Par défaut :
    /// accrochage_<code>_<AAAAMMJJ-HHMMSS>.xml dans le dossier courant.
    #[arg(short, long, value_name = "SORTIE.xml")]
    output: Option<PathBuf>,
    /// Écrit aussi le rapport dans ce fichier (.csv pour Excel, .json).
    #[arg(long, value_name = "RAPPORT.csv|.json")]
    report: Option<PathBuf>,
    /// Aucun XML si une erreur subsiste (par défaut, les lignes en erreur sont écartées).
    #[arg(long)]
    strict: bool,
    /// Nombre maximal de passages par fichier (200 000 au plus).
    #[arg(long, value_name = "N")]
    max_passages: Option<usize>,
    /// idFlux à utiliser (par défaut : un UUID nouveau).
    #[arg(long, value_name = "ID")]
    id_flux: Option<String>,
    /// Horodatage à utiliser, avec décalage horaire (par défaut : maintenant).
    #[arg(long, value_name = "AAAA-MM-JJThh:mm:ss+hh:mm")]
    horodatage: Option<String>,
    /// idClient de l'émetteur (remplace la feuille Paramètres).
    #[arg(long, value_name = "ID")]
    id_client_emetteur: Option<String>,
    /// idClient du certificateur (remplace la feuille Paramètres).
    #[arg(long, value_name = "ID")]
    id_client_certificateur: Option<String>,
    /// idContrat (remplace la feuille Paramètres).
    #[arg(long, value_name = "ID")]
    id_contrat: Option<String>,
    /// Nature du déposant : CERTIFICATEUR ou TIERS_CONFIANCE.
    #[arg(long, value_name = "NATURE")]
    nature_deposant: Option<String>,
    /// Un autre schéma XSD de la même famille.
    #[arg(long, value_name = "FICHIER.xsd")]
    schema: Option<PathBuf>,
    /// Tout autre paramètre du flux prévu par le schéma (ex. --param action=CREATION).
    #[arg(long = "param", value_name = "CLÉ=VALEUR", value_parser = parse_key_value)]
    params: Vec<(String, String)>,
}

fn parse_key_value(s: &str) -> Result<(String, String), String> {
    s.split_once('=')
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .filter(|(k, _)| !k.is_empty())
        .ok_or_else(|| format!("« {s} » : attendu CLÉ=VALEUR"))
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum Format {
    Text,
    Json,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    match cli.command {
        Command::Convert(args) => convert(&args),
        Command::Accuse(args) => accuse(&args),
        Command::Validate {
            files,
            schema,
            format,
            max_errors,
            english,
        } => validate(&files, schema.as_deref(), format, max_errors, english),
        Command::Template {
            output,
            exemples,
            schema,
        } => template(&output, exemples, schema.as_deref()),
    }
}

fn load_schema(path: Option<&std::path::Path>) -> Result<Schema, String> {
    match path {
        None => Ok(Schema::cdc()),
        Some(p) => {
            let text = std::fs::read_to_string(p)
                .map_err(|e| format!("impossible de lire le schéma {} : {e}", p.display()))?;
            Schema::parse(&text).map_err(|e| format!("{} : {e}", p.display()))
        }
    }
}

fn template(
    output: &std::path::Path,
    examples: bool,
    schema: Option<&std::path::Path>,
) -> ExitCode {
    let schema = match load_schema(schema) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("accrochage : {e}");
            return ExitCode::from(2);
        }
    };
    let bytes = if examples {
        accrochage::template::write_template_with_examples(&schema)
    } else {
        accrochage::template::write_template(&schema)
    };
    let bytes = match bytes {
        Ok(b) => b,
        Err(e) => {
            eprintln!("accrochage : {e}");
            return ExitCode::from(2);
        }
    };
    if let Err(e) = std::fs::write(output, bytes) {
        eprintln!(
            "accrochage : impossible d'écrire {} : {e}",
            output.display()
        );
        return ExitCode::from(2);
    }
    ExitCode::SUCCESS
}

fn validate(
    files: &[PathBuf],
    schema: Option<&std::path::Path>,
    format: Format,
    max_errors: usize,
    english: bool,
) -> ExitCode {
    let schema = match load_schema(schema) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("accrochage : {e}");
            return ExitCode::from(2);
        }
    };
    let options = ValidationOptions {
        max_errors,
        ..ValidationOptions::default()
    };
    let mut any_invalid = false;
    let mut io_error = false;
    let mut json_out = Vec::new();
    for path in files {
        // A directory opens like a file on Unix but fails on the first read, which would be
        // reported as a malformed XML file (exit 1) instead of a read error (exit 2).
        let opened = std::fs::File::open(path).and_then(|f| {
            if f.metadata()?.is_dir() {
                Err(std::io::Error::other("c'est un dossier, pas un fichier"))
            } else {
                Ok(f)
            }
        });
        let file = match opened {
            Ok(f) => f,
            Err(e) => {
                eprintln!("accrochage : impossible de lire {} : {e}", path.display());
                io_error = true;
                continue;
            }
        };
        let report = schema.validate(BufReader::with_capacity(1 << 16, file), &options);
        any_invalid |= !report.is_valid();
        match format {
            Format::Json => json_out.push(serde_json::json!({
                "file": path.display().to_string(),
                "valid": report.is_valid(),
                "errorCount": report.error_count,
                "warningCount": report.warning_count,
                "passages": report.records,
                "diagnostics": report.diagnostics,
            })),
            Format::Text => print_text(path, &report, english),
        }
    }
    if format == Format::Json {
        let mut out = std::io::stdout().lock();
        let _ = serde_json::to_writer_pretty(&mut out, &json_out);
        let _ = writeln!(out);
    }
    if io_error {
        ExitCode::from(2)
    } else if any_invalid {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn print_text(path: &std::path::Path, report: &accrochage::xsd::Report, english: bool) {
    let mut out = std::io::stdout().lock();
    let name = path.display();
    for d in &report.diagnostics {
        let _ = writeln!(out, "{}", format_diagnostic(&name.to_string(), d, english));
    }
    let verdict = if report.is_valid() {
        format!(
            "{name} : valide ({} passage(s){})",
            report.records,
            if report.warning_count > 0 {
                format!(", {} avertissement(s)", report.warning_count)
            } else {
                String::new()
            }
        )
    } else {
        format!(
            "{name} : INVALIDE, {} erreur(s), {} avertissement(s)",
            report.error_count, report.warning_count
        )
    };
    let _ = writeln!(out, "{verdict}");
}

fn format_diagnostic(file: &str, d: &Diagnostic, english: bool) -> String {
    let level = match (d.severity, english) {
        (Severity::Error, false) => "erreur",
        (Severity::Warning, false) => "avertissement",
        (Severity::Error, true) => "error",
        (Severity::Warning, true) => "warning",
    };
    let id = d
        .id_technique
        .as_deref()
        .map(|id| format!(" [idTechnique {id}]"))
        .unwrap_or_default();
    let message = if english { &d.message_en } else { &d.message };
    format!(
        "{file}:{}:{}: {level} [{}]{id} {} — {message}",
        d.line, d.column, d.code, d.path
    )
}

fn local_now() -> accrochage::convert::LocalNow {
    let now = chrono::Local::now();
    let offset = now.offset().local_minus_utc() / 60;
    accrochage::convert::LocalNow::from_unix(now.timestamp(), offset)
}

fn convert(args: &ConvertArgs) -> ExitCode {
    use accrochage::convert::{self, ConvertOptions, Level};
    let schema = match load_schema(args.schema.as_deref()) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("accrochage : {e}");
            return ExitCode::from(2);
        }
    };
    let bytes = match std::fs::read(&args.input) {
        Ok(b) => b,
        Err(e) => {
            eprintln!(
                "accrochage : impossible de lire {} : {e}",
                args.input.display()
            );
            return ExitCode::from(2);
        }
    };
    let mut options = ConvertOptions::at(local_now());
    options.strict = args.strict;
    options.max_passages = args.max_passages;
    for (key, value) in [
        ("idFlux", &args.id_flux),
        ("horodatage", &args.horodatage),
        ("idClientEmetteur", &args.id_client_emetteur),
        ("idClientCertificateur", &args.id_client_certificateur),
        ("idContrat", &args.id_contrat),
        ("natureDeposant", &args.nature_deposant),
    ] {
        if let Some(v) = value {
            options.params.insert(key.to_owned(), v.clone());
        }
    }
    for (k, v) in &args.params {
        options.params.insert(k.clone(), v.clone());
    }
    let name = args
        .input
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    // Each file is written while it is checked, under a temporary name in the folder where it
    // goes; renamed below once valid, deleted otherwise.
    let folder = match &args.output {
        Some(o) => o.parent().map(PathBuf::from).unwrap_or_default(),
        None => PathBuf::new(),
    };
    let written_early: Arc<Mutex<HashMap<String, PathBuf>>> = Arc::default();
    let early = Arc::clone(&written_early);
    options.early_writer = Some(convert::EarlyWriter(Arc::new(move |file| {
        let path = folder.join(format!(".{}.en-cours", file.name));
        if write_xml(&path, &file.xml).is_ok() {
            if let Ok(mut done) = early.lock() {
                done.insert(file.name.clone(), path);
            }
        } else {
            // Written again below, where an error is reported with the file's real name.
            let _ = std::fs::remove_file(&path);
        }
    })));
    let result = match convert::convert(&bytes, &name, &schema, &options) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("accrochage : {e}");
            return ExitCode::from(2);
        }
    };
    let mut err = std::io::stderr().lock();
    for f in &result.findings {
        let place = if f.cell.is_empty() {
            f.sheet.clone()
        } else {
            f.cell.clone()
        };
        let value = if f.value.is_empty() {
            String::new()
        } else {
            format!(" « {} »", f.value)
        };
        let _ = writeln!(
            err,
            "{place} : {} [{}]{value} — {} → {}",
            f.level.label(),
            f.code,
            f.message,
            f.fix
        );
    }
    let s = &result.summary;
    let _ = writeln!(
        err,
        "{} ligne(s) lue(s), {} passage(s) écrit(s) dans {} fichier(s), {} ligne(s) écartée(s), {} erreur(s), {} avertissement(s)",
        s.rows_read, s.passages_written, s.files, s.rows_excluded, s.errors, s.warnings
    );
    if let Some(path) = &args.report {
        let is_json = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"));
        let text = if is_json {
            serde_json::to_string_pretty(
                &serde_json::json!({ "summary": result.summary, "diagnostics": result.findings }),
            )
            .unwrap_or_default()
        } else {
            convert::findings_to_csv(&result.findings)
        };
        if let Err(e) = std::fs::write(path, text) {
            eprintln!(
                "accrochage : impossible d'écrire le rapport {} : {e}",
                path.display()
            );
            return ExitCode::from(2);
        }
    }
    let several = result.files.len() > 1;
    for (i, file) in result.files.iter().enumerate() {
        let path = match &args.output {
            Some(o) if several => {
                let stem = o
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default();
                o.with_file_name(format!("{stem}_{}.xml", i + 1))
            }
            Some(o) => o.clone(),
            None => PathBuf::from(&file.name),
        };
        let early = written_early
            .lock()
            .ok()
            .and_then(|mut done| done.remove(&file.name));
        let written = match early {
            Some(temporary) => std::fs::rename(&temporary, &path).or_else(|_| {
                let _ = std::fs::remove_file(&temporary);
                write_xml(&path, &file.xml)
            }),
            None => write_xml(&path, &file.xml),
        };
        if let Err(e) = written {
            eprintln!("accrochage : impossible d'écrire {} : {e}", path.display());
            return ExitCode::from(2);
        }
        let _ = writeln!(
            err,
            "XML écrit : {} ({} passage(s), idFlux {})",
            path.display(),
            file.passages,
            file.id_flux
        );
    }
    // Files written early but found invalid (an internal error, reported above).
    if let Ok(mut done) = written_early.lock() {
        for (_, temporary) in done.drain() {
            let _ = std::fs::remove_file(temporary);
        }
    }
    let has_errors = result.findings.iter().any(|f| f.level == Level::Erreur);
    if result.files.is_empty() || has_errors {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// Writes an XML file piece after piece: joined first, the text would take as much memory again.
fn write_xml(path: &std::path::Path, xml: &accrochage::convert::XmlText) -> std::io::Result<()> {
    std::fs::File::create(path)
        .and_then(|f| xml.write_to(std::io::BufWriter::with_capacity(1 << 20, f)))
}

fn read_input(path: &std::path::Path) -> Result<Vec<u8>, ExitCode> {
    let read = std::fs::metadata(path).and_then(|m| {
        if m.is_dir() {
            Err(std::io::Error::other("c'est un dossier, pas un fichier"))
        } else {
            std::fs::read(path)
        }
    });
    read.map_err(|e| {
        eprintln!("accrochage : impossible de lire {} : {e}", path.display());
        ExitCode::from(2)
    })
}

fn accuse(args: &AccuseArgs) -> ExitCode {
    use accrochage::accuse::{self, Sent, Status};
    if args.output.is_some() && args.workbook.is_none() {
        eprintln!("accrochage : l'option -o (classeur des lignes à renvoyer) exige --workbook, le classeur qui a servi à produire le fichier envoyé");
        return ExitCode::from(2);
    }
    let schema = match load_schema(args.schema.as_deref()) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("accrochage : {e}");
            return ExitCode::from(2);
        }
    };
    let accuse_bytes = match read_input(&args.accuse) {
        Ok(b) => b,
        Err(code) => return code,
    };
    let parsed = match accuse::parse_accuse(&accuse_bytes) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("accrochage : {} : {e}", args.accuse.display());
            return ExitCode::from(2);
        }
    };
    let workbook = match &args.workbook {
        Some(p) => match read_input(p) {
            Ok(b) => Some((
                b,
                p.file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
            )),
            Err(code) => return code,
        },
        None => None,
    };
    let xml = match &args.xml {
        Some(p) => match read_input(p) {
            Ok(b) => Some(b),
            Err(code) => return code,
        },
        None => None,
    };
    let sent = Sent {
        workbook: workbook.as_ref().map(|(b, n)| (b.as_slice(), n.as_str())),
        xml: xml.as_deref(),
    };
    let result = match accuse::reconcile(&parsed, &sent, &schema) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("accrochage : {e}");
            return ExitCode::from(2);
        }
    };
    let mut written: Option<String> = None;
    let mut outcome_line = None;
    if let (Some(path), Some((bytes, name))) = (&args.output, &workbook) {
        if result.summary.to_resend == 0 {
            outcome_line = Some(format!(
                "Aucune ligne à corriger et renvoyer : {} n'est pas écrit",
                path.display()
            ));
        } else {
            let xlsx = match accuse::export_ko(&result, bytes, name, &schema) {
                Ok(x) => x,
                Err(e) => {
                    eprintln!("accrochage : {e}");
                    return ExitCode::from(2);
                }
            };
            if let Err(e) = std::fs::write(path, xlsx) {
                eprintln!("accrochage : impossible d'écrire {} : {e}", path.display());
                return ExitCode::from(2);
            }
            written = Some(path.display().to_string());
            outcome_line = Some(format!(
                "Classeur des lignes à corriger et renvoyer écrit : {} ({} ligne(s)) ; corrigez-les puis convertissez-le en un nouveau fichier XML",
                path.display(),
                result.summary.to_resend
            ));
        }
    }
    let mut out = std::io::stdout().lock();
    match args.format {
        Format::Json => {
            let _ = serde_json::to_writer_pretty(
                &mut out,
                &serde_json::json!({ "reconciliation": result, "output": written }),
            );
            let _ = writeln!(out);
        }
        Format::Text => {
            let a = &result.accuse;
            let _ = writeln!(
                out,
                "Accusé de traitement {} : idFlux {}, traitement {}{}",
                args.accuse.display(),
                a.id_flux.as_deref().unwrap_or("?"),
                a.id_traitement.as_deref().unwrap_or("?"),
                a.nom_fichier
                    .as_deref()
                    .map(|n| format!(", fichier {n}"))
                    .unwrap_or_default()
            );
            for n in &result.notes {
                let _ = writeln!(out, "remarque [{}] — {}", n.code, n.message);
            }
            for spot in &result.rejection {
                let _ = writeln!(out, "rejet — {}", spot.message);
            }
            // In a rejected file every row shares the same verdict: the spots above say it all.
            let rejected = result.summary.rejected;
            for e in result
                .entries
                .iter()
                .filter(|e| e.status != Status::Ok && !rejected)
            {
                let _ = writeln!(out, "{}", e.message);
            }
            for u in &result.unknown {
                let _ = writeln!(out, "inconnu — {}", u.message);
            }
            let s = &result.summary;
            let _ = writeln!(
                out,
                "Résumé : {} accepté(s), {} refusé(s){}, {} absent(s) de l'accusé, {} non envoyé(s), {} idTechnique inconnu(s) ; à corriger et renvoyer : {}",
                s.ok,
                s.ko,
                if s.rejected { " (fichier entier rejeté)" } else { "" },
                s.absent,
                s.not_sent,
                s.unknown,
                s.to_resend
            );
            if !s.by_reason.is_empty() {
                let reasons: Vec<String> = s
                    .by_reason
                    .iter()
                    .map(|r| format!("{} : {}", r.label, r.count))
                    .collect();
                let _ = writeln!(out, "Refus par motif : {}", reasons.join(" ; "));
            }
            if let Some(line) = &outcome_line {
                let _ = writeln!(out, "{line}");
            }
        }
    }
    if result.all_ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
