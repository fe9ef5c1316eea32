//! Native builds: the workbook is read on one thread while its rows are converted on another.
//!
//! Reading an xlsx (inflating and parsing the sheet) and converting its rows take about as long
//! each; with two cores they overlap. The reader ([`workbook::read_streaming`]) reads the other
//! sheets first (Paramètres is needed before the first row), then hands over the passages'
//! rows in batches through a bounded channel, so that only a few thousand rows wait at a time.
//! Converting is the slower of the two: when batches pile up, the reader also prepares the
//! next one's rows ([`Message`]).
//! Whatever it cannot stream (another format, cells out of order, a damaged or oversized file)
//! makes it say so, and the caller reads the file the usual way: same rows, same messages.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::sync_channel;
use std::sync::{Arc, OnceLock};

use super::incremental::{PrepareBuffers, Prepared, Setup};
use super::{passages_sheet_index, Conversion, ConvertError, ConvertOptions, RowConverter};
use crate::workbook::{self, Streamed};
use crate::xsd::Schema;

/// Batches waiting in the channel: the reader may run this far ahead of the converter.
const QUEUED_BATCHES: usize = 16;

/// From this many batches waiting, the reader prepares the next one itself (see [`Message`]).
pub(super) const BEHIND: usize = QUEUED_BATCHES / 2;

/// What the reader sends: what it read, or a batch of rows it also prepared.
///
/// The converter is the slower of the two (by about a third): once the header is read, a
/// reader that finds the converter behind prepares the rows of its next batch ([`Setup::prepare`],
/// most of a row's work) and the converter only applies them ([`RowConverter::push_prepared`]).
/// Both then finish nearly together. Which rows were prepared where changes nothing in the
/// result: the converter takes every batch in order, and a prepared batch merges its findings
/// into those before it as the converter's own batches do.
enum Message {
    Read(Streamed),
    Prepared(Prepared),
}

/// The conversion of an xlsx read on another thread, or `None` when this file is not streamed
/// (the caller then reads it whole). The reader prepares its next batch when `behind` batches
/// or more wait for the converter.
pub(super) fn convert_streaming(
    bytes: &[u8],
    file_name: &str,
    schema: &Schema,
    options: &ConvertOptions,
    behind: usize,
) -> Option<Result<Conversion, ConvertError>> {
    if std::thread::available_parallelism().map_or(1, |n| n.get()) < 2 {
        return None;
    }
    let shared: OnceLock<Arc<Setup>> = OnceLock::new();
    let queued = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        let (send, receive) = sync_channel(QUEUED_BATCHES);
        let (shared, queued) = (&shared, &queued);
        let reader = move || {
            let pick = passages_sheet_index;
            let mut buffers = PrepareBuffers::default();
            workbook::read_streaming(bytes, file_name, &pick, &mut |m| {
                let message = match (m, shared.get()) {
                    (Streamed::Rows(rows), Some(setup))
                        if queued.load(Ordering::Relaxed) >= behind =>
                    {
                        Message::Prepared(setup.prepare(rows, schema, &mut buffers))
                    }
                    (m, _) => Message::Read(m),
                };
                queued.fetch_add(1, Ordering::Relaxed);
                send.send(message).is_ok()
            });
        };
        // A system that refuses a thread gets the whole read on this one.
        std::thread::Builder::new()
            .spawn_scoped(scope, reader)
            .ok()?;
        let next = || {
            let m = receive.recv().ok();
            if m.is_some() {
                queued.fetch_sub(1, Ordering::Relaxed);
            }
            m
        };
        let Some(Message::Read(Streamed::Book { book, index })) = next() else {
            return None;
        };
        let mut converter = RowConverter::new(book, index);
        let mut failed = None;
        // The book's notes once every row is read; `None` for a fallback, or a reader gone
        // without a word (it cannot panic on any input, but a bug must not pass for an end).
        let notes = loop {
            match next() {
                Some(Message::Read(Streamed::Rows(rows))) => {
                    if failed.is_none() {
                        if let Err(e) = converter.push(rows, schema, options) {
                            failed = Some(e);
                        }
                    }
                    if shared.get().is_none() {
                        if let Some(setup) = converter.setup() {
                            let _ = shared.set(setup);
                        }
                    }
                }
                Some(Message::Prepared(batch)) => converter.push_prepared(batch, options),
                Some(Message::Read(Streamed::End(notes))) => break Some(notes),
                Some(Message::Read(Streamed::Fallback | Streamed::Book { .. })) | None => {
                    break None
                }
            }
        };
        // Dropping the receiver stops a reader still sending, before the scope waits for it.
        drop(receive);
        let notes = notes?;
        // Said only once the file reads to its end: a reading error would come first.
        Some(match failed {
            Some(e) => Err(e),
            None => converter.finish(notes, schema, options),
        })
    })
}
