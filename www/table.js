// The diagnostics table: filterable by severity, sortable by any column, shown by pages so that
// 100 000 findings do not freeze the page.
//
//   renderTable(container, rows, {
//     columns: [{ key: 'cell', label: 'Cellule', sort: cellOrder }, …],
//     caption: 'Problèmes trouvés',
//   });

import { el, formatInt } from './dom.js';

const PAGE = 200;
const SEVERITIES = [
  ['erreur', 'Erreurs'],
  ['avertissement', 'Avertissements'],
  ['info', 'Informations'],
];
const SEVERITY_RANK = { erreur: 0, avertissement: 1, info: 2 };
const SEVERITY_LABEL = { erreur: 'Erreur', avertissement: 'Avertissement', info: 'Info' };

export const bySeverity = (r) => SEVERITY_RANK[r.severity] ?? 3;

// "Passages!AB12" sorts by row, then by column letters (AB after Z).
export function cellOrder(r) {
  const m = /!([A-Z]+)(\d+)$/.exec(r.cell || '');
  if (!m) return [r.row ?? 0, 0];
  let col = 0;
  for (const ch of m[1]) col = col * 26 + (ch.charCodeAt(0) - 64);
  return [Number(m[2]), col];
}

function compare(a, b) {
  if (Array.isArray(a)) {
    for (let i = 0; i < a.length; i++) {
      const c = compare(a[i], b[i]);
      if (c) return c;
    }
    return 0;
  }
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a ?? '').localeCompare(String(b ?? ''), 'fr', { numeric: true });
}

export function renderTable(container, rows, { columns, caption, idPrefix }) {
  const state = { sortKey: null, ascending: true, shown: PAGE, hidden: new Set() };
  container.replaceChildren();
  if (rows.length === 0) return;

  const counts = Object.fromEntries(SEVERITIES.map(([s]) => [s, rows.filter((r) => r.severity === s).length]));
  const filters = el('fieldset', { class: 'filters' }, el('legend', {}, 'Afficher :'));
  for (const [sev, label] of SEVERITIES) {
    if (!counts[sev]) continue;
    const id = `${idPrefix}-filter-${sev}`;
    const box = el('input', { type: 'checkbox', id, checked: true, 'data-severity': sev });
    box.addEventListener('change', () => {
      if (box.checked) state.hidden.delete(sev);
      else state.hidden.add(sev);
      state.shown = PAGE;
      draw();
    });
    filters.append(el('span', { class: 'field check' }, box, el('label', { for: id }, `${label} (${formatInt(counts[sev])})`)));
  }

  const headRow = el('tr');
  const headButtons = new Map();
  for (const col of columns) {
    const th = el('th', { scope: 'col', 'aria-sort': 'none' });
    const b = el('button', { type: 'button', title: `Trier par ${col.label.toLowerCase()}` }, col.label);
    b.addEventListener('click', () => {
      state.ascending = state.sortKey === col.key ? !state.ascending : true;
      state.sortKey = col.key;
      draw();
    });
    th.append(b);
    headButtons.set(col.key, th);
    headRow.append(th);
  }
  const tbody = el('tbody');
  const count = el('p', { class: 'hint', 'aria-live': 'polite' });
  const more = el('button', { type: 'button', class: 'secondary' }, 'Afficher plus');
  more.addEventListener('click', () => {
    state.shown += PAGE;
    draw();
  });
  const table = el('table', { id: `${idPrefix}-table` }, el('caption', {}, caption), el('thead', {}, headRow), tbody);
  container.append(filters, count, el('div', { class: 'table-wrap' }, table), more);

  function draw() {
    let list = rows.filter((r) => !state.hidden.has(r.severity));
    if (state.sortKey) {
      const col = columns.find((c) => c.key === state.sortKey);
      const key = col.sort ?? ((r) => r[col.key]);
      list = list.map((r, i) => [key(r), i, r]);
      list.sort((a, b) => compare(a[0], b[0]) * (state.ascending ? 1 : -1) || a[1] - b[1]);
      list = list.map((x) => x[2]);
    }
    for (const [k, th] of headButtons) {
      th.setAttribute('aria-sort', k === state.sortKey ? (state.ascending ? 'ascending' : 'descending') : 'none');
    }
    const page = list.slice(0, state.shown);
    tbody.replaceChildren(
      ...page.map((r) =>
        el('tr', { class: `sev-${r.severity}` },
          columns.map((c) => el('td', { class: c.className }, c.format ? c.format(r) : (r[c.key] ?? '')))),
      ),
    );
    count.textContent = list.length > page.length
      ? `${formatInt(page.length)} lignes affichées sur ${formatInt(list.length)}.`
      : `${formatInt(list.length)} ligne(s) affichée(s).`;
    more.hidden = list.length <= page.length;
  }
  draw();
}

export const severityColumn = { key: 'severity', label: 'Gravité', sort: bySeverity, format: (r) => SEVERITY_LABEL[r.severity] ?? r.severity };
