//! The catalogue of hostile inputs, written from the tests themselves: when
//! `ACCROCHAGE_CATALOGUE` names a file, each case appends a Markdown row with the test, the input
//! and the exact message the user gets. `scripts/hostile-catalogue.sh` runs the hostile tests
//! this way and writes `docs/entrees-hostiles.md`, so the documented messages are the tested ones.

use std::io::Write;

/// Appends `| test | input | message |` to the catalogue file, if one is asked for.
pub fn record(input: &str, message: &str) {
    let Ok(path) = std::env::var("ACCROCHAGE_CATALOGUE") else {
        return;
    };
    let test = std::thread::current()
        .name()
        .unwrap_or("?")
        .rsplit("::")
        .next()
        .unwrap_or("?")
        .replace('_', " ");
    let cell = |s: &str| s.replace('|', "\\|").replace('\n', " ");
    let row = format!(
        "| {} | `{}` | {} |\n",
        cell(&test),
        cell(input),
        cell(message)
    );
    // Tests run in parallel: one write per row keeps rows whole.
    if let Ok(mut file) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
    {
        let _ = file.write_all(row.as_bytes());
    }
}
