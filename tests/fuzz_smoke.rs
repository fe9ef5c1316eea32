//! The fuzz targets' smoke run on stable (CI has no nightly): each target's body, shared with
//! `fuzz/` through `accrochage::fuzzing`, runs over its seed corpus (`fuzz/seeds/<target>/`) and
//! over deterministic pseudo-random mutations of those seeds. Same seeds, same mutations, every
//! run: a failure here reproduces exactly, and the failing input is written to `target/` so it
//! can be replayed with `cargo fuzz run <target> <file>`.
//!
//! `FUZZ_SMOKE_ITERATIONS` changes the number of mutations per target (default 3 000).

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

/// xorshift64*: tiny, deterministic, good enough to pick mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

/// Bytes that matter to the formats under test: XML and CSV syntax, zip signatures, UTF-8 lead
/// bytes, a BOM, NUL; for the xlsb records (little-endian), the longest record length, Excel's
/// row count as a row number, and -1 as a count or index.
const INTERESTING: &[&[u8]] = &[
    b"<",
    b">",
    b"/>",
    b"</",
    b"&",
    b"&amp;",
    b"&#0;",
    b"<!DOCTYPE a [<!ENTITY e \"x\">]>",
    b"<![CDATA[",
    b"]]>",
    b"<!--",
    b"xsi:nil=\"true\"",
    b"\"",
    b";",
    b"\n",
    b"\r\n",
    b"\0",
    b"\xef\xbb\xbf",
    b"\xc3",
    b"\xff\xfe",
    b"PK\x03\x04",
    b"=",
    b"9999999999999999999",
    b"-1",
    b"31/02/2026",
    b"\xff\xff\xff\x7f",
    b"\x00\x00\x10\x00",
    b"\xff\xff\xff\xff",
];

fn mutate(seed: &[u8], other: &[u8], rng: &mut Rng) -> Vec<u8> {
    let mut data = seed.to_vec();
    for _ in 0..1 + rng.below(4) {
        let len = data.len();
        match rng.below(8) {
            // Flip a bit.
            0 if len > 0 => {
                let i = rng.below(len);
                data[i] ^= 1 << rng.below(8);
            }
            // Replace a byte.
            1 if len > 0 => {
                let i = rng.below(len);
                data[i] = rng.next() as u8;
            }
            // Delete a range.
            2 if len > 0 => {
                let i = rng.below(len);
                let n = 1 + rng.below((len - i).min(64));
                data.drain(i..i + n);
            }
            // Insert a token.
            3 => {
                let i = rng.below(len + 1);
                let t = INTERESTING[rng.below(INTERESTING.len())];
                data.splice(i..i, t.iter().copied());
            }
            // Duplicate a chunk (repeated elements, rows, attributes).
            4 if len > 0 => {
                let i = rng.below(len);
                let n = 1 + rng.below((len - i).min(256));
                let chunk: Vec<u8> = data[i..i + n].to_vec();
                let at = rng.below(len + 1);
                data.splice(at..at, chunk);
            }
            // Truncate.
            5 if len > 0 => data.truncate(rng.below(len)),
            // Splice with another seed.
            6 if !other.is_empty() => {
                let cut = rng.below(len + 1);
                let from = rng.below(other.len());
                data.truncate(cut);
                data.extend_from_slice(&other[from..]);
            }
            // Swap two bytes.
            _ if len > 1 => {
                let (a, b) = (rng.below(len), rng.below(len));
                data.swap(a, b);
            }
            _ => data.push(rng.next() as u8),
        }
    }
    data
}

fn seeds(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/seeds")
        .join(target);
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| {
            let path = e.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&path).unwrap())
        })
        .collect();
    // read_dir's order depends on the file system: sort for the same mutations everywhere.
    out.sort();
    assert!(!out.is_empty(), "no seed in {}", dir.display());
    out
}

fn iterations() -> usize {
    std::env::var("FUZZ_SMOKE_ITERATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3000)
}

/// Runs the target's loop on a thread of its own: a hang fails the test (after a deadline far
/// above the few seconds it takes) instead of stalling CI.
fn smoke(target: &'static str, body: fn(&[u8])) {
    let (tx, rx) = std::sync::mpsc::channel();
    let worker = std::thread::spawn(move || {
        let outcome = catch_unwind(|| smoke_loop(target, body));
        let _ = tx.send(());
        if let Err(panic) = outcome {
            std::panic::resume_unwind(panic);
        }
    });
    match rx.recv_timeout(std::time::Duration::from_secs(600)) {
        Ok(()) => {
            if let Err(panic) = worker.join() {
                std::panic::resume_unwind(panic);
            }
        }
        Err(_) => panic!("{target}: the smoke run did not finish within 10 minutes (a hang?)"),
    }
}

/// Runs `body` on every seed, then on mutations; on a panic, saves the input and fails.
fn smoke_loop(target: &str, body: fn(&[u8])) {
    let seeds = seeds(target);
    let run = |label: &str, input: &[u8]| {
        if catch_unwind(AssertUnwindSafe(|| body(input))).is_err() {
            let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("fuzz-smoke");
            std::fs::create_dir_all(&dir).unwrap();
            let file = dir.join(format!("{target}-{label}"));
            std::fs::write(&file, input).unwrap();
            panic!(
                "{target}: {label} fails; input saved in {} (replay: cd fuzz && cargo +nightly fuzz run {target} {})",
                file.display(),
                file.display()
            );
        }
    };
    for (name, data) in &seeds {
        run(&format!("seed-{name}"), data);
    }
    // One stream per target, so adding a target does not change another's inputs.
    let mut rng =
        Rng(0x9E37_79B9_7F4A_7C15 ^ target.len() as u64 ^ (target.as_bytes()[0] as u64) << 32);
    for i in 0..iterations() {
        let (_, seed) = &seeds[rng.below(seeds.len())];
        let (_, other) = &seeds[rng.below(seeds.len())];
        let input = mutate(seed, other, &mut rng);
        run(&format!("mutation-{i}"), &input);
    }
}

#[test]
fn mutations_are_deterministic() {
    let mut a = Rng(42);
    let mut b = Rng(42);
    let x = mutate(b"<flux>abc</flux>", b"a;b\n", &mut a);
    let y = mutate(b"<flux>abc</flux>", b"a;b\n", &mut b);
    assert_eq!(x, y);
    assert_ne!(Rng(1).next(), Rng(2).next());
}

#[test]
fn xsd_compile() {
    smoke("xsd_compile", accrochage::fuzzing::xsd_compile);
}

#[test]
fn validate() {
    smoke("validate", accrochage::fuzzing::validate);
}

#[test]
fn workbook_read() {
    smoke("workbook_read", accrochage::fuzzing::workbook_read);
}

#[test]
fn convert() {
    smoke("convert", accrochage::fuzzing::convert);
}

#[test]
fn xlsx_sheet() {
    smoke("xlsx_sheet", accrochage::fuzzing::xlsx_sheet);
}

#[test]
fn wire_messages() {
    smoke("wire_messages", accrochage::fuzzing::wire_messages);
}
