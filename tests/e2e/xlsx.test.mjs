// Excel files: the template downloaded from the page, filled with its examples, converts; a
// generated 200-row workbook converts and passes xmllint. These need the calamine-based
// workbook reader (the CSV-only placeholder refuses xlsx bytes).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { start, openPage, fillParams, download, pick, xmllint, cliConvert, screenshot, ROOT, TMP, ORG, FIXED } from './helpers.mjs';

let env;
before(async () => { env = await start(); });
after(async () => { await env.close(); });

test('download the template with examples, then convert it', async () => {
  const { page, context } = await openPage(env);
  await page.check('#template-examples');
  const xlsx = await download(page, () => page.click('#template-btn'));
  assert.equal(xlsx.name, 'modele_accrochage_exemples.xlsx');
  assert.equal(xlsx.bytes.subarray(0, 2).toString(), 'PK');
  await pick(page, '#convert-file', xlsx.path);
  assert.equal(await page.isVisible('#convert-error'), false, await page.textContent('#convert-error'));
  assert.equal(await page.textContent('[data-summary="passages-written"] dd'), '3');
  await screenshot(page, 'template-converted');
  const xml = await download(page, () => page.click('#download-xml'));
  const lint = xmllint(xml.path);
  assert.ok(lint.ok, lint.output);
  await context.close();
});

test('a generated workbook (gen_workbook, 200 rows) converts and passes xmllint', async () => {
  const file = join(TMP, 'gen-200.xlsx');
  const gen = spawnSync('cargo', ['run', '--quiet', '--example', 'gen_workbook', '--', '200', file], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(gen.status, 0, gen.stderr);
  assert.ok(existsSync(file));
  const { page, context } = await openPage(env);
  await fillParams(page, ORG);
  await pick(page, '#convert-file', file);
  assert.equal(await page.isVisible('#convert-error'), false, await page.textContent('#convert-error'));
  assert.equal(await page.textContent('[data-summary="rows-read"] dd'), '200');
  const xml = await download(page, () => page.click('#download-xml'));
  const lint = xmllint(xml.path);
  assert.ok(lint.ok, lint.output);
  await context.close();
});

test('a large xlsx is read by the second worker while the engine converts; the XML equals the CLI output', async () => {
  // 2 500 rows (≈ 330 Ko): above the 256 Ko from which the page starts its second worker.
  const file = join(TMP, 'gen-2500.xlsx');
  const gen = spawnSync('cargo', ['run', '--quiet', '--example', 'gen_workbook', '--', '2500', file], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(gen.status, 0, gen.stderr);
  const { page, context, errors } = await openPage(env);
  await fillParams(page, { ...ORG, ...FIXED });
  // Every text the progress line shows, kept as it changes.
  await page.evaluate(() => {
    window.progressTexts = [];
    const line = document.getElementById('convert-progress-text');
    new MutationObserver(() => window.progressTexts.push(line.textContent))
      .observe(line, { childList: true, characterData: true, subtree: true });
  });
  await pick(page, '#convert-file', file);
  assert.equal(await page.isVisible('#convert-error'), false, await page.textContent('#convert-error'));
  assert.equal((await page.textContent('[data-summary="rows-read"] dd')).replace(/\s/g, ''), '2500');
  assert.equal(await page.getAttribute('#convert-results', 'data-streamed'), '1', 'rows read by the second worker');
  // The rows read so far, while they are converted (in batches of 256: shown at 1 024 and
  // 2 048), then the total while the download is prepared.
  const shown = (await page.evaluate(() => window.progressTexts)).map((t) => t.replace(/\s/g, ' '));
  const during = shown.filter((t) => /^Lecture, contrôle et écriture du XML \(.+\) : \d[\d ]* ligne\(s\) lue\(s\)…$/.test(t));
  assert.ok(during.length >= 1, shown.join('\n'));
  assert.ok(shown.includes('2 500 ligne(s) lue(s) ; préparation du téléchargement…'), shown.join('\n'));
  // For the benchmarks: when the last rows were converted, and how long the files took after.
  assert.match(await page.getAttribute('#convert-results', 'data-read-millis'), /^\d+$/);
  assert.match(await page.getAttribute('#convert-results', 'data-finish-millis'), /^\d+$/);
  assert.equal(await page.getAttribute('#convert-results', 'data-shared-checks'), '1', 'one half checked by the second worker');
  const xml = await download(page, () => page.click('#download-xml'));
  const reference = join(TMP, 'cli-gen-2500.xml');
  const r = cliConvert(file, reference);
  assert.ok(r.status === 0 || r.status === 1, r.stderr);
  assert.equal(xml.text, readFileSync(reference, 'utf8'));
  assert.ok(xmllint(xml.path).ok);
  assert.deepEqual(errors, []);
  await context.close();
});
