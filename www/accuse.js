// The « Accusé de traitement » tab: the accusé the CDC sent back, reconciled with the workbook
// and/or the XML that was deposited, in the worker (worker.js: accuseReconcile, accuseExportKo).
// The files stay in this page's memory only, so that the export can send them again to the
// worker, which keeps nothing; « Effacer les fichiers » drops them.
//
//   import { setupAccuse } from './accuse.js';
//   setupAccuse({ engine, xsd: () => state.xsd });   // engine: the page's Engine (engine.js)

import { $, el, setText, show, showError, saveBlob, dropZone, formatInt } from './dom.js';
import { CancelledError } from './engine.js';

const PAGE = 200;
// Statuses in the order the filter offers them: what needs action first.
const ORDER = ['ko', 'fichier-rejete', 'absent', 'non-envoye', 'inconnu', 'ok'];
const UNKNOWN_LABEL = 'inconnu (absent de ce qui a été envoyé)';

export function setupAccuse({ engine, xsd }) {
  const files = { accuse: null, book: null, xml: null };
  const view = { result: null, rows: [], shown: PAGE };
  // Bumped by every new request, so that a slower earlier answer never overwrites a newer one.
  let generation = 0;

  const zones = [
    ['accuse', 'accuse-drop', 'accuse-file', 'accuse-file-name'],
    ['book', 'accuse-book-drop', 'accuse-book-file', 'accuse-book-name'],
    ['xml', 'accuse-xml-drop', 'accuse-xml-file', 'accuse-xml-name'],
  ];
  const defaultNames = Object.fromEntries(zones.map(([k, , , n]) => [k, $(n).textContent]));
  for (const [key, zone, input, nameId] of zones) {
    dropZone($(zone), $(input), async (file) => {
      // Busy from the drop on: reading a large file takes a moment before the worker starts.
      setBusy(true);
      try {
        files[key] = { name: file.name, bytes: await file.arrayBuffer() };
      } catch (err) {
        setBusy(false);
        showError($('accuse-error'), `« ${file.name} » n'a pas pu être lu (${err.message}). Choisissez-le à nouveau.`);
        return;
      }
      setText($(nameId), `Fichier choisi : « ${file.name} ».`);
      reconcile();
    });
  }

  $('accuse-clear').addEventListener('click', () => {
    // A reconciliation still running is left to finish in the worker; its answer is dropped.
    generation++;
    setBusy(false);
    for (const [key, , , nameId] of zones) {
      files[key] = null;
      setText($(nameId), defaultNames[key]);
    }
    view.result = null;
    show($('accuse-results'), false);
    showError($('accuse-error'), '');
    setText($('accuse-status'), 'Fichiers retirés de la page.');
  });

  $('accuse-cancel').addEventListener('click', () => engine.cancel());

  function setBusy(on) {
    document.documentElement.dataset.busy = on ? '1' : '';
    show($('accuse-progress'), on);
  }

  async function reconcile() {
    showError($('accuse-error'), '');
    if (!files.accuse) {
      setBusy(false);
      setText($('accuse-status'), 'Déposez maintenant l\'accusé de traitement (1) pour lancer le rapprochement.');
      return;
    }
    const mine = ++generation;
    setBusy(true);
    setText($('accuse-status'), `Rapprochement de l'accusé « ${files.accuse.name} » en cours…`);
    try {
      const result = await engine.call('accuseReconcile', payload());
      if (mine !== generation) return;
      view.result = result;
      render(result);
    } catch (err) {
      if (mine !== generation) return;
      show($('accuse-results'), false);
      if (err instanceof CancelledError) {
        setText($('accuse-status'), 'Rapprochement annulé. Déposez un fichier pour recommencer.');
      } else {
        setText($('accuse-status'), '');
        showError($('accuse-error'), `Impossible de rapprocher l'accusé « ${files.accuse.name} »${files.book ? ` du classeur « ${files.book.name} »` : ''}. ${err.message}`);
      }
    } finally {
      if (mine === generation) setBusy(false);
    }
  }

  // Copies, not transfers: the page keeps the files for the export.
  function payload() {
    return {
      accuse: files.accuse.bytes,
      workbook: files.book?.bytes ?? null,
      workbookName: files.book?.name ?? null,
      xml: files.xml?.bytes ?? null,
      xsd: xsd(),
    };
  }

  function render(r) {
    const s = r.summary;
    const items = [
      ['Acceptés', s.ok, 'ok'],
      ['Refusés', s.ko, 'ko'],
      ['Absents de l\'accusé', s.absent, 'absent'],
      ['Non envoyés', s.notSent, 'not-sent'],
      ['Inconnus', s.unknown, 'unknown'],
      ['À corriger et renvoyer', s.toResend, 'to-resend'],
    ];
    $('accuse-summary').replaceChildren(...items.map(([label, n, key]) =>
      el('div', { 'data-summary': key }, el('dt', {}, label), el('dd', {}, formatInt(n)))));
    $('accuse-reasons').replaceChildren(...s.byReason.map((b) =>
      el('li', { 'data-reason': b.reason }, `${formatInt(b.count)} refusé(s) : ${b.label}`)));

    const rejection = r.rejection ?? [];
    show($('accuse-rejection'), s.rejected);
    $('accuse-rejection-list').replaceChildren(...rejection.map((spot) => el('li', {},
      el('p', {}, spot.message),
      spot.erreur?.message ? el('p', { class: 'hint' }, `Message de la CDC : ${spot.erreur.message}`) : null,
      spot.diagnostics?.length
        ? el('ul', {}, spot.diagnostics.map((d) => el('li', {}, `Notre vérification${d.line ? ` (ligne ${d.line})` : ''} : ${d.message}`)))
        : null,
    )));
    $('accuse-notes').replaceChildren(...(r.notes ?? []).map((n) => el('li', { class: 'notice' }, n.message)));

    view.rows = rows(r);
    const counts = {};
    for (const row of view.rows) counts[row.status] = (counts[row.status] ?? 0) + 1;
    const filter = $('accuse-filter');
    const previous = filter.value;
    filter.replaceChildren(el('option', { value: '' }, `Tous les statuts (${formatInt(view.rows.length)})`),
      ...ORDER.filter((st) => counts[st]).map((st) =>
        el('option', { value: st }, `${label(r, st)} (${formatInt(counts[st])})`)));
    filter.value = counts[previous] ? previous : '';
    view.shown = PAGE;
    drawTable();

    const button = $('accuse-download-ko');
    button.disabled = !(files.book && s.toResend > 0);
    let note;
    if (s.toResend === 0) note = 'Aucune ligne n\'est à corriger et renvoyer.';
    else if (!files.book) note = 'Pour télécharger les lignes à corriger, déposez aussi le classeur converti (2).';
    else note = `${formatInt(s.toResend)} ligne(s) à corriger : le classeur téléchargé les reprend avec le message de la CDC et l'explication ; corrigez-les, puis convertissez-le (un nouvel idFlux sera créé). Ne renvoyez jamais les passages acceptés.`;
    setText($('accuse-download-note'), note);

    const a = r.accuse;
    const verdict = s.rejected
      ? `Le fichier${a.nomFichier ? ` « ${a.nomFichier} »` : ''} a été rejeté en entier par la Caisse des Dépôts : aucun passage n'a été traité. Voir ci-dessous l'endroit et la correction.`
      : `Accusé « ${files.accuse.name} » (idFlux ${a.idFlux ?? 'non indiqué'}) : ${formatInt(s.ok)} accepté(s), ${formatInt(s.ko)} refusé(s), ${formatInt(s.absent)} absent(s), ${formatInt(s.notSent)} non envoyé(s), ${formatInt(s.unknown)} inconnu(s).`;
    setText($('accuse-status'), verdict);
    show($('accuse-results'), true);
  }

  function label(r, status) {
    return status === 'inconnu' ? UNKNOWN_LABEL : (r.statusLabels[status] ?? status);
  }

  // One table row per workbook row (or XML passage), then the accusé's idTechniques found
  // nowhere in what was sent.
  function rows(r) {
    const out = r.entries.map((e, i) => ({
      status: e.status,
      where: e.cell ?? (e.line ? `XML, ligne ${e.line}` : '—'),
      id: e.idTechnique,
      name: r.names[i] ?? '',
      label: label(r, e.status),
      cdc: e.cdcMessage ?? '',
      explanation: e.explanation?.explanation ?? '',
      fix: e.explanation?.fix ?? e.message,
    }));
    for (const u of r.unknown) {
      out.push({
        status: 'inconnu',
        where: '—',
        id: u.idTechnique,
        name: '',
        label: `${UNKNOWN_LABEL}, ${r.statusLabels[u.status] ?? u.status} par la CDC`,
        cdc: u.cdcMessage ?? '',
        explanation: '',
        fix: u.message,
      });
    }
    return out;
  }

  function drawTable() {
    const wanted = $('accuse-filter').value;
    const list = wanted ? view.rows.filter((row) => row.status === wanted) : view.rows;
    const page = list.slice(0, view.shown);
    $('accuse-table').tBodies[0].replaceChildren(...page.map((row) =>
      el('tr', { class: `accuse-${row.status}`, 'data-status': row.status },
        [row.where, row.id, row.name, row.label, row.cdc, row.explanation, row.fix].map((v) => el('td', {}, v)))));
    setText($('accuse-count'), list.length > page.length
      ? `${formatInt(page.length)} lignes affichées sur ${formatInt(list.length)}.`
      : `${formatInt(list.length)} ligne(s) affichée(s).`);
    show($('accuse-more'), list.length > page.length);
  }

  $('accuse-filter').addEventListener('change', () => {
    view.shown = PAGE;
    drawTable();
  });
  $('accuse-more').addEventListener('click', () => {
    view.shown += PAGE;
    drawTable();
  });

  $('accuse-download-ko').addEventListener('click', async () => {
    if (!files.accuse || !files.book) return;
    showError($('accuse-error'), '');
    const button = $('accuse-download-ko');
    button.disabled = true;
    setText($('accuse-status'), 'Préparation du classeur des lignes à corriger…');
    try {
      const blob = await engine.call('accuseExportKo', payload());
      const base = files.book.name.replace(/\.[^.]+$/, '');
      saveBlob(blob, `a_corriger_${base}.xlsx`);
      setText($('accuse-status'), `Classeur « a_corriger_${base}.xlsx » téléchargé : corrigez les lignes, puis déposez-le dans l'onglet « Convertir un classeur ».`);
    } catch (err) {
      setText($('accuse-status'), '');
      showError($('accuse-error'), `Le classeur des lignes à corriger n'a pas pu être créé. ${err.message}`);
    } finally {
      button.disabled = false;
    }
  });
}
