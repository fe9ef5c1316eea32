// The engine's thread: loads the WebAssembly module and runs every heavy task, so that the page
// stays responsive. Messages in: {id, type, ...}; out: {id, type: 'progress'|'result'|'error'}.
// To cancel, the page terminates this worker and starts a new one (a wasm call cannot be
// interrupted), which is why the worker keeps no state the page cannot resend.
import init, * as engine from './pkg/accrochage.js';
import { Engine } from './engine.js';

const ready = init();
const DIAGNOSTICS_SLICE = 2000;
// About once a second on a large file in a slow browser; each message is a few bytes.
const ROWS_SHOWN_EVERY = 1000;
// The Excel writer and the .xls/.ods readers are a second module, fetched the first time one of
// them is needed.
let templateModule = null;
async function templateEngine() {
  templateModule ??= import('./pkg/accrochage_template.js').then(async (m) => {
    await m.default();
    return m;
  }).catch((e) => {
    templateModule = null; // offline or interrupted: let the next click try again
    throw e;
  });
  return templateModule;
}

// A large output's final check is shared with a second worker (a WebAssembly instance of its
// own): while the engine checks one part of what it wrote, the partner checks the rest. Started
// for a large file and stopped after, it gives its memory back.
const PARTNER_INPUT_BYTES = 256 * 1024;

// Rejects after `ms` unless cleared: a partner that never answers must not hold the page.
function deadline(ms) {
  let timer;
  const expired = new Promise((_, reject) => { timer = setTimeout(() => reject(new Error('délai dépassé')), ms); });
  return { expired, clear: () => clearTimeout(timer) };
}

async function startPartner(input) {
  if (input.byteLength < PARTNER_INPUT_BYTES || typeof Worker !== 'function') return null;
  let partner = null;
  // Ready before the conversion starts: this thread stays in the engine until its end, and a
  // partner still loading then would start on its share only after.
  const late = deadline(10_000);
  try {
    partner = new Engine(new URL('./worker.js', import.meta.url));
    await Promise.race([partner.call('hello'), late.expired]);
    return partner;
  } catch {
    // No partner (a browser without workers in workers, a failed start): the engine checks alone.
    partner?.worker.terminate();
    return null;
  } finally {
    late.clear();
  }
}

// A large xlsx is read by the partner while this worker converts the rows it posts, batch by
// batch (read_rows there, StreamConversion here): reading and converting then take two cores,
// as they do natively. `null` when the partner says the file is not read this way (another
// format, a damaged file…): this worker then reads it whole, and says why if it cannot.
// `phases.read` and `phases.finished` (performance.now()) say, for benchmarks, when the last row
// was converted and when the files were written, checked and handed over.
async function convertStreamed(partner, input, name, options, share, onRows, phases) {
  const conversion = new engine.StreamConversion(name, options ?? undefined, share || undefined);
  let next = 'lignes';
  try {
    const copy = input.slice();
    await partner.call('read', { bytes: copy.buffer, name }, {
      transfer: [copy.buffer],
      onProgress: (m) => {
        if (!m.rows || next !== 'lignes') return;
        next = conversion.take(new Uint8Array(m.rows));
        onRows(conversion.rows());
      },
    });
    if (next !== 'fin') return null;
    phases.read = performance.now();
    const result = conversion.finish();
    phases.finished = performance.now();
    return result;
  } finally {
    conversion.free();
  }
}

async function convertSharing(reader, input, name, options, onRows, phases) {
  const partner = await startPartner(input);
  const verdicts = [];
  const share = partner && ((doc) => {
    verdicts.push(partner.call('check', { bytes: doc.buffer, xsd: options?.schemaXsd }, { transfer: [doc.buffer] }));
    return true;
  });
  const started = performance.now();
  try {
    let streamed = false;
    let result = null;
    if (partner && reader === engine) {
      result = await convertStreamed(partner, input, name, options, share, onRows, phases);
      streamed = result !== null;
    }
    result ??= reader.convert(input, name, options, share || undefined);
    // Packed while the partner may still be checking its share: the download's Blob copies
    // every byte written.
    let packed = await packFiles(result.files);
    // The partner's share is at most this worker's: it may take as long as the whole
    // conversion, and a minute more on a busy machine, before it counts as gone.
    const late = deadline(60_000 + (performance.now() - started));
    const passed = await Promise.race([Promise.all(verdicts), late.expired])
      .then((v) => v.every((ok) => ok === true), () => false);
    late.clear();
    if (passed) return { result, packed, sharedChecks: verdicts.length, streamed };
    // The partner found a fault (or failed): the conversion is made again here, checked whole,
    // and its report names the fault. The first result is let go first: memory may be short.
    console.warn('accrochage : vérification partagée en échec, conversion refaite sans partage');
    result = null;
    packed = null;
    result = reader.convert(input, name, options);
    return { result, packed: await packFiles(result.files), sharedChecks: 0, streamed: false };
  } finally {
    partner?.worker.terminate();
  }
}

const progress = (id, stage, extra = {}) => postMessage({ id, type: 'progress', stage, ...extra });

// Downloads are prepared here: building a 100 MB Blob or a zip would freeze the page.
async function packFiles(files) {
  // Each xml is already UTF-8 bytes (a Uint8Array), as the files will be saved.
  const meta = files.map(({ name, passages, idFlux, xml }) => ({ name, passages, idFlux, bytes: xml.byteLength }));
  if (files.length === 0) return { files: meta, download: null };
  if (files.length === 1) {
    const f = files[0];
    return { files: meta, download: { name: f.name, blob: new Blob([f.xml], { type: 'application/xml' }) } };
  }
  // Several files (an output split by its number of passages, rare): the zip writer is
  // fetched the first time, not with the page.
  const { zipStore } = await import('./zip.js');
  const entries = files.map((f) => ({ name: f.name, data: f.xml, crc32: f.crc32 }));
  const zipName = files[0].name.replace(/(_\d+)?\.xml$/, '') + '.zip';
  return { files: meta, download: { name: zipName, blob: zipStore(entries) } };
}

