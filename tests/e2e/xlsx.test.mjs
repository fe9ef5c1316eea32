// Excel files: the template downloaded from the page, filled with its examples, converts; a
// generated 200-row workbook converts and passes xmllint. These need the calamine-based
// workbook reader (the CSV-only placeholder refuses xlsx bytes).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { start, openPage, fillParams, download, pick, xmllint, screenshot, ROOT, TMP, ORG } from './helpers.mjs';

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
