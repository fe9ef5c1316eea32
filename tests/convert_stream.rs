//! Natively, an xlsx is converted while it is read (the reader on another thread streams the
//! rows of the passages sheet): the result must be exactly the one of reading the whole
//! workbook first, for every shape of file, and anything that cannot be streamed (rows out of
//! order, a damaged sheet, no header) must end as the whole read ends.

#![cfg(not(target_arch = "wasm32"))]

mod support;

use accrochage::convert::{
    convert, convert_streamed, convert_streamed_reader_preparing, convert_workbook,
    passages_sheet_index, Conversion, ConvertError, ConvertOptions, LocalNow, MessageConverter,
    Next, RowConverter,
};
use accrochage::workbook::{read_streaming, read_workbook, wire, Streamed};
use accrochage::xsd::Schema;
use rust_xlsxwriter::{Format, Workbook};

use support::{rezip, MINIMAL_HEADER as HEADER};

fn options() -> ConvertOptions {
    let mut o = ConvertOptions::at(LocalNow::from_unix(1_795_338_000, 60));
    o.params.insert("idFlux".into(), "flux-flot".into());
    o
}

/// Passages (first, as in the template) then a hidden Paramètres sheet; `rows` passages of two
/// certifications, every seventh with an error, labels instead of codes, merged cells.
fn workbook(rows: u32, passages_name: &str) -> Vec<u8> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name(passages_name).unwrap();
    ws.merge_range(0, 20, 0, 21, "titre", &Format::new())
        .unwrap();
    for (c, h) in HEADER.iter().enumerate() {
        ws.write_string(1, c as u16, *h).unwrap();
    }
    for i in 0..rows {
        let r = i + 2;
        let values = [
            format!("T-{i}"),
            "RNCP".into(),
            if i % 3 == 0 { "RNCP34567" } else { "RNCP11111" }.into(),
            "PAR_ADMISSION".into(),
            "Oui".into(),
            "15/09/2026".into(),
            "Non".into(),
            "Non".into(),
            format!("NOM{i}"),
            "Amélie".into(),
            if i % 7 == 3 {
                "19x0".into()
            } else {
                "1990".into()
            },
            if i % 2 == 0 { "Femme" } else { "H" }.into(),
            "01053".into(),
        ];
        for (c, v) in values.iter().enumerate() {
            ws.write_string(r, c as u16, v).unwrap();
        }
    }
    let params = wb.add_worksheet();
    params.set_name("Paramètres").unwrap();
    for (r, (k, v)) in [
        ("idClientEmetteur", "ABCD1234"),
        ("idClientCertificateur", "EFGH5678"),
        ("idContrat", "MCF-2026-01"),
    ]
    .iter()
    .enumerate()
    {
        params.write_string(r as u32, 0, *k).unwrap();
        params.write_string(r as u32, 1, *v).unwrap();
    }
    params.set_hidden(true);
    wb.save_to_buffer().unwrap()
}

fn whole(bytes: &[u8], name: &str) -> Result<Conversion, ConvertError> {
    let book = read_workbook(bytes, name).map_err(|e| ConvertError::Workbook(e.to_string()))?;
    convert_workbook(book, &Schema::cdc(), &options())
}

fn json(c: &Result<Conversion, ConvertError>) -> String {
    match c {
        Ok(c) => serde_json::to_string(c).unwrap(),
        Err(e) => format!("erreur : {e}"),
    }
}

/// The workbook with its passages sheet's XML edited as text.
fn with_sheet_edited(bytes: &[u8], edit: impl Fn(String) -> String) -> Vec<u8> {
    rezip(bytes, |name, xml| {
        if name.ends_with("sheet1.xml") {
            edit(xml)
        } else {
            xml
        }
    })
}

/// The workbook with its header row removed: only data rows are left.
fn headless_workbook() -> Vec<u8> {
    with_sheet_edited(&workbook(100, "Passages"), |xml| {
        let start = xml.find("<row r=\"2\"").unwrap();
        let end = start + xml[start..].find("</row>").unwrap() + "</row>".len();
        format!("{}{}", &xml[..start], &xml[end..])
    })
}