const handlers = {
  async hello() {
    return { version: engine.version() };
  },
  async schemaInfo({ xsd }) {
    return engine.schema_info(xsd ?? undefined);
  },
  async convert({ id, bytes, name, options }) {
    progress(id, 'conversion', { size: bytes.byteLength });
    const started = performance.now();
    const input = new Uint8Array(bytes);
    // .xls, .xlsb and .ods are read by the second module, fetched the first time one is dropped.
    const reader = engine.reads_format(input, name) ? engine : await templateEngine();
    // Rows converted so far, shown every thousand or so.
    let shown = 0;
    const onRows = (rows) => {
      if (rows - shown < ROWS_SHOWN_EVERY) return;
      shown = rows;
      progress(id, 'conversion', { size: bytes.byteLength, rows });
    };
    const phases = {};
    const { result, packed, sharedChecks, streamed } = await convertSharing(reader, input, name, options, onRows, phases);
    progress(id, 'preparation', { rows: result.summary.rowsRead });
    // 100 000 findings in one message cost the page a 300 ms freeze to decode: they go in
    // slices the page receives between frames.
    const all = result.diagnostics;
    for (let i = 0; i < all.length; i += DIAGNOSTICS_SLICE) {
      progress(id, 'preparation', { rows: result.summary.rowsRead, diagnostics: all.slice(i, i + DIAGNOSTICS_SLICE) });
    }
    return {
      summary: result.summary,
      files: packed.files,
      download: packed.download,
      millis: Math.round(performance.now() - started),
      // Read by the second worker: when its last rows were converted, and how long writing,
      // checking and handing over the files took after.
      readMillis: streamed ? Math.round(phases.read - started) : null,
      finishMillis: streamed ? Math.round(phases.finished - phases.read) : null,
      // The engine's peak memory (wasm memory never shrinks): shown to benchmarks, not to users.
      memoryBytes: reader.memory_bytes(),
      sharedChecks,
      streamed,
    };
  },
  // The page's warm-up (app.js): the sample workbook of the engine read, converted and
  // checked here alone, along the path a large xlsx takes between two workers
  // (convertStreamed), and thrown away. A browser compiles the engine's busiest code to fast
  // machine code only once it has run for a while: done now, that compiling no longer takes a
  // share of the two cores in the user's first conversion.
  async warmUp({ rows }) {
    const name = 'exemple.xlsx';
    const messages = [];
    engine.read_rows(engine.sample_workbook(rows), name, (m) => messages.push(m) > 0);
    const shared = [];
    const conversion = new engine.StreamConversion(name, undefined, (doc) => shared.push(doc) > 0);
    try {
      let next = 'lignes';
      for (const m of messages) if (next === 'lignes') next = conversion.take(m);
      if (next !== 'fin') throw new Error(`exemple non lu en flux (${next})`);
      const { summary } = conversion.finish();
      const checked = shared.every((doc) => engine.xml_is_valid(doc, undefined));
      return { passages: summary.passagesWritten, shared: shared.length, checked };
    } finally {
      conversion.free();
    }
  },
  // The partner's reading of a workbook for the engine (see convertStreamed): each message goes
  // as a progress message, its bytes transferred.
  async read({ id, bytes, name }) {
    engine.read_rows(new Uint8Array(bytes), name, (message) => {
      postMessage({ id, type: 'progress', rows: message.buffer }, [message.buffer]);
      return true;
    });
    return true;
  },
  // The partner's share of a conversion's final check (see convertSharing).
  async check({ bytes, xsd }) {
    return engine.xml_is_valid(new Uint8Array(bytes), xsd ?? undefined);
  },
  async validate({ id, bytes, xsd }) {
    progress(id, 'verification', { size: bytes.byteLength });
    return engine.validate_xml(new Uint8Array(bytes), xsd ?? undefined);
  },
  async template({ withExamples, xsd }) {
    const bytes = (await templateEngine()).template(!!withExamples, xsd ?? undefined);
    return new Blob([bytes], { type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' });
  },
  // The « Accusé de traitement » tab (www/accuse.js): the page keeps the files and sends them
  // again for the export, since this worker keeps nothing between calls.
  async accuseReconcile({ id, accuse, workbook, workbookName, xml, xsd }) {
    progress(id, 'rapprochement');
    return engine.accuse_reconcile(new Uint8Array(accuse), workbook ? new Uint8Array(workbook) : undefined,
      workbookName ?? undefined, xml ? new Uint8Array(xml) : undefined, xsd ?? undefined);
  },
  async accuseExportKo({ accuse, workbook, workbookName, xml, xsd }) {
    const bytes = (await templateEngine()).accuse_export_ko(new Uint8Array(accuse), new Uint8Array(workbook),
      workbookName, xml ? new Uint8Array(xml) : undefined, xsd ?? undefined);
    return new Blob([bytes], { type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' });
  },
  async reportCsv({ diagnostics }) {
    return new Blob([engine.report_csv(diagnostics)], { type: 'text/csv;charset=utf-8' });
  },
};

self.onmessage = async (event) => {
  const msg = event.data;
  try {
    progress(msg.id, 'chargement');
    await ready;
    const handler = handlers[msg.type];
    if (!handler) throw new Error(`demande inconnue : ${msg.type}`);
    const value = await handler(msg);
    postMessage({ id: msg.id, type: 'result', value });
  } catch (e) {
    const message = e && e.message ? e.message : String(e);
    postMessage({ id: msg.id, type: 'error', message });
  }
};
