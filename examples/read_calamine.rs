//! The anchor of NOTES.md §8 for reading a workbook natively: calamine (1.8 s for 100 000 rows
//! × 44 columns on the day the anchors were taken), run on the same file as our converter so
//! that `scripts/bench-anchors.sh` can set our times beside it in the same run, whatever the
//! machine's speed that day. `cargo run --release --example read_calamine -- FILE.xlsx`

mod common;

use calamine::{open_workbook_auto_from_rs, Data, Reader};
use std::io::Cursor;
use std::time::Instant;

fn main() {
    let (path, bytes) = common::file_argument("read_calamine FICHIER");
    let start = Instant::now();
    let mut book = match open_workbook_auto_from_rs(Cursor::new(bytes)) {
        Ok(book) => book,
        Err(e) => {
            eprintln!("{path} : {e}");
            std::process::exit(1);
        }
    };
    let mut cells = 0usize;
    for name in book.sheet_names() {
        match book.worksheet_range(&name) {
            Ok(range) => {
                cells += range
                    .used_cells()
                    .filter(|(_, _, c)| **c != Data::Empty)
                    .count()
            }
            Err(e) => {
                eprintln!("{name} : {e}");
                std::process::exit(1);
            }
        }
    }
    println!(
        "{cells} cellules lues en {:.2} s",
        start.elapsed().as_secs_f64()
    );
}
