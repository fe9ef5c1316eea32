// The in-browser anchor of NOTES.md §8, measured in the same run as the page (imported by
// bench-web.mjs --anchor): what a page built on the usual JavaScript tools takes for the same
// rows, SheetJS reading the workbook and xmllint-wasm (libxml2) checking a compact XML of as
// many passages against the CDC's XSD. NOTES.md gives ≈ 15 s for 100 000 rows on the day the
// anchors were taken (SheetJS 10 s, xmllint-wasm 5.2 s); the target of 4 s is set against it.
// This machine's speed varies twofold from one day to the next: run side by side, the anchor
// says how fast the machine is that day, and the ratio of the two times says how far the page
// is from the target whatever the day.
//
// The anchor only reads and checks (it converts nothing, writes no XML): a lower bound of such
// a page. Its packages are pinned and installed once under target/bench/anchor, outside the
// project's dependencies; they never reach www/.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const PACKAGES = ['xlsx@0.18.5', 'xmllint-wasm@5.3.0'];
// NOTES.md §8, 100 000 rows: SheetJS reading + xmllint-wasm checking.
const ANCHOR_100K = 15;
const TARGET_100K = 4;

function run(cmd, args, cwd) {
  const r = spawnSync(cmd, args, { cwd, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} a échoué`);
}

/** Lays out the anchor's page under `out`/anchor/www and returns its folder. */
export function anchorPage(root, out, sizes) {
  const dir = join(out, 'anchor');
  const modules = join(dir, 'node_modules');
  if (!existsSync(join(modules, 'xmllint-wasm/xmllint.wasm')) || !existsSync(join(modules, 'xlsx/dist/xlsx.full.min.js'))) {
    mkdirSync(dir, { recursive: true });
    run('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--prefix', dir, ...PACKAGES], root);
  }
  for (const n of sizes) {
    const xml = join(out, `compact-${n}.xml`);
    if (!existsSync(xml)) {
      run('cargo', ['run', '--quiet', '--release', '--example', 'gen_corpus', '--', '--large', String(n), xml], root);
    }
  }
  const www = join(dir, 'www');
  rmSync(www, { recursive: true, force: true });
  mkdirSync(www, { recursive: true });
  symlinkSync(join(modules, 'xlsx/dist/xlsx.full.min.js'), join(www, 'xlsx.full.min.js'));
  symlinkSync(join(modules, 'xmllint-wasm'), join(www, 'xmllint-wasm'));
  symlinkSync(join(root, 'tests/reference/cdc-1.1.2.xsd'), join(www, 'cdc.xsd'));
  for (const n of sizes) {
    symlinkSync(join(out, `passages-${n}.xlsx`), join(www, `passages-${n}.xlsx`));
    symlinkSync(join(out, `compact-${n}.xml`), join(www, `compact-${n}.xml`));
  }
  writeFileSync(join(www, 'index.html'), `<!doctype html>
<meta charset="utf-8">
<title>Repère : SheetJS + xmllint-wasm</title>
<script src="xlsx.full.min.js"></script>
<script type="module">
import { validateXML } from './xmllint-wasm/index-browser.mjs';
// Times exclude fetching the files, as the page's exclude nothing but reading the dropped file.
window.runAnchor = async (n) => {
  const book = new Uint8Array(await (await fetch('passages-' + n + '.xlsx')).arrayBuffer());
  const t0 = performance.now();
  const wb = XLSX.read(book, { type: 'array', dense: true });
  const rows = XLSX.utils.sheet_to_json(wb.Sheets['Passages'], { header: 1 });
  const read = performance.now() - t0;
  const xml = await (await fetch('compact-' + n + '.xml')).text();
  const xsd = await (await fetch('cdc.xsd')).text();
  const t1 = performance.now();
  const result = await validateXML({
    xml: [{ fileName: 'flux.xml', contents: xml }],
    schema: [xsd],
    initialMemoryPages: 16384,
    maxMemoryPages: 65536,
  });
  const check = performance.now() - t1;
  return { read, check, rows: rows.length, valid: result.valid };
};
document.documentElement.dataset.ready = '1';
</script>
`);
  return www;
}

/** One run of the anchor for `n` rows in a fresh page: its two times in seconds. */
export async function anchorOnce(browser, url, n) {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(url);
    await page.waitForSelector('html[data-ready="1"]', { timeout: 60_000 });
    const r = await page.evaluate((n) => window.runAnchor(n), n);
    if (!r.valid) throw new Error(`repère : compact-${n}.xml refusé par xmllint-wasm`);
    return { read: r.read / 1000, check: r.check / 1000 };
  } finally {
    await context.close();
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const s2 = (x) => `${x.toFixed(2).replace('.', ',')} s`;

/** The runs side by side, then per size the medians and the page's time on the anchor's scale. */
export function anchorTable(list) {
  const lines = [
    '| lignes | essai | repère : SheetJS lit le classeur | repère : xmllint-wasm vérifie le XML compact | repère en tout | la page, dépôt → XML téléchargé | rapport page / repère |',
    '|---:|---:|---:|---:|---:|---:|---:|',
  ];
  const sizes = [...new Set(list.map((r) => r.n))];
  for (const n of sizes) {
    const mine = list.filter((r) => r.n === n);
    mine.forEach((r, i) => {
      const total = r.theirs.read + r.theirs.check;
      lines.push(`| ${n} | ${i + 1} | ${s2(r.theirs.read)} | ${s2(r.theirs.check)} | ${s2(total)} | ${r.ours === null ? 'échec' : s2(r.ours)} | ${r.ours === null ? '—' : (r.ours / total).toFixed(3).replace('.', ',')} |`);
    });
    const totals = mine.map((r) => r.theirs.read + r.theirs.check);
    const ours = mine.filter((r) => r.ours !== null).map((r) => r.ours);
    const ratios = mine.filter((r) => r.ours !== null).map((r) => r.ours / (r.theirs.read + r.theirs.check));
    if (ours.length) {
      lines.push(`| ${n} | médiane | ${s2(median(mine.map((r) => r.theirs.read)))} | ${s2(median(mine.map((r) => r.theirs.check)))} | ${s2(median(totals))} | ${s2(median(ours))} | ${median(ratios).toFixed(3).replace('.', ',')} |`);
    }
  }
  lines.push('', `Repère du jour où il a été relevé (NOTES.md §8) : ≈ ${ANCHOR_100K} s pour 100 000 lignes ; l'objectif de ${TARGET_100K} s en est le rapport ${(TARGET_100K / ANCHOR_100K).toFixed(3).replace('.', ',')}.`);
  return lines.join('\n');
}
