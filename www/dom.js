// Small DOM helpers. Every piece of text that may come from a file goes through textContent
// (never innerHTML): a value such as <img src=x onerror=…> is shown, never run.
//
//   el('td', { class: 'value' }, cellValue)  →  <td class="value">…text…</td>

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

export const $ = (id) => document.getElementById(id);

export function show(node, visible = true) {
  node.hidden = !visible;
}

export function setText(node, text) {
  node.textContent = text ?? '';
}

export function showError(node, message) {
  node.textContent = message ?? '';
  node.hidden = !message;
}

/** Saves a Blob under `name` through the browser's download, without any network request. */
export function saveBlob(blob, name) {
  const url = URL.createObjectURL(blob);
  const a = el('a', { href: url, download: name });
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  // The download has started by now; the URL only pins the Blob in memory.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

export const formatInt = (n) => new Intl.NumberFormat('fr-FR').format(n ?? 0);

export function formatBytes(n) {
  if (n < 1024) return `${n} o`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(0)} Ko`;
  return `${(n / 1024 / 1024).toFixed(1).replace('.', ',')} Mo`;
}

/** Files dropped on `zone` or picked in `input` go to `onFile` (the first one only). */
export function dropZone(zone, input, onFile) {
  input.addEventListener('change', () => {
    if (input.files && input.files[0]) onFile(input.files[0]);
    input.value = '';
  });
  zone.addEventListener('dragover', (e) => {
    e.preventDefault();
    zone.classList.add('over');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (e) => {
    e.preventDefault();
    zone.classList.remove('over');
    const f = e.dataTransfer?.files?.[0];
    if (f) onFile(f);
  });
}
