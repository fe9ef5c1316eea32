//! Times the workbook reader alone: `cargo run --release --example read_workbook -- FILE`.

use std::time::Instant;

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage : read_workbook FICHIER");
        std::process::exit(2);
    };
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("{path} : {e}");
            std::process::exit(1);
        }
    };
    let start = Instant::now();
    match accrochage::workbook::read_workbook(&bytes, &path) {
        Ok(book) => {
            let cells: usize = book
                .sheets
                .iter()
                .flat_map(|s| &s.rows)
                .map(|r| r.cells.len())
                .sum();
            println!(
                "{} octets, {} feuilles, {} cellules lues en {:.2} s",
                bytes.len(),
                book.sheets.len(),
                cells,
                start.elapsed().as_secs_f64()
            );
        }
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    }
}
