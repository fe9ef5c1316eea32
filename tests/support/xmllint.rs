//! libxml2's `xmllint --noout --schema` as an oracle: writes documents to a scratch directory,
//! validates them in a few batched invocations and returns one verdict per document.
//!
//! ```ignore
//! let lint = xmllint::Xmllint::find(); // fails the test, with install instructions, if absent
//! let verdicts = lint.validate(&xsd_path, &[("a".into(), b"<flux/>".to_vec())]);
//! assert_eq!(verdicts["a"], false);
//! ```

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

pub struct Xmllint {
    pub path: PathBuf,
}

/// The message a test fails with when xmllint cannot be found: the oracle must never pass by
/// being absent.
pub const MISSING: &str = "xmllint est introuvable : installez-le avec « sudo apt-get install -y libxml2-utils » \
(ou scripts/setup.sh), ou indiquez son chemin dans la variable XMLLINT. \
/ xmllint not found: install it with `sudo apt-get install -y libxml2-utils` (or run scripts/setup.sh), \
or set XMLLINT to its path.";

impl Xmllint {
    /// `$XMLLINT`, else `xmllint` on the PATH; panics with [`MISSING`] otherwise.
    pub fn find() -> Xmllint {
        let candidates: Vec<PathBuf> = match std::env::var_os("XMLLINT") {
            Some(p) => vec![PathBuf::from(p)],
            None => std::env::var_os("PATH")
                .map(|p| {
                    std::env::split_paths(&p)
                        .map(|d| d.join("xmllint"))
                        .collect()
                })
                .unwrap_or_default(),
        };
        let path = candidates
            .into_iter()
            .find(|p| {
                Command::new(p)
                    .arg("--version")
                    .output()
                    .is_ok_and(|o| o.status.success())
            })
            .unwrap_or_else(|| panic!("{MISSING}"));
        Xmllint { path }
    }

    /// Validates each `(name, bytes)` against `xsd`; `true` when xmllint says "validates".
    /// A document it cannot parse gets no verdict line and counts as invalid.
    pub fn validate(&self, xsd: &Path, docs: &[(String, Vec<u8>)]) -> HashMap<String, bool> {
        let dir = scratch_dir();
        let mut files = Vec::with_capacity(docs.len());
        for (i, (name, xml)) in docs.iter().enumerate() {
            // Names may hold characters a shell or xmllint's output would mangle: number them.
            let file = format!("d{i:05}.xml");
            std::fs::write(dir.join(&file), xml).expect("write a corpus file");
            files.push((file, name.clone()));
        }
        let xsd = std::fs::canonicalize(xsd)
            .unwrap_or_else(|e| panic!("cannot read the schema {}: {e}", xsd.display()));
        let mut verdicts = HashMap::new();
        for chunk in files.chunks(400) {
            let output = Command::new(&self.path)
                .current_dir(&dir)
                .arg("--noout")
                .arg("--nonet")
                .arg("--schema")
                .arg(&xsd)
                .args(chunk.iter().map(|(f, _)| f))
                .output()
                .unwrap_or_else(|e| panic!("{MISSING} ({e})"));
            let mut said: HashMap<&str, bool> = HashMap::new();
            let both = [output.stdout, output.stderr].concat();
            let text = String::from_utf8_lossy(&both);
            for line in text.lines() {
                if let Some(f) = line.strip_suffix(" validates") {
                    said.insert(f, true);
                } else if let Some(f) = line.strip_suffix(" fails to validate") {
                    said.insert(f, false);
                }
            }
            assert!(
                !said.is_empty() || chunk.is_empty(),
                "xmllint gave no verdict at all; its output:\n{text}"
            );
            for (file, name) in chunk {
                verdicts.insert(
                    name.clone(),
                    said.get(file.as_str()).copied().unwrap_or(false),
                );
            }
        }
        let _ = std::fs::remove_dir_all(&dir);
        verdicts
    }
}

/// A directory of its own per call (tests run in parallel threads and processes).
fn scratch_dir() -> PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "accrochage-xmllint-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create a scratch directory");
    dir
}
