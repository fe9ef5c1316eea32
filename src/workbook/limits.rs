//! The limits that keep a hostile or broken file from exhausting memory or time, and the zip
//! guard that checks them before calamine inflates anything.
//!
//! Every limit is a public constant so the documentation can quote it:
//!
//! ```
//! use accrochage::workbook::limits;
//! assert_eq!(limits::MAX_CELL_CHARS, 32_767); // Excel's own limit per cell
//! assert!(limits::MAX_INPUT_BYTES >= 100_000_000);
//! ```

use std::io::Cursor;

use super::{ErrorKind, WorkbookError};

/// Largest input file accepted (100 Mo): a real 100 000-row workbook is about 17 Mo.
pub const MAX_INPUT_BYTES: usize = 100 * 1000 * 1000;
/// Largest total size of the zip entries once inflated (500 Mo): 100 000 rows × 45 columns
/// inflate to about 120 Mo.
pub const MAX_UNCOMPRESSED_BYTES: u64 = 500 * 1000 * 1000;
/// Largest inflated size of one part other than a worksheet (100 Mo): calamine keeps the shared
/// strings and styles in memory (8 Mo of shared strings for 100 000 rows), where worksheets
/// stream.
pub const MAX_PART_BYTES: u64 = 100 * 1000 * 1000;
/// Largest compression ratio of an entry bigger than [`RATIO_FLOOR_BYTES`]: spreadsheet XML
/// compresses 5 to 30 times (a sheet of repeated values a few hundred times), a zip bomb
/// about a thousand times, deflate's maximum.
pub const MAX_COMPRESSION_RATIO: u64 = 500;
/// Entries smaller than this are not checked for their ratio: a 10 Mo paste of one repeated
/// character is an error of the cell, reported as such, not an attack.
pub const RATIO_FLOOR_BYTES: u64 = 50 * 1000 * 1000;
/// Rows per sheet: Excel's own limit.
pub const MAX_ROWS: u32 = 1_048_576;
/// Columns per sheet: Excel's own limit (XFD).
pub const MAX_COLUMNS: u32 = 16_384;
/// Characters per cell: Excel's own limit; longer text is cut and reported as an error.
pub const MAX_CELL_CHARS: usize = 32_767;
/// Non-empty cells in the whole workbook: 100 000 passages × 45 columns is 4.5 million, and
/// each cell costs about 64 bytes plus its text (the browser's memory is the bound).
pub const MAX_CELLS: usize = 10_000_000;

/// Largest grid (rows × columns, summed over the sheets) calamine may build for an `.xls`:
/// Excel 97 sheets hold 65 536 rows, and 64 columns is more than the template's 45. calamine
/// builds each xls sheet as a dense grid of about 100 bytes per cell (the cells it reserves,
/// the values, the formulas), so this bounds its memory near 400 Mo.
pub const MAX_XLS_GRID: u64 = 65_536 * 64;

/// Largest grid calamine may build for an `.xlsb` (rows × columns between the first and last
/// filled cell of each sheet, summed): calamine holds each xlsb sheet as a dense grid of 32
/// bytes per cell, so this bounds it near 260 Mo, while 100 000 passages × 45 columns (4,5
/// millions) pass.
pub const MAX_XLSB_GRID: u64 = 8_000_000;

/// Largest amount of shared text (UTF-16 characters) the cells of an `.xlsb` may repeat:
/// calamine copies a shared string into every cell that shows it, so a 10 Mo string shown by
/// 10 000 cells would cost 100 Go. 100 000 passages repeat about 50 millions.
pub const MAX_XLSB_SHARED_TEXT: u64 = 200_000_000;

/// Sheets in an `.xlsb`: calamine finds each sheet by comparing names with all the others', so
/// tens of thousands of sheets cost billions of comparisons. A certification workbook has a few.
pub const MAX_XLSB_SHEETS: usize = 1_000;

