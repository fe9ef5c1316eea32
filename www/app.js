// The page: tabs, the Paramètres form, the drop zones, and the rendering of results. All the
// work happens in the worker (engine.js → worker.js → the wasm module); this thread only
// renders, so the page stays responsive while a 100 000-row workbook is converted.

import { $, el, setText, show, showError, saveBlob, dropZone, formatInt, formatBytes } from './dom.js';
import { Engine, CancelledError } from './engine.js';
import { ParamsForm } from './params.js';
import { renderTable, severityColumn, cellOrder } from './table.js';
import { setupAccuse } from './accuse.js';

const XSD_KEY = 'accrochage.xsd';
const XSD_NAME_KEY = 'accrochage.xsd.nom';

const engine = new Engine();
const form = new ParamsForm();
const state = { xsd: null, xsdName: null, info: null, conversion: null, sourceName: null };

function storage() {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

// ─── Tabs (WAI-ARIA tabs pattern: arrows move between tabs, Tab enters the panel) ───
const tabs = [...document.querySelectorAll('[role="tab"]')];
function selectTab(tab, focus = true) {
  for (const t of tabs) {
    const selected = t === tab;
    t.setAttribute('aria-selected', String(selected));
    t.tabIndex = selected ? 0 : -1;
    $(t.getAttribute('aria-controls')).hidden = !selected;
  }
  if (focus) tab.focus();
}
for (const t of tabs) {
  t.addEventListener('click', () => selectTab(t));
  t.addEventListener('keydown', (e) => {
    const i = tabs.indexOf(t);
    const to = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: tabs.length - 1 }[e.key];
    if (to === undefined) return;
    e.preventDefault();
    selectTab(tabs[(to + tabs.length) % tabs.length]);
  });
}

// ─── Schema ───
function applySchema(info, xsd, name) {
  state.info = info;
  state.xsd = xsd;
  state.xsdName = name;
  const label = xsd
    ? `version ${info.version ?? 'non déclarée'} (fichier « ${name} » chargé par vous)`
    : `version ${info.version} (intégré)`;
  setText($('schema-current'), label);
  const banner = $('schema-banner');
  setText(banner, xsd ? `Schéma utilisé : ${label}. Pour revenir au schéma intégré, voir l'onglet « Schéma XSD ».` : '');
  show(banner, !!xsd);
  $('schema-reset').disabled = !xsd;
  form.applySchema(info);
}

async function loadSchema(xsd, name, { remember }) {
  const info = await engine.call('schemaInfo', { xsd });
  applySchema(info, xsd, name);
  const s = storage();
  if (s && remember) {
    try {
      if (xsd) {
        s.setItem(XSD_KEY, xsd);
        s.setItem(XSD_NAME_KEY, name);
      } else {
        s.removeItem(XSD_KEY);
        s.removeItem(XSD_NAME_KEY);
      }
    } catch {
      // Quota exceeded: the schema works for this visit, it just is not remembered.
    }
  }
  return info;
}

$('schema-file').addEventListener('change', async (e) => {
  const file = e.target.files?.[0];
  e.target.value = '';
  if (!file) return;
  showError($('schema-error'), '');
  setText($('schema-status'), `Lecture du schéma « ${file.name} »…`);
  try {
    const text = await file.text();
    const info = await loadSchema(text, file.name, { remember: true });
    const extra = info.params.filter((p) => !p.known).map((p) => p.key);
    setText($('schema-status'), `Schéma « ${file.name} » chargé : version ${info.version ?? 'non déclarée'}, espace de noms ${info.targetNamespace ?? 'aucun'}.` +
      (extra.length ? ` Paramètres propres à ce schéma ajoutés au formulaire : ${extra.join(', ')}.` : ''));
  } catch (err) {
    setText($('schema-status'), '');
    showError($('schema-error'), `« ${file.name} » n'a pas été retenu. ${err.message}`);
  }
});

$('schema-reset').addEventListener('click', async () => {
  showError($('schema-error'), '');
  await loadSchema(null, null, { remember: true });
  setText($('schema-status'), `Retour au schéma intégré (version ${state.info.version}).`);
});

// ─── Convert ───
const convertProgress = $('convert-progress');
const convertStatus = $('convert-status');
let busy = false;
// Bumped by « Annuler »: a task still reading its file when the user cancels stops there
// instead of starting in the fresh worker.
let run = 0;
function cancel() {
  run++;
  engine.cancel();
}
function checkNotCancelled(mine) {
  if (mine !== run) throw new CancelledError();
}

function setBusy(on) {
  busy = on;
  document.documentElement.dataset.busy = on ? '1' : '';
}

const STAGES = {
  chargement: () => 'Démarrage du moteur de conversion…',
  conversion: (m) => (m.rows
    ? `Lecture, contrôle et écriture du XML (${formatBytes(m.size)}) : ${formatInt(m.rows)} ligne(s) lue(s)…`
    : `Lecture, contrôle et écriture du XML (${formatBytes(m.size)})…`),
  preparation: (m) => `${formatInt(m.rows)} ligne(s) lue(s) ; préparation du téléchargement…`,
  verification: (m) => `Vérification du XML (${formatBytes(m.size)})…`,
};

