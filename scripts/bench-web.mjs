#!/usr/bin/env node
// Times the page end to end in headless Chromium: from the file given to the drop zone to the
// XML saved by the browser, for 10 000 and 100 000 rows, and how responsive the page stays
// meanwhile (longest main-thread task, longest gap between animation frames), for an xlsx read
// by the second worker when its last rows were converted and how long the files took after
// (written, checked, handed over), the engine's own
// time and peak memory (its wasm memory, which never shrinks), and the peak memory of all
// the browser's processes, sampled every 100 ms in a second run of each size (the sampling
// slows the page down). Prints a Markdown table. Anchor (NOTES.md §8): SheetJS + xmllint-wasm ≈ 15 s for 100 000 rows;
// target < 4 s.
//
//   node scripts/bench-web.mjs                 workbooks from `cargo run --release --example gen_workbook N FILE`
//   node scripts/bench-web.mjs --csv           CSV of the same rows instead (any workbook reader)
//   node scripts/bench-web.mjs 10000 50000     other sizes
//   node scripts/bench-web.mjs --www=DIR       another copy of www/ (another engine build), to
//                                              compare two builds run after run
//   node scripts/bench-web.mjs --cpu 100000    also the CPU time of Chromium's threads from the
//                                              drop to the end of the conversion, by kind
//                                              (the two workers, the page process's thread pool
//                                              where V8 compiles hot WebAssembly, …)
//   node scripts/bench-web.mjs --anchor 100000 the anchor of NOTES.md §8 in the same run, in
//                                              the same browser, in turn with the page
//                                              (--runs=K times each, default 3): see anchor.mjs
// Needs www/pkg (scripts/build-wasm.sh) and Chromium at /usr/bin/chromium.

import { chromium } from 'playwright-core';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from './serve.mjs';
import { anchorPage, anchorOnce, anchorTable } from './anchor.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'target/bench');
const args = process.argv.slice(2);
const csv = args.includes('--csv');
// --www=DIR serves another copy of the page (another build of the engine) for a side-by-side run.
const www = args.find((a) => a.startsWith('--www='))?.slice('--www='.length) ?? join(ROOT, 'www');
const sizes = args.filter((a) => /^\d+$/.test(a)).map(Number);
const anchor = args.includes('--anchor');
const runs = Number(args.find((a) => a.startsWith('--runs='))?.slice('--runs='.length) ?? 3);
const cpu = args.includes('--cpu');
if (sizes.length === 0) sizes.push(10_000, 100_000);
mkdirSync(OUT, { recursive: true });

function workbook(n) {
  if (csv) {
    const file = join(OUT, `passages-${n}.csv`);
    if (!existsSync(file)) {
      const [header, line] = readFileSync(join(ROOT, 'tests/e2e/fixtures/passages-valides.csv'), 'utf8').split('\n');
      const rows = Array.from({ length: n }, (_, i) => line.replace('2026-A-001', `B-${i + 1}`));
      writeFileSync(file, [header, ...rows].join('\n') + '\n');
    }
    return file;
  }
  const file = join(OUT, `passages-${n}.xlsx`);
  if (!existsSync(file)) {
    const r = spawnSync('cargo', ['run', '--quiet', '--release', '--example', 'gen_workbook', '--', String(n), file], { cwd: ROOT, stdio: 'inherit' });
    if (r.status !== 0) throw new Error(`gen_workbook ${n} a échoué`);
  }
  return file;
}

// Memory of every Chromium process, in bytes: the sum of their proportional set sizes (Linux
// /proc), so that pages shared between processes are counted once.
function browserRss() {
  let total = 0;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('chrom')) continue;
      const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
      if (m) total += Number(m[1]) * 1024;
    } catch {
      // the process ended between the listing and the read
    }
  }
  return total;
}
const mo = (bytes) => `${Math.round(bytes / 1e6)} Mo`;

// CPU time (clock ticks) of every thread of every Chromium process, by process kind and thread
// name (`renderer:DedicatedWorker`, `renderer:ThreadPoolForeg`…), from Linux /proc.
function cpuTicks() {
  const ticks = new Map();
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!cmd.includes('chrom')) continue;
      const kind = /--type=([a-z-]+)/.exec(cmd)?.[1] ?? 'browser';
      for (const tid of readdirSync(`/proc/${pid}/task`)) {
        const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
        const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        ticks.set(`${pid}/${tid}`, { group: `${kind}:${name}`, t: Number(f[11]) + Number(f[12]) });
      }
    } catch {
      // the process or thread ended between the listing and the read
    }
  }
  return ticks;
}

// Seconds of CPU per group between two cpuTicks() (Linux counts 100 ticks a second).
function cpuSpent(before, after) {
  const spent = new Map();
  for (const [k, { group, t }] of after) {
    const d = t - (before.get(k)?.t ?? 0);
    if (d > 0) spent.set(group, (spent.get(group) ?? 0) + d / 100);
  }
  return [...spent].sort((a, b) => b[1] - a[1]);
}