/// What the reader sends for these bytes, by kind.
fn messages(bytes: &[u8]) -> Vec<&'static str> {
    let mut kinds = Vec::new();
    read_streaming(
        bytes,
        "p.xlsx",
        &|names| names.iter().position(|n| *n == "Passages"),
        &mut |m| {
            kinds.push(match m {
                Streamed::Book { .. } => "livre",
                Streamed::Rows(_) => "lignes",
                Streamed::End(_) => "fin",
                Streamed::Fallback => "repli",
            });
            true
        },
    );
    kinds.dedup();
    kinds
}

/// The conversion as the page makes it with two workers: every message the reader sends goes
/// through bytes ([`wire`]) to a [`MessageConverter`]; `None` when it says to read the file
/// whole. Rows may also be handed over one message per row, to show that batches do not matter.
fn as_the_page_does(
    bytes: &[u8],
    one_row_per_message: bool,
) -> Option<Result<Conversion, ConvertError>> {
    let mut sent = Vec::new();
    read_streaming(bytes, "p.xlsx", &passages_sheet_index, &mut |m| {
        match m {
            Streamed::Rows(rows) if one_row_per_message => {
                for row in rows {
                    sent.push(wire::encode(&Streamed::Rows(vec![row])));
                }
            }
            m => sent.push(wire::encode(&m)),
        }
        true
    });
    let (schema, options) = (Schema::cdc(), options());
    let mut converter = MessageConverter::new();
    let mut next = Next::More;
    for message in &sent {
        assert_eq!(next, Next::More, "a message after the end");
        next = converter.take(wire::decode(message), &schema, &options);
    }
    match next {
        Next::Finish => Some(converter.finish(&schema, &options)),
        Next::ReadWhole => None,
        Next::More => panic!("the reader stopped before its end"),
    }
}

#[test]
fn the_pages_conversion_in_two_workers_is_the_conversion_of_the_whole_workbook() {
    for (rows, sheet) in [
        (0, "Passages"),
        (1, "Passages"),
        (3000, "Passages"),
        (600, "Feuil1"),
    ] {
        let bytes = workbook(rows, sheet);
        let expected = json(&whole(&bytes, "p.xlsx"));
        for one_row_per_message in [false, true] {
            let paged = as_the_page_does(&bytes, one_row_per_message)
                .unwrap_or_else(|| panic!("{rows} lignes dans « {sheet} » : relu en entier"));
            assert!(json(&paged) == expected, "{rows} lignes dans « {sheet} »");
        }
    }
    // No header: the error once the file is read; rows out of order, another format: read whole.
    let headless = headless_workbook();
    let paged = as_the_page_does(&headless, false).expect("lu en flux jusqu'au bout");
    assert!(matches!(&paged, Err(ConvertError::NoHeader { sheet }) if sheet == "Passages"));
    let unordered = with_sheet_edited(&workbook(30, "Passages"), |xml| {
        let (start5, start6) = (
            xml.find("<row r=\"5\"").unwrap(),
            xml.find("<row r=\"6\"").unwrap(),
        );
        let start7 = xml.find("<row r=\"7\"").unwrap();
        let (five, six) = (&xml[start5..start6], &xml[start6..start7]);
        format!("{}{six}{five}{}", &xml[..start5], &xml[start7..])
    });
    assert!(as_the_page_does(&unordered, false).is_none());
    assert!(as_the_page_does(b"idTechnique;type\nT-1;RNCP\n", false).is_none());
}

