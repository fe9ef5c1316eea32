//! Times the workbook reader alone: `cargo run --release --example read_workbook -- FILE`.

mod common;

use std::time::Instant;

fn main() {
    let (path, bytes) = common::file_argument("read_workbook FICHIER");
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