const server = await serve(resolve(www));
const anchorServer = anchor ? await serve(anchorPage(ROOT, OUT, sizes)) : null;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
});
// One conversion of `file` in a fresh page: what it measured, or why it failed. With
// `sampleMemory`, the memory of every Chromium process is read every 100 ms meanwhile; reading
// each one's smaps_rollup costs so much on a 2-core machine that the page ran ≈ 30 % slower
// (engine 8.7 / 9.1 s unsampled, 11.8 / 12.8 s sampled, same build, in turn): times come from a
// run without it, the browser's peak memory from a second run.
async function convertOnce(n, file, sampleMemory) {
  const context = await browser.newContext({ acceptDownloads: true });
  try {
    const page = await context.newPage();
    await page.goto(server.url);
    await page.waitForSelector('html[data-ready="1"]', { timeout: 60_000 });
    // The page converts its sample passages once it is ready (app.js, warmUp), while a user
    // fills in the form and picks a file: the file comes after, as it would. (`data-warm` is
    // empty meanwhile; a build without the warm-up has none.)
    const ready = Date.now();
    await page.waitForFunction(() => document.documentElement.dataset.warm !== '', null, { timeout: 60_000, polling: 10 });
    const warmUp = Date.now() - ready;
    for (const [k, v] of Object.entries({ idClientEmetteur: 'ABCD1234', idClientCertificateur: 'ABCD1234', idContrat: 'MCF-1' })) {
      await page.fill(`[name="${k}"]`, v);
    }
    await page.evaluate(() => {
      // Responsiveness probes: long tasks (> 50 ms) and the largest gap between frames.
      window.__bench = { longest: 0, gap: 0, last: performance.now() };
      new PerformanceObserver((l) => {
        for (const e of l.getEntries()) window.__bench.longest = Math.max(window.__bench.longest, e.duration);
      }).observe({ type: 'longtask', buffered: false });
      const frame = (t) => {
        window.__bench.gap = Math.max(window.__bench.gap, t - window.__bench.last);
        window.__bench.last = t;
        requestAnimationFrame(frame);
      };
      requestAnimationFrame(frame);
    });
    let peakRss = sampleMemory ? browserRss() : 0;
    const sampler = sampleMemory && setInterval(() => { peakRss = Math.max(peakRss, browserRss()); }, 100);
    try {
      const ticks = cpu && !sampleMemory ? cpuTicks() : null;
      const t0 = Date.now();
      await page.setInputFiles('#convert-file', file);
      await page.waitForFunction(() => document.documentElement.dataset.busy !== '1', null, { timeout: 600_000, polling: 50 });
      const spent = ticks && cpuSpent(ticks, cpuTicks());
      if (!(await page.isEnabled('#download-xml'))) {
        const why = (await page.textContent('#convert-error')) || (await page.textContent('#convert-status'));
        return { failed: why.trim().slice(0, 120), peakRss };
      }
      const [dl] = await Promise.all([page.waitForEvent('download'), page.click('#download-xml')]);
      // Until the browser has written the file; the copy kept for inspection comes after.
      await dl.path();
      const seconds = ((Date.now() - t0) / 1000).toFixed(2);
      await dl.saveAs(join(OUT, `web-${n}.xml`));
      const probe = await page.evaluate(() => window.__bench);
      const passages = await page.textContent('[data-summary="passages-written"] dd');
      const engine = await page.evaluate(() => ({ ...document.getElementById('convert-results').dataset }));
      return { seconds, probe, passages, engine, peakRss, spent, warmUp };
    } finally {
      if (sampler) clearInterval(sampler);
    }
  } finally {
    await context.close();
  }
}

const rows = [];
const cpuRows = [];
// How long each page took, once ready, to convert its sample passages (its warm-up).
const warmUps = [];
const anchored = [];
try {
  for (const n of anchor ? sizes : []) {
    const file = workbook(n);
    for (let i = 0; i < runs; i++) {
      const theirs = await anchorOnce(browser, anchorServer.url, n);
      const ours = await convertOnce(n, file, false);
      anchored.push({ n, theirs, ours: ours.failed ? null : Number(ours.seconds) });
    }
  }
  for (const n of sizes) {
    const file = workbook(n);
    const size = `${(statSync(file).size / 1e6).toFixed(1)} Mo`;
    const timed = await convertOnce(n, file, false);
    const { peakRss } = await convertOnce(n, file, true);
    if (timed.failed) {
      rows.push([n, size, '0', `échec : ${timed.failed}`, '', '', '', '', mo(peakRss), '', '']);
      continue;
    }
    const { seconds, probe, passages, engine, spent, warmUp } = timed;
    if (spent) cpuRows.push([n, spent]);
    warmUps.push(warmUp);
    const secs = (ms) => (ms === '' || ms === undefined ? '—' : `${(Number(ms) / 1000).toFixed(2)} s`);
    rows.push([n, size, passages, `${seconds} s`, `${(engine.millis / 1000).toFixed(2)} s`,
      secs(engine.readMillis), secs(engine.finishMillis),
      mo(Number(engine.engineMemory)), mo(peakRss), `${Math.round(probe.longest)} ms`, `${Math.round(probe.gap)} ms`]);
  }
} finally {
  await browser.close();
  await server.close();
  await anchorServer?.close();
}

console.log(`| lignes | fichier (${csv ? 'csv' : 'xlsx'}) | passages | dépôt → XML téléchargé | dont moteur | dont lignes lues et converties | puis fichiers écrits et vérifiés | mémoire du moteur | mémoire max du navigateur | tâche max (fil principal) | écart max entre images |`);
console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const r of rows) console.log(`| ${r.join(' | ')} |`);
console.log('\nRepère (NOTES.md §8) : SheetJS + xmllint-wasm ≈ 15 s pour 100 000 lignes ; objectif < 4 s.');
if (warmUps.length) console.log(`\nÉchauffement de la page (passages d'exemple, après « prête ») : ${warmUps.map((ms) => `${(ms / 1000).toFixed(2)} s`).join(', ')}.`);
for (const [n, spent] of cpuRows) {
  const total = spent.reduce((s, [, t]) => s + t, 0);
  console.log(`\nCPU de Chromium du dépôt à la fin de la conversion, ${n} lignes : ${total.toFixed(2)} s, dont ` +
    spent.filter(([, t]) => t >= 0.05).map(([g, t]) => `${g} ${t.toFixed(2)} s`).join(', '));
}
if (anchor) console.log('\n' + anchorTable(anchored));