/// Refuses an input file bigger than [`MAX_INPUT_BYTES`].
pub fn check_input_size(bytes: &[u8], name: &str) -> Result<(), WorkbookError> {
    if bytes.len() > MAX_INPUT_BYTES {
        return Err(WorkbookError::new(
            ErrorKind::TooLarge,
            format!(
                "Le fichier « {name} » pèse {} Mo, au-delà de la limite de {} Mo : découpez-le en plusieurs classeurs (un fichier de 100 000 passages pèse environ 17 Mo)",
                bytes.len() / 1_000_000,
                MAX_INPUT_BYTES / 1_000_000
            ),
        ));
    }
    Ok(())
}

/// Reads the zip's central directory (without inflating anything) and refuses a damaged or
/// truncated archive, encrypted entries, and sizes or ratios beyond the limits. The zip crate
/// also stops inflating an entry at its declared size, so an entry cannot lie about it.
pub fn check_zip(bytes: &[u8], name: &str, what: &str) -> Result<(), WorkbookError> {
    let mut zip =
        zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| damaged_zip(name, what, &e))?;
    let mut total: u64 = 0;
    for i in 0..zip.len() {
        let entry = zip
            .by_index_raw(i)
            .map_err(|e| damaged_zip(name, what, &e))?;
        if entry.encrypted() {
            return Err(encrypted(name));
        }
        let (size, packed) = (entry.size(), entry.compressed_size().max(1));
        total = total.saturating_add(size);
        let part = entry.name().unwrap_or_default().into_owned();
        let worksheet = part.starts_with("xl/worksheets/") || part == "content.xml";
        if !worksheet && size > MAX_PART_BYTES {
            return Err(WorkbookError::new(
                ErrorKind::TooLarge,
                format!(
                    "Le fichier « {name} » contient une partie ({part}) de {} Mo une fois décompressée, au-delà de la limite de {} Mo : ce n'est pas un classeur ordinaire (peut-être une « bombe zip »), il n'est pas lu. Si c'est bien votre classeur, découpez-le en plusieurs fichiers",
                    size / 1_000_000,
                    MAX_PART_BYTES / 1_000_000
                ),
            ));
        }
        if size > RATIO_FLOOR_BYTES && size / packed > MAX_COMPRESSION_RATIO {
            return Err(WorkbookError::new(
                ErrorKind::TooLarge,
                format!(
                    "Le fichier « {name} » contient une partie ({part}) qui se décompresse {} fois (de {} Ko à {} Mo) : c'est le signe d'une « bombe zip », le fichier n'est pas lu. Si c'est bien votre classeur, ouvrez-le et enregistrez-le à nouveau au format .xlsx",
                    size / packed,
                    packed / 1000,
                    size / 1_000_000
                ),
            ));
        }
    }
    if total > MAX_UNCOMPRESSED_BYTES {
        return Err(WorkbookError::new(
            ErrorKind::TooLarge,
            format!(
                "Le fichier « {name} » se décompresse en {} Mo, au-delà de la limite de {} Mo : découpez-le en plusieurs classeurs",
                total / 1_000_000,
                MAX_UNCOMPRESSED_BYTES / 1_000_000
            ),
        ));
    }
    Ok(())
}

fn damaged_zip(name: &str, what: &str, e: &zip::result::ZipError) -> WorkbookError {
    WorkbookError::new(
        ErrorKind::Damaged,
        format!(
            "Le fichier « {name} » ressemble à un {what} mais il est incomplet ou endommagé (archive zip illisible : {e}) : téléchargez-le ou copiez-le à nouveau, ou rouvrez-le dans votre tableur et enregistrez-le"
        ),
    )
}

/// The error for a password-protected workbook.
pub fn encrypted(name: &str) -> WorkbookError {
    WorkbookError::new(
        ErrorKind::Encrypted,
        format!(
            "Le classeur « {name} » est protégé par un mot de passe (chiffré) : il ne peut pas être lu. Ouvrez-le dans votre tableur, retirez le mot de passe (Fichier › Informations › Protéger le classeur › Chiffrer avec mot de passe, puis videz le champ) et enregistrez-le"
        ),
    )
}
