#!/usr/bin/env node
// Times the page's engine alone under node: `convert` of www/pkg on an N-row workbook, with a
// stand-in for the second worker that takes every document handed to it without checking it.
// No browser, no workers, no download: when the page is slower after a change and this is
// not, the cause is between the workers or in the page. Several builds are run in turn, each
// run in a fresh process.
//
//   node scripts/bench-node.mjs 222000                          this tree's www/, 3 runs
//   node scripts/bench-node.mjs --www=COPY --www=www 222000     two builds, in turn
//
// Needs www/pkg (scripts/build-wasm.sh) in each copy; the workbook comes from
// `cargo run --release --example gen_workbook N FILE`, as for bench-web.mjs.

import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'target/bench');
const args = process.argv.slice(2);
const dirs = args.filter((a) => a.startsWith('--www=')).map((a) => resolve(a.slice('--www='.length)));
if (dirs.length === 0) dirs.push(join(ROOT, 'www'));
const rows = Number(args.find((a) => /^\d+$/.test(a)) ?? 100_000);
const runs = 3;

mkdirSync(OUT, { recursive: true });
const file = join(OUT, `passages-${rows}.xlsx`);
if (!existsSync(file)) {
  const made = spawnSync('cargo', ['run', '--quiet', '--release', '--example', 'gen_workbook', String(rows), file],
    { cwd: ROOT, stdio: 'inherit' });
  if (made.status !== 0) process.exit(1);
}
const bytes = new Uint8Array(readFileSync(file));
const options = {
  params: { idClientEmetteur: 'ABCD1234', idClientCertificateur: 'ABCD1234', idContrat: 'MCF-1', idFlux: 'bench' },
};

// One run of one build, in a process of its own: run in the same process, a build ran slower
// after another (whose WebAssembly memory, which never shrinks, was still held), whichever the
// order.
const one = args.find((a) => a.startsWith('--one='))?.slice('--one='.length);
if (one) {
  const engine = await import(pathToFileURL(join(one, 'pkg/accrochage.js')).href);
  engine.initSync({ module: readFileSync(join(one, 'pkg/accrochage_bg.wasm')) });
  let handed = 0;
  const share = (doc) => {
    handed += doc.length;
    return true;
  };
  const started = performance.now();
  const result = engine.convert(bytes, 'passages.xlsx', options, share);
  const seconds = (performance.now() - started) / 1000;
  const shape = `${result.files.length} fichier(s), ${result.files.reduce((n, f) => n + f.xml.length, 0)} octets, dont ${handed} passés au second worker`;
  console.log(JSON.stringify({ seconds, shape }));
  process.exit(0);
}

const engines = dirs.map((dir) => ({ dir, times: [] }));
let shape = null;
for (let run = 0; run < runs; run++) {
  for (const e of engines) {
    const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), `--one=${e.dir}`, String(rows)],
      { encoding: 'utf8', maxBuffer: 1 << 20 });
    if (child.status !== 0) {
      console.error(child.stderr);
      process.exit(1);
    }
    const out = JSON.parse(child.stdout.trim().split('\n').pop());
    e.times.push(out.seconds);
    if (shape !== null && shape !== out.shape) console.log(`Attention : ${e.dir} donne ${out.shape} (et non ${shape})`);
    shape = out.shape;
  }
}
console.log(`| moteur (${rows} lignes, sous node) | essais tour à tour |`);
console.log('|---|---|');
for (const e of engines) console.log(`| ${e.dir} | ${e.times.map((t) => `${t.toFixed(2)} s`).join(' / ')} |`);
console.log(`\n${shape}`);
