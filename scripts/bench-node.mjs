#!/usr/bin/env node
// Times the page's engine alone under node: `convert` of www/pkg on an N-row workbook, with a
// stand-in for the second worker that takes every document handed to it without checking it.
// No browser, no workers, no download: when the page is slower after a change and this is
// not, the cause is between the workers or in the page. Several builds are run in turn.
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

// Each build is a module of its own (wasm-bindgen's glue keeps its instance in module state).
const engines = [];
for (const dir of dirs) {
  const engine = await import(`${pathToFileURL(join(dir, 'pkg/accrochage.js'))}?${engines.length}`);
  engine.initSync({ module: readFileSync(join(dir, 'pkg/accrochage_bg.wasm')) });
  engines.push({ dir, engine, times: [] });
}

let shape = null;
for (let run = 0; run < runs; run++) {
  for (const e of engines) {
    let handed = 0;
    const share = (doc) => {
      handed += doc.length;
      return true;
    };
    const started = performance.now();
    const result = e.engine.convert(bytes, 'passages.xlsx', options, share);
    e.times.push((performance.now() - started) / 1000);
    const now = `${result.files.length} fichier(s), ${result.files.reduce((n, f) => n + f.xml.length, 0)} octets, dont ${handed} passés au second worker`;
    if (shape !== null && shape !== now) console.log(`Attention : ${e.dir} donne ${now} (et non ${shape})`);
    shape = now;
  }
}
console.log(`| moteur (${rows} lignes, sous node) | essais tour à tour |`);
console.log('|---|---|');
for (const e of engines) console.log(`| ${e.dir} | ${e.times.map((t) => `${t.toFixed(2)} s`).join(' / ')} |`);
console.log(`\n${shape}`);
