//! Writes the test corpus (tests/support/corpus.rs) as files, or one large valid document.
//!
//! ```text
//! cargo run --example gen_corpus -- DIR              # DIR/valid/*.xml, DIR/invalid/*.xml, DIR/index.tsv
//! cargo run --release --example gen_corpus -- --large 100000 FILE.xml
//! ```
//! `index.tsv` lists each file with its expected verdict and, for mutants, the expected code;
//! `xmllint --noout --schema cdc-1.1.2.xsd DIR/valid/*.xml` then shows libxml2's view by hand.
//! `--large` streams the document (used by scripts/bench.sh): memory stays flat.

#[allow(dead_code)] // the example uses only the generator's entry points
#[path = "../tests/support/corpus.rs"]
mod corpus;

use std::io::{BufWriter, Write};
use std::path::Path;
use std::process::ExitCode;

fn usage() -> ExitCode {
    eprintln!("usage : gen_corpus DOSSIER | gen_corpus --large N FICHIER.xml");
    ExitCode::from(2)
}

fn write_corpus(dir: &Path) -> std::io::Result<usize> {
    let docs = corpus::corpus();
    std::fs::create_dir_all(dir.join("valid"))?;
    std::fs::create_dir_all(dir.join("invalid"))?;
    let mut index = String::from("fichier\tverdict\tcode\n");
    for d in &docs {
        let (sub, verdict, code) = match d.expect {
            corpus::Expect::Valid => ("valid", "valide", ""),
            corpus::Expect::ValidWithWarning(c) => ("valid", "valide", c),
            corpus::Expect::Invalid(c) => ("invalid", "invalide", c),
        };
        let file = format!("{sub}/{}.xml", d.name);
        std::fs::write(dir.join(&file), &d.xml)?;
        index.push_str(&format!("{file}\t{verdict}\t{code}\n"));
    }
    std::fs::write(dir.join("index.tsv"), index)?;
    Ok(docs.len())
}

fn write_large(n: usize, file: &Path) -> std::io::Result<()> {
    let mut out = BufWriter::with_capacity(1 << 20, std::fs::File::create(file)?);
    corpus::write_large(n, &mut out)?;
    out.flush()
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.as_slice() {
        [flag, n, file] if flag == "--large" => match n.parse::<usize>() {
            Ok(n) => write_large(n, Path::new(file)).map(|()| {
                eprintln!("{file} : 1 document valide de {n} passages");
            }),
            Err(_) => return usage(),
        },
        [dir] if !dir.starts_with('-') => write_corpus(Path::new(dir)).map(|count| {
            eprintln!("{dir} : {count} documents (voir index.tsv)");
        }),
        _ => return usage(),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("erreur d'écriture : {e}");
            ExitCode::FAILURE
        }
    }
}
