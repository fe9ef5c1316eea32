#!/usr/bin/env node
// The page's two phases done one after the other by one Chromium worker, with nothing beside
// it: reading the xlsx into the batches the second worker posts (`read_rows`), converting them
// (`StreamConversion.take`), then writing and checking the files (`finish`, every document
// offered to a partner taken without being checked). Beside `bench-web.mjs`, it tells whether
// the page's phases overlap well: in the page the reading and the converting run side by side.
//
//   node scripts/bench-worker.mjs [N]        N rows (default 100 000), 3 runs
//
// Needs www/pkg (scripts/build-wasm.sh) and Chromium at /usr/bin/chromium; the workbook comes
// from `cargo run --release --example gen_workbook N FILE`, as for bench-web.mjs.

import { chromium } from 'playwright-core';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from './serve.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'target/bench');
const rows = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 100_000);
const file = join(OUT, `passages-${rows}.xlsx`);
mkdirSync(OUT, { recursive: true });
if (!existsSync(file)) {
  const made = spawnSync('cargo', ['run', '--quiet', '--release', '--example', 'gen_workbook', String(rows), file],
    { cwd: ROOT, stdio: 'inherit' });
  if (made.status !== 0) process.exit(1);
}

// A page of its own: the engine of www/pkg, the workbook, and a worker that times the phases.
const site = join(OUT, 'worker-page');
rmSync(site, { recursive: true, force: true });
mkdirSync(site, { recursive: true });
cpSync(join(ROOT, 'www/pkg'), join(site, 'pkg'), { recursive: true });
cpSync(file, join(site, 'passages.xlsx'));
writeFileSync(join(site, 'index.html'), `<!doctype html><meta charset="utf-8"><title>bench</title>
<script type="module">
const worker = new Worker('./worker.js', { type: 'module' });
worker.onmessage = (e) => { window.__result = e.data; };
</script>`);
writeFileSync(join(site, 'worker.js'), `import init, * as engine from './pkg/accrochage.js';
await init();
const bytes = new Uint8Array(await (await fetch('./passages.xlsx')).arrayBuffer());
const batches = [];
let t = performance.now();
engine.read_rows(bytes, 'passages.xlsx', (m) => { batches.push(m); return true; });
const read = performance.now() - t;
const options = { params: { idClientEmetteur: 'ABCD1234', idClientCertificateur: 'ABCD1234', idContrat: 'MCF-1', idFlux: 'bench' } };
const conversion = new engine.StreamConversion('passages.xlsx', options, () => true);
t = performance.now();
let next = '';
for (const m of batches) next = conversion.take(m);
const take = performance.now() - t;
t = performance.now();
const result = conversion.finish();
const finish = performance.now() - t;
postMessage({ read, take, finish, next, passages: result.summary.passagesWritten });
`);

const server = await serve(site);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-dev-shm-usage'],
});
const secs = (ms) => `${(ms / 1000).toFixed(2)} s`;
const lines = [];
try {
  for (let run = 0; run < 3; run++) {
    const page = await browser.newPage();
    await page.goto(server.url);
    await page.waitForFunction(() => window.__result, null, { timeout: 600_000, polling: 200 });
    const r = await page.evaluate(() => window.__result);
    if (r.next !== 'fin') throw new Error(`lecture en flux refusée (${r.next})`);
    lines.push(`| ${run + 1} | ${secs(r.read)} | ${secs(r.take)} | ${secs(r.finish)} | ${r.passages} |`);
    await page.close();
  }
} finally {
  await browser.close();
  await server.close();
}
console.log(`| essai (${rows} lignes, un worker seul) | lecture (read_rows) | conversion (take) | fichiers écrits et vérifiés (finish) | passages |`);
console.log('|---:|---:|---:|---:|---:|');
for (const l of lines) console.log(l);
