// Converting a workbook in the page: the XML equals the CLI's and passes xmllint; mistakes are
// shown to the cell; the report downloads; several files come as one zip.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { start, openPage, fillParams, download, pick, xmllint, cliConvert, screenshot, tableRows, writeTmp, FIXTURES, ORG, FIXED, TMP } from './helpers.mjs';

let env;
before(async () => { env = await start(); });
after(async () => { await env.close(); });

test('a valid workbook: the downloaded XML equals the CLI output and passes xmllint', async () => {
  const { page, context, errors } = await openPage(env);
  const input = join(FIXTURES, 'passages-valides.csv');
  await fillParams(page, { ...ORG, ...FIXED });
  await pick(page, '#convert-file', input);
  await page.waitForSelector('#convert-results:not([hidden])');
  const summary = Object.fromEntries(await page.$$eval('#convert-summary > div', (ds) => ds.map((d) => [d.dataset.summary, d.querySelector('dd').textContent])));
  assert.equal(summary['rows-read'], '3');
  assert.equal(summary['passages-written'], '3');
  assert.equal(summary['rows-excluded'], '0');
  assert.equal(summary.warnings, '0');
  assert.match(await page.textContent('#convert-status'), /3 passage\(s\) exporté\(s\)/);
  await screenshot(page, 'convert-valid');

  const xml = await download(page, () => page.click('#download-xml'));
  assert.match(xml.name, /^accrochage_[A-Za-z0-9]+_\d{8}-\d{6}\.xml$/);
  const reference = join(TMP, 'cli-valid.xml');
  const r = cliConvert(input, reference);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(xml.text, readFileSync(reference, 'utf8'));
  const lint = xmllint(xml.path);
  assert.ok(lint.ok, lint.output);
  assert.deepEqual(errors, []);
  await context.close();
});

test('once ready, the page converts its sample passages in the background, and says so', async () => {
  const { page, context, errors } = await openPage(env, {
    beforeLoad: (p) => p.on('console', (m) => { if (m.type() === 'warning') errors.push(m.text()); }),
  });
  // Usable at once: the form takes input while the sample is converted.
  await fillParams(page, ORG);
  await page.waitForFunction(() => document.documentElement.dataset.warm !== '', null, { timeout: 30_000 });
  assert.equal(await page.getAttribute('html', 'data-warm'), '1');
  // The engine wrote all 3 000 sample passages (www/worker.js, warmUp), part of them checked
  // as a second worker's share would be.
  const r = await page.evaluate(async () => {
    const { Engine } = await import('./engine.js');
    const engine = new Engine();
    try {
      return await engine.call('warmUp', { rows: 3000 });
    } finally {
      engine.worker.terminate();
    }
  });
  assert.equal(r.passages, 3000);
  assert.ok(r.shared >= 1 && r.checked, JSON.stringify(r));
  assert.deepEqual(errors, []);
  await context.close();
});