#[test]
fn messages_out_of_order_or_damaged_make_the_page_read_the_file_whole() {
    let (schema, options) = (Schema::cdc(), options());
    let mut sent = Vec::new();
    read_streaming(
        &workbook(10, "Passages"),
        "p.xlsx",
        &passages_sheet_index,
        &mut |m| {
            sent.push(wire::encode(&m));
            true
        },
    );
    assert!(sent.len() >= 3);
    let take_all = |messages: &[&[u8]]| {
        let mut converter = MessageConverter::new();
        messages
            .iter()
            .map(|m| converter.take(wire::decode(m), &schema, &options))
            .collect::<Vec<_>>()
    };
    let (book, rows, end) = (&sent[0][..], &sent[1][..], &sent[sent.len() - 1][..]);
    // Rows before the book, a second book, rows after the end, damaged bytes.
    assert_eq!(take_all(&[rows]), [Next::ReadWhole]);
    assert_eq!(take_all(&[book, book]), [Next::More, Next::ReadWhole]);
    assert_eq!(
        take_all(&[book, rows, end, rows]),
        [Next::More, Next::More, Next::Finish, Next::ReadWhole]
    );
    assert_eq!(
        take_all(&[book, &rows[..rows.len() - 1]]),
        [Next::More, Next::ReadWhole]
    );
    // Finished before the end: an error, not a panic nor a partial file.
    let mut converter = MessageConverter::new();
    converter.take(wire::decode(book), &schema, &options);
    converter.take(wire::decode(rows), &schema, &options);
    let early = converter.finish(&schema, &options);
    assert!(matches!(&early, Err(ConvertError::Workbook(m)) if m.contains("interrompue")));
}

#[test]
fn a_row_converter_that_failed_says_so_when_finished() {
    let headless = headless_workbook();
    let mut book = read_workbook(&headless, "p.xlsx").unwrap();
    let rows = std::mem::take(&mut book.sheets[0].rows);
    let (schema, options) = (Schema::cdc(), options());
    let mut converter = RowConverter::new(book, 0);
    let pushed = converter.push(rows, &schema, &options);
    assert!(matches!(pushed, Err(ConvertError::NoHeader { .. })));
    // Rows pushed after the error are ignored; finishing says the conversion ended.
    assert!(converter.push(Vec::new(), &schema, &options).is_ok());
    let finished = converter.finish(Vec::new(), &schema, &options);
    assert!(
        matches!(&finished, Err(ConvertError::Workbook(m)) if m.contains("déjà terminée ou interrompue"))
    );
}

#[test]
fn a_streamed_conversion_is_the_conversion_of_the_whole_workbook() {
    for (rows, sheet) in [
        (0, "Passages"),
        (1, "Passages"),
        (40, "Passages"),
        (3000, "Passages"),
        (600, "Feuil1"),
    ] {
        let bytes = workbook(rows, sheet);
        let streamed = convert_streamed(&bytes, "p.xlsx", &Schema::cdc(), &options())
            .unwrap_or_else(|| panic!("{rows} lignes dans « {sheet} » : non lu en flux"));
        let expected = whole(&bytes, "p.xlsx");
        assert!(
            json(&streamed) == json(&expected),
            "{rows} lignes dans « {sheet} »"
        );
        assert!(json(&convert(&bytes, "p.xlsx", &Schema::cdc(), &options())) == json(&expected));
    }
    // The comparison is about something: errors, infos, notes and two certifications.
    let c = whole(&workbook(3000, "Passages"), "p.xlsx").unwrap();
    assert_eq!(c.summary.rows_read, 3000);
    assert_eq!(c.summary.rows_excluded, 3000 / 7 + 1);
    for code in [
        "feuille-masquee",
        "cellules-fusionnees",
        "valeur-traduite",
        "valeur-invalide",
    ] {
        assert!(c.findings.iter().any(|f| f.code == code), "{code}");
    }
    assert!(c.files[0].xml.contains("RNCP11111") && c.files[0].xml.contains("RNCP34567"));
}