async function convertFile(file) {
  if (busy) return;
  setBusy(true);
  state.conversion = null;
  state.sourceName = file.name;
  show($('convert-results'), false);
  showError($('convert-error'), '');
  setText($('convert-progress-text'), `Lecture de « ${file.name} »…`);
  show(convertProgress, true);
  setText(convertStatus, `Conversion de « ${file.name} » en cours…`);
  const mine = ++run;
  try {
    const bytes = await file.arrayBuffer();
    checkNotCancelled(mine);
    const options = { ...form.values(), schemaXsd: state.xsd };
    const diagnostics = [];
    const result = await engine.call('convert', { bytes, name: file.name, options }, {
      transfer: [bytes],
      onProgress: (m) => {
        if (m.diagnostics) diagnostics.push(...m.diagnostics);
        setText($('convert-progress-text'), STAGES[m.stage]?.(m) ?? '');
      },
    });
    result.diagnostics = diagnostics;
    state.conversion = result;
    renderConversion(result, file.name);
  } catch (err) {
    if (err instanceof CancelledError) {
      setText(convertStatus, 'Conversion annulée. Vous pouvez déposer un autre fichier.');
    } else {
      setText(convertStatus, '');
      showError($('convert-error'), `Impossible de convertir « ${file.name} ». ${err.message}`);
    }
  } finally {
    show(convertProgress, false);
    setBusy(false);
  }
}

function renderConversion(r, name) {
  const s = r.summary;
  // For scripts/bench-web.mjs: how long the engine took and its peak memory.
  Object.assign($('convert-results').dataset, { millis: r.millis, engineMemory: r.memoryBytes, sharedChecks: r.sharedChecks, streamed: r.streamed ? '1' : '',
    readMillis: r.readMillis ?? '', finishMillis: r.finishMillis ?? '' });
  const items = [
    ['Lignes lues', s.rowsRead, 'rows-read'],
    ['Passages exportés', s.passagesWritten, 'passages-written'],
    ['Lignes écartées', s.rowsExcluded, 'rows-excluded'],
    ['Erreurs', s.errors, 'errors'],
    ['Avertissements', s.warnings, 'warnings'],
    ['Fichiers XML', r.files.length, 'files'],
  ];
  $('convert-summary').replaceChildren(...items.map(([label, n, key]) =>
    el('div', { 'data-summary': key }, el('dt', {}, label), el('dd', {}, formatInt(n)))));

  const download = $('download-xml');
  download.disabled = !r.download;
  let note;
  if (!r.download) {
    note = 'Aucun XML n\'a été produit : corrigez les erreurs listées ci-dessous dans le classeur, puis déposez-le à nouveau.';
  } else if (r.files.length > 1) {
    note = `${r.files.length} fichiers XML (limite de passages par fichier), réunis dans « ${r.download.name} ».`;
  } else {
    note = `Fichier : « ${r.download.name} » (${formatInt(r.files[0].passages)} passage(s), idFlux ${r.files[0].idFlux}).`;
  }
  setText($('download-note'), note);
  $('download-report').disabled = r.diagnostics.length === 0;

  renderTable($('convert-table'), r.diagnostics, {
    idPrefix: 'convert',
    caption: r.diagnostics.length ? 'Problèmes trouvés, à corriger dans le classeur' : '',
    columns: [
      severityColumn,
      { key: 'cell', label: 'Cellule', sort: cellOrder, format: (d) => d.cell || d.sheet },
      { key: 'column', label: 'Colonne' },
      { key: 'value', label: 'Valeur', className: 'value' },
      { key: 'message', label: 'Message' },
      { key: 'fix', label: 'Correction' },
    ],
  });
  const verdict = r.download
    ? `Conversion de « ${name} » terminée : ${formatInt(s.passagesWritten)} passage(s) exporté(s), ${formatInt(s.rowsExcluded)} ligne(s) écartée(s), ${formatInt(s.warnings)} avertissement(s).`
    : `Conversion de « ${name} » terminée sans XML : ${formatInt(s.errors)} erreur(s) à corriger.`;
  setText(convertStatus, verdict);
  show($('convert-results'), true);
  $('convert-results-title').focus();
}

$('convert-cancel').addEventListener('click', cancel);
dropZone($('convert-drop'), $('convert-file'), convertFile);

$('download-xml').addEventListener('click', () => {
  const d = state.conversion?.download;
  if (d) saveBlob(d.blob, d.name);
});

$('download-report').addEventListener('click', async () => {
  const r = state.conversion;
  if (!r) return;
  try {
    const blob = await engine.call('reportCsv', { diagnostics: r.diagnostics });
    const base = (state.sourceName || 'classeur').replace(/\.[^.]+$/, '');
    saveBlob(blob, `rapport_${base}.csv`);
  } catch (err) {
    showError($('convert-error'), `Le rapport n'a pas pu être créé. ${err.message}`);
  }
});