test('a large output is checked in two workers; its XML equals the CLI output', async () => {
  const { page, context, errors } = await openPage(env);
  const [header, line] = readFileSync(join(FIXTURES, 'passages-valides.csv'), 'utf8').split('\n');
  const big = [header, ...Array.from({ length: 3000 }, (_, i) => line.replace('2026-A-001', `L-${i}`))].join('\n');
  const input = writeTmp('partage.csv', big);
  await fillParams(page, { ...ORG, ...FIXED });
  await pick(page, '#convert-file', input);
  await page.waitForSelector('#convert-results:not([hidden])');
  assert.equal((await page.textContent('[data-summary="passages-written"] dd')).replace(/\s/g, ''), '3000');
  assert.equal(await page.getAttribute('#convert-results', 'data-shared-checks'), '1', 'one half checked by the partner');
  // A CSV is not read by the partner: the engine reads it whole after the partner said so.
  assert.equal(await page.getAttribute('#convert-results', 'data-streamed'), '', 'read whole by the engine');
  const xml = await download(page, () => page.click('#download-xml'));
  const reference = join(TMP, 'cli-partage.xml');
  const r = cliConvert(input, reference);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(xml.text, readFileSync(reference, 'utf8'));
  assert.ok(xmllint(xml.path).ok);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a workbook with mistakes: the table shows each bad cell, its value and a French message', async () => {
  const { page, context } = await openPage(env);
  await fillParams(page, ORG);
  await pick(page, '#convert-file', join(FIXTURES, 'passages-avec-erreurs.csv'));
  await page.waitForSelector('#convert-table tbody tr');
  const rows = await tableRows(page, 'convert-table');
  const errors = rows.filter((r) => r['Gravité'] === 'Erreur');
  assert.deepEqual(errors.map((r) => r.Cellule).sort(), ['Passages!F3', 'Passages!K5', 'Passages!L4']);
  const sexe = errors.find((r) => r.Cellule === 'Passages!L4');
  assert.equal(sexe.Valeur, 'X');
  assert.equal(sexe.Colonne, 'sexe');
  assert.match(sexe.Message, /n'est pas autorisée pour sexe/);
  assert.match(sexe.Correction, /Choisissez une valeur/);
  const date = errors.find((r) => r.Cellule === 'Passages!F3');
  assert.match(date.Message, /n'existe pas dans le calendrier/);
  assert.equal(await page.textContent('[data-summary="rows-excluded"] dd'), '3');
  assert.equal(await page.textContent('[data-summary="passages-written"] dd'), '1');
  assert.equal(await page.isVisible('#convert-progress'), false, 'the progress bar goes away');
  assert.equal(await page.isVisible('#convert-table button:has-text("Afficher plus")'), false, 'all 7 rows are shown');
  await screenshot(page, 'convert-errors');

  // Filter: hiding errors leaves only the infos; sorting by cell puts row 2 first.
  await page.uncheck('#convert-filter-erreur');
  assert.ok((await tableRows(page, 'convert-table')).every((r) => r['Gravité'] !== 'Erreur'));
  await page.check('#convert-filter-erreur');
  await page.click('#convert-table th:nth-child(2) button');
  assert.equal(await page.getAttribute('#convert-table th:nth-child(2)', 'aria-sort'), 'ascending');
  const sorted = (await tableRows(page, 'convert-table')).map((r) => r.Cellule);
  assert.equal(sorted[0], 'Passages!2');
  await page.click('#convert-table th:nth-child(2) button');
  assert.equal((await tableRows(page, 'convert-table'))[0].Cellule, 'Passages!K5');

  const report = await download(page, () => page.click('#download-report'));
  assert.equal(report.name, 'rapport_passages-avec-erreurs.csv');
  assert.ok(report.text.startsWith('\ufeffgravité;code;cellule;colonne;valeur;message;correction'));
  assert.match(report.text, /erreur;valeur-non-autorisee;Passages!L4;sexe;X;/);
  await context.close();
});

test('formula-like values are neutralised in the report CSV', async () => {
  const { page, context } = await openPage(env);
  await fillParams(page, ORG);
  const csv = 'idTechnique;type;code;obtentionCertification;donneeCertifiee;dateDebutValidite;presenceNiveauLangueEuro;presenceNiveauNumeriqueEuro;nomNaissance;prenom1;anneeNaissance;sexe;codeInsee\n' +
    'F-1;RNCP;RNCP12345;PAR_ADMISSION;Oui;15/09/2026;Non;Non;DUPONT;Marie;1990;=1+1;75056\n' +
    'F-2;RNCP;RNCP12345;PAR_ADMISSION;Oui;15/09/2026;Non;Non;DUPONT;Marie;1990;@SUM(A1);75056\n';
  await pick(page, '#convert-file', writeTmp('formules.csv', csv));
  const report = await download(page, () => page.click('#download-report'));
  assert.match(report.text, /;'=1\+1;/);
  assert.match(report.text, /;'@SUM\(A1\);/);
  await context.close();
});

test('a file dropped on the drop zone is converted; strict mode gives no XML', async () => {
  const { page, context } = await openPage(env);
  await fillParams(page, ORG);
  await page.click('details.advanced summary');
  await page.check('#p-strict');
  const text = readFileSync(join(FIXTURES, 'passages-avec-erreurs.csv'), 'utf8');
  await page.evaluate((content) => {
    const dt = new DataTransfer();
    dt.items.add(new File([content], 'depose.csv', { type: 'text/csv' }));
    document.getElementById('convert-drop').dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, text);
  await page.waitForSelector('#convert-results:not([hidden])');
  assert.equal(await page.isDisabled('#download-xml'), true);
  assert.match(await page.textContent('#download-note'), /Aucun XML/);
  assert.match(await page.textContent('#convert-status'), /depose\.csv/);
  await context.close();
});

test('several output files download as one zip holding each XML', async () => {
  const { page, context } = await openPage(env);
  await fillParams(page, { ...ORG, ...FIXED });
  await page.fill('#p-maxPassages', '2');
  await pick(page, '#convert-file', join(FIXTURES, 'passages-valides.csv'));
  assert.equal(await page.textContent('[data-summary="files"] dd'), '2');
  const zip = await download(page, () => page.click('#download-xml'));
  assert.match(zip.name, /^accrochage_.*\.zip$/);
  const check = spawnSync('python3', ['-c', `
import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
assert z.testzip() is None
for n in z.namelist():
    print(n, len(z.read(n)))
`, zip.path], { encoding: 'utf8' });
  assert.equal(check.status, 0, check.stderr);
  const names = check.stdout.trim().split('\n').map((l) => l.split(' ')[0]);
  assert.equal(names.length, 2);
  for (const n of names) assert.match(n, /^accrochage_.+\.xml$/);
  await context.close();
});

test('an unusable file gives a French error, and cancel stops a long conversion', async () => {
  const { page, context } = await openPage(env);
  await pick(page, '#convert-file', writeTmp('binaire.csv', Buffer.from([0xff, 0xfe, 0, 1, 2])));
  assert.match(await page.textContent('#convert-error'), /Impossible de convertir « binaire\.csv »/);

  const header = readFileSync(join(FIXTURES, 'passages-valides.csv'), 'utf8').split('\n')[0];
  const line = readFileSync(join(FIXTURES, 'passages-valides.csv'), 'utf8').split('\n')[1];
  const big = [header, ...Array.from({ length: 150_000 }, (_, i) => line.replace('2026-A-001', `B-${i}`))].join('\n');
  await fillParams(page, ORG);
  await page.setInputFiles('#convert-file', writeTmp('gros.csv', big));
  // Cancel while the engine is at work (not while the file is still being read).
  await page.waitForSelector('#convert-progress-text:has-text("Lecture, contrôle")');
  await page.click('#convert-cancel');
  await page.waitForFunction(() => document.documentElement.dataset.busy !== '1');
  assert.match(await page.textContent('#convert-status'), /Conversion annulée/);
  // The restarted worker converts at once.
  await pick(page, '#convert-file', join(FIXTURES, 'passages-valides.csv'));
  assert.equal(await page.textContent('[data-summary="passages-written"] dd'), '3');
  await context.close();
});
