//! Native builds: the workbook is read on one thread while its rows are converted on another.
//!
//! Reading an xlsx (inflating and parsing the sheet) and converting its rows take about as long
//! each; with two cores they overlap. The reader ([`workbook::read_streaming`]) reads the other
//! sheets first (Paramètres is needed before the first row), then hands over the passages'
//! rows in batches through a bounded channel, so that only a few thousand rows wait at a time.
//! Whatever it cannot stream (another format, cells out of order, a damaged or oversized file)
//! makes it say so, and the caller reads the file the usual way: same rows, same messages.

use std::sync::mpsc::{sync_channel, Receiver};

use super::{
    convert_source, passages_sheet_index, Conversion, ConvertError, ConvertOptions, RowSource,
};
use crate::workbook::{self, BookNote, Row, Streamed};
use crate::xsd::Schema;

/// Batches waiting in the channel: the reader may run this far ahead of the converter.
const QUEUED_BATCHES: usize = 16;

/// The conversion of an xlsx read on another thread, or `None` when this file is not streamed
/// (the caller then reads it whole).
pub(super) fn convert_streaming(
    bytes: &[u8],
    file_name: &str,
    schema: &Schema,
    options: &ConvertOptions,
) -> Option<Result<Conversion, ConvertError>> {
    if std::thread::available_parallelism().map_or(1, |n| n.get()) < 2 {
        return None;
    }
    std::thread::scope(|scope| {
        let (send, receive) = sync_channel(QUEUED_BATCHES);
        let reader = move || {
            let pick = passages_sheet_index;
            workbook::read_streaming(bytes, file_name, &pick, &mut |m| send.send(m).is_ok());
        };
        // A system that refuses a thread gets the whole read on this one.
        std::thread::Builder::new()
            .spawn_scoped(scope, reader)
            .ok()?;
        let Ok(Streamed::Book { book, index }) = receive.recv() else {
            return None;
        };
        let mut source = Received {
            receive,
            batch: Vec::new().into_iter(),
            end: None,
        };
        let result = match convert_source(book, index, &mut source, schema, options) {
            Ok(Some(conversion)) => Some(Ok(conversion)),
            Ok(None) => None,
            // Said only if the file reads to its end: a reading error would come first.
            Err(e) => source.finish().map(|_| Err(e)),
        };
        // Dropping the receiver stops a reader still sending, before the scope waits for it.
        drop(source);
        result
    })
}

/// The rows as the reader sends them.
struct Received {
    receive: Receiver<Streamed>,
    batch: std::vec::IntoIter<Row>,
    /// Once the reader is done: its notes, or `None` for a fallback.
    end: Option<Option<Vec<BookNote>>>,
}

impl Iterator for Received {
    type Item = Row;

    fn next(&mut self) -> Option<Row> {
        loop {
            if let Some(row) = self.batch.next() {
                return Some(row);
            }
            if self.end.is_some() {
                return None;
            }
            match self.receive.recv() {
                Ok(Streamed::Rows(rows)) => self.batch = rows.into_iter(),
                Ok(Streamed::End(notes)) => self.end = Some(Some(notes)),
                // A reader gone without a word (it cannot panic on any input, but a bug
                // must not pass for an end) counts as a fallback.
                Ok(Streamed::Fallback | Streamed::Book { .. }) | Err(_) => self.end = Some(None),
            }
        }
    }
}

impl RowSource for Received {
    fn finish(&mut self) -> Option<Vec<BookNote>> {
        self.by_ref().for_each(drop);
        self.end.take().flatten()
    }
}