$('template-btn').addEventListener('click', async () => {
  const withExamples = $('template-examples').checked;
  try {
    const blob = await engine.call('template', { withExamples, xsd: state.xsd });
    saveBlob(blob, withExamples ? 'modele_accrochage_exemples.xlsx' : 'modele_accrochage.xlsx');
    setText(convertStatus, 'Modèle Excel téléchargé : remplissez la feuille « Passages », puis déposez-le ci-dessous.');
  } catch (err) {
    showError($('convert-error'), `Le modèle Excel n'a pas pu être créé. ${err.message}`);
  }
});

// ─── Verify an XML ───
async function verifyFile(file) {
  if (busy) return;
  setBusy(true);
  showError($('verify-error'), '');
  $('verify-table').replaceChildren();
  const status = $('verify-status');
  status.className = 'status';
  setText(status, `Vérification de « ${file.name} » en cours…`);
  show($('verify-progress'), true);
  const mine = ++run;
  try {
    const bytes = await file.arrayBuffer();
    checkNotCancelled(mine);
    const r = await engine.call('validate', { bytes, xsd: state.xsd }, { transfer: [bytes] });
    const schema = `schéma ${r.schemaVersion ?? 'chargé'}`;
    if (r.valid) {
      status.className = 'status valid';
      setText(status, `« ${file.name} » est valide (${schema}) : ${formatInt(r.passages)} passage(s)` +
        (r.warningCount ? `, ${formatInt(r.warningCount)} avertissement(s).` : '.'));
    } else {
      status.className = 'status invalid';
      setText(status, `« ${file.name} » est INVALIDE (${schema}) : ${formatInt(r.errorCount)} erreur(s), ${formatInt(r.warningCount)} avertissement(s).` +
        (r.errorCount > r.diagnostics.filter((d) => d.severity === 'erreur').length ? ' Seules les premières erreurs sont listées.' : ''));
    }
    renderTable($('verify-table'), r.diagnostics, {
      idPrefix: 'verify',
      caption: r.diagnostics.length ? 'Problèmes trouvés dans le fichier XML' : '',
      columns: [
        severityColumn,
        { key: 'line', label: 'Ligne', sort: (d) => [d.line, d.column], format: (d) => `${d.line}:${d.column}` },
        { key: 'idTechnique', label: 'idTechnique' },
        { key: 'path', label: 'Élément', className: 'value' },
        { key: 'message', label: 'Message' },
      ],
    });
  } catch (err) {
    setText(status, err instanceof CancelledError ? 'Vérification annulée.' : '');
    if (!(err instanceof CancelledError)) showError($('verify-error'), `Impossible de vérifier « ${file.name} ». ${err.message}`);
  } finally {
    show($('verify-progress'), false);
    setBusy(false);
  }
}
$('verify-cancel').addEventListener('click', cancel);
dropZone($('verify-drop'), $('verify-file'), verifyFile);

// ─── Accusé de traitement (accuse.js) ───
setupAccuse({ engine, xsd: () => state.xsd });

// ─── Start ───
async function start() {
  const startup = $('startup');
  try {
    const { version } = await engine.call('hello');
    setText($('about-version'), version);
    const s = storage();
    const saved = s?.getItem(XSD_KEY);
    if (saved) {
      try {
        await loadSchema(saved, s.getItem(XSD_NAME_KEY) || 'schéma.xsd', { remember: false });
      } catch (err) {
        await loadSchema(null, null, { remember: true });
        showError($('schema-error'), `Le schéma mémorisé ne peut plus être utilisé ; retour au schéma intégré. ${err.message}`);
      }
    } else {
      await loadSchema(null, null, { remember: false });
    }
    show(startup, false);
    document.documentElement.dataset.ready = '1';
    warmUp();
  } catch (err) {
    startup.className = 'error';
    setText(startup, err.message);
  }
}
// Sample passages converted once the page is ready (see the worker's warmUp): nothing waits
// for it, and a file dropped meanwhile is converted right after, the worker taking one task at
// a time. `data-warm`, empty meanwhile, says when it is over ('1', or '0' if it failed).
const WARM_UP_ROWS = 3000;
function warmUp() {
  document.documentElement.dataset.warm = '';
  engine.call('warmUp', { rows: WARM_UP_ROWS }).then((r) => {
    if (r.passages !== WARM_UP_ROWS || !r.checked) console.warn('accrochage : échauffement incomplet', r);
    document.documentElement.dataset.warm = '1';
  }, (err) => {
    // A cancelled conversion stops it too; the engine works as well cold, only slower.
    if (!(err instanceof CancelledError)) console.warn('accrochage : échauffement impossible', err);
    document.documentElement.dataset.warm = '0';
  });
}
start();

if ('serviceWorker' in navigator) {
  navigator.serviceWorker.register('sw.js').catch(() => {
    // Offline use is a bonus: without it (private mode, file://) the page works online.
  });
}