#[test]
fn the_rows_give_the_same_result_whichever_thread_and_batch_reads_them() {
    let bytes = workbook(3000, "Passages");
    let (schema, options) = (Schema::cdc(), options());
    let expected = whole(&bytes, "p.xlsx");
    // The reader prepares the rows of every batch once the header is known.
    let prepared =
        convert_streamed_reader_preparing(&bytes, "p.xlsx", &schema, &options).expect("lu en flux");
    assert!(json(&prepared) == json(&expected));
    // Batches of any size pushed to the converter, as the page does.
    for size in [1, 7, 255, 256, 257, 1000] {
        let mut book = read_workbook(&bytes, "p.xlsx").unwrap();
        let rows = std::mem::take(&mut book.sheets[0].rows);
        let notes = std::mem::take(&mut book.notes);
        let mut converter = RowConverter::new(book, 0);
        for batch in rows.chunks(size) {
            converter.push(batch.to_vec(), &schema, &options).unwrap();
        }
        let c = converter.finish(notes, &schema, &options);
        assert!(json(&c) == json(&expected), "lots de {size} lignes");
    }
    // One info per label and column, with the count of every cell across all batches.
    let c = expected.unwrap();
    let femme: Vec<_> = c
        .findings
        .iter()
        .filter(|f| f.code == "valeur-traduite" && f.value == "Femme")
        .collect();
    assert_eq!(femme.len(), 1);
    assert_eq!(femme[0].cell, "Passages!L3");
    assert!(
        femme[0].message.ends_with(
            "(de même pour 1499 autres cellules de cette colonne, jusqu'à Passages!L3001)"
        ),
        "{}",
        femme[0].message
    );
}

#[test]
fn the_reader_streams_rows_in_batches_between_the_book_and_the_end() {
    assert_eq!(
        messages(&workbook(3000, "Passages")),
        ["livre", "lignes", "fin"]
    );
    // No sheet chosen: nothing to stream.
    let mut kinds = Vec::new();
    read_streaming(&workbook(5, "Passages"), "p.xlsx", &|_| None, &mut |m| {
        kinds.push(matches!(m, Streamed::Fallback));
        true
    });
    assert_eq!(kinds, [true]);
    // Another format is read whole.
    assert_eq!(messages(b"idTechnique;type\nT-1;RNCP\n"), ["repli"]);
}

#[test]
fn rows_out_of_order_are_read_whole_with_the_same_result() {
    // Row 6 written before row 5: the rows sent so far would not be the sheet's.
    let bytes = with_sheet_edited(&workbook(30, "Passages"), |xml| {
        let start5 = xml.find("<row r=\"5\"").unwrap();
        let start6 = xml.find("<row r=\"6\"").unwrap();
        let start7 = xml.find("<row r=\"7\"").unwrap();
        format!(
            "{}{}{}{}",
            &xml[..start5],
            &xml[start6..start7],
            &xml[start5..start6],
            &xml[start7..]
        )
    });
    assert_eq!(messages(&bytes).last(), Some(&"repli"));
    assert!(convert_streamed(&bytes, "p.xlsx", &Schema::cdc(), &options()).is_none());
    let c = convert(&bytes, "p.xlsx", &Schema::cdc(), &options()).unwrap();
    assert_eq!(c.summary.rows_read, 30);
    assert!(json(&Ok(c)) == json(&whole(&bytes, "p.xlsx")));
}

#[test]
fn a_sheet_damaged_after_many_rows_fails_as_a_whole_read_does() {
    let bytes = with_sheet_edited(&workbook(2000, "Passages"), |xml| {
        xml.replacen(
            "<row r=\"1900\"",
            "<row r=\"1900\"><c r=\"A1900\" t=\"s\"><v>999999</v></c></row><row r=\"1901\"",
            1,
        )
    });
    assert_eq!(messages(&bytes).last(), Some(&"repli"));
    let expected = whole(&bytes, "p.xlsx");
    assert!(
        json(&expected).contains("texte partagé n° 999999 introuvable"),
        "{:.300}",
        json(&expected)
    );
    assert!(json(&convert(&bytes, "p.xlsx", &Schema::cdc(), &options())) == json(&expected));
}

#[test]
fn a_sheet_without_header_is_reported_once_read_to_the_end() {
    let bytes = headless_workbook();
    let streamed = convert_streamed(&bytes, "p.xlsx", &Schema::cdc(), &options())
        .expect("lu en flux jusqu'au bout");
    assert!(
        matches!(&streamed, Err(ConvertError::NoHeader { sheet }) if sheet == "Passages"),
        "{:.300}",
        json(&streamed)
    );
    assert_eq!(json(&streamed), json(&whole(&bytes, "p.xlsx")));
}
