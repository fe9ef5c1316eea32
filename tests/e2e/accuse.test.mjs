// The « Accusé de traitement » tab: a workbook converted in the page, an accusé refusing some of
// its passages → the counts and the table say which rows, why and what to do; the KO workbook
// downloaded from the tab converts back into an XML holding exactly the refused passages, valid
// against the reference XSD. Also: a whole-file rejection is located, a file that is not an
// accusé is refused in French.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { start, openPage, fillParams, download, pick, xmllint, screenshot, tableRows, writeTmp, FIXTURES, ORG, FIXED, ROOT } from './helpers.mjs';

let env;
before(async () => { env = await start(); });
after(async () => { await env.close(); });

const CSV = join(FIXTURES, 'passages-valides.csv');

function accuse({ ok = [], ko = [], erreurs = [] }) {
  const passages = ko.map(([id, msg]) => `<passage><idTechnique>${id}</idTechnique><messageErreur>${msg}</messageErreur></passage>`).join('');
  const errors = erreurs.map(([msg, line, col]) => `<erreur><type>XSD</type><message>${msg}</message><ligne>${line}</ligne><colonne>${col}</colonne></erreur>`).join('');
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<rapport xmlns:ns2="urn:cdc:cpf:pc5:rapport:schema"><nomFichier>depot.xml</nomFichier><idFlux>${FIXED.idFlux}</idFlux><idTraitement>7</idTraitement>
${errors ? `<erreurs>${errors}</erreurs>` : `<PassagesKO>${passages}</PassagesKO><PassagesOK>${ok.map((id) => `<idTechnique>${id}</idTechnique>`).join('')}</PassagesOK>`}
</rapport>`;
}

async function convertInPage(page, file) {
  await pick(page, '#convert-file', file);
  await page.waitForSelector('#convert-results:not([hidden])');
  assert.equal(await page.isVisible('#convert-error'), false, await page.textContent('#convert-error'));
  return download(page, () => page.click('#download-xml'));
}

async function summary(page) {
  return Object.fromEntries(await page.$$eval('#accuse-summary > div', (ds) => ds.map((d) => [d.dataset.summary, d.querySelector('dd').textContent])));
}

test('refused passages: counts, table, KO workbook that converts back to exactly those passages', async () => {
  const { page, context, errors } = await openPage(env);
  await fillParams(page, { ...ORG, ...FIXED });
  const sent = await convertInPage(page, CSV);

  const file = writeTmp('accuse-ko.xml', accuse({
    ok: ['2026-A-001'],
    ko: [
      ['2026-A-002', 'Aucun titulaire ne correspond aux critères obligatoires'],
      ['2026-A-003', 'Plusieurs titulaires ont été identifiés'],
      ['ZZ-INCONNU', 'Aucun titulaire ne correspond aux critères obligatoires'],
    ],
  }));
  await page.click('#tab-accuse');
  await pick(page, '#accuse-file', file);
  await pick(page, '#accuse-book-file', CSV);
  await pick(page, '#accuse-xml-file', sent.path);
  await page.waitForSelector('#accuse-results:not([hidden])');
  assert.equal(await page.isVisible('#accuse-error'), false, await page.textContent('#accuse-error'));

  assert.deepEqual(await summary(page), { ok: '1', ko: '2', absent: '0', 'not-sent': '0', unknown: '1', 'to-resend': '2' });
  const reasons = await page.$$eval('#accuse-reasons li', (lis) => lis.map((li) => li.textContent));
  assert.deepEqual(reasons, ['1 refusé(s) : aucun titulaire trouvé (état civil)', '1 refusé(s) : plusieurs titulaires possibles (état civil)']);
  assert.match(await page.textContent('#accuse-status'), /1 accepté\(s\), 2 refusé\(s\), 0 absent\(s\), 0 non envoyé\(s\), 1 inconnu\(s\)/);

  const rows = await tableRows(page, 'accuse-table');
  assert.equal(rows.length, 4);
  const byId = Object.fromEntries(rows.map((r) => [r.idTechnique, r]));
  assert.equal(byId['2026-A-001'].Statut, 'accepté');
  assert.match(byId['2026-A-001']['Ligne / cellule'], /!A2$/);
  assert.match(byId['2026-A-001']['Que faire'], /ne le renvoyez jamais/);
  assert.equal(byId['2026-A-002'].Statut, 'refusé');
  assert.match(byId['2026-A-002']['Ligne / cellule'], /!A3$/);
  assert.equal(byId['2026-A-002'].Nom, 'NGUYEN Thị Minh');
  assert.equal(byId['2026-A-002']['Message de la CDC'], 'Aucun titulaire ne correspond aux critères obligatoires');
  assert.match(byId['2026-A-002'].Explication, /NIRisation/);
  assert.match(byId['2026-A-002']['Que faire'], /nom de naissance/);
  assert.equal(byId['2026-A-003'].Nom, "O'BRIEN & FILS Seán");
  assert.match(byId['ZZ-INCONNU'].Statut, /^inconnu/);
  assert.match(byId['ZZ-INCONNU']['Que faire'], /ne figure pas dans ce qui a été donné/);

  // The filter keeps only the refused rows, and says how many.
  await page.selectOption('#accuse-filter', 'ko');
  const refused = await tableRows(page, 'accuse-table');
  assert.deepEqual(refused.map((r) => r.idTechnique).sort(), ['2026-A-002', '2026-A-003']);
  assert.equal(await page.textContent('#accuse-count'), '2 ligne(s) affichée(s).');
  await screenshot(page, 'accuse-refus');

  const ko = await download(page, () => page.click('#accuse-download-ko'));
  assert.equal(ko.name, 'a_corriger_passages-valides.xlsx');
  assert.equal(ko.bytes.subarray(0, 2).toString(), 'PK');
  assert.match(await page.textContent('#accuse-status'), /téléchargé/);

  // Back to the converter with a fresh idFlux: the new XML holds exactly the refused passages.
  await page.click('#tab-convert');
  await fillParams(page, { idFlux: '' });
  const again = await convertInPage(page, ko.path);
  assert.equal(await page.textContent('[data-summary="passages-written"] dd'), '2');
  const ids = [...again.text.matchAll(/<(?:\w+:)?idTechnique>([^<]+)<\/(?:\w+:)?idTechnique>/g)].map((m) => m[1]).sort();
  assert.deepEqual(ids, ['2026-A-002', '2026-A-003']);
  assert.doesNotMatch(again.text, new RegExp(`idFlux>${FIXED.idFlux}<`));
  assert.match(again.text, /NGUYEN/);
  const lint = xmllint(again.path);
  assert.ok(lint.ok, lint.output);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a whole-file rejection is located in the sent XML and its workbook row', async () => {
  const { page, context } = await openPage(env);
  await fillParams(page, { ...ORG, ...FIXED });
  const sent = await convertInPage(page, CSV);
  const line = sent.text.split('\n').findIndex((l) => l.includes('NGUYEN')) + 1;
  assert.ok(line > 0);
  const file = writeTmp('accuse-rejet.xml', accuse({
    erreurs: [["cvc-maxLength-valid: Value 'NGUYEN' is not facet-valid with respect to maxLength '60' for type 'nomNaissance'.", line, 30]],
  }));
  await page.click('#tab-accuse');
  await pick(page, '#accuse-book-file', CSV);
  await pick(page, '#accuse-xml-file', sent.path);
  // Before the accusé: the page says what is missing instead of failing.
  assert.match(await page.textContent('#accuse-status'), /Déposez maintenant l'accusé/);
  await pick(page, '#accuse-file', file);
  await page.waitForSelector('#accuse-rejection:not([hidden])');
  assert.match(await page.textContent('#accuse-status'), /rejeté en entier/);
  const spot = await page.textContent('#accuse-rejection-list');
  assert.match(spot, new RegExp(`ligne ${line}, colonne 30`));
  assert.match(spot, /d'idTechnique « 2026-A-002 »/);
  assert.match(spot, /Passages!A3/);
  const rows = await tableRows(page, 'accuse-table');
  assert.equal(rows.length, 3);
  assert.ok(rows.every((r) => r.Statut === 'fichier rejeté'), JSON.stringify(rows));
  assert.equal((await summary(page))['to-resend'], '3');
  await screenshot(page, 'accuse-rejet');
  await context.close();
});

test('a file that is not an accusé is refused with a French message, and the tab recovers', async () => {
  const { page, context } = await openPage(env);
  await page.click('#tab-accuse');
  await pick(page, '#accuse-file', join(ROOT, 'tests/fixtures/accuse/pas-xml.csv'));
  await page.waitForSelector('#accuse-error:not([hidden])');
  const message = await page.textContent('#accuse-error');
  assert.match(message, /Impossible de rapprocher l'accusé « pas-xml\.csv »/);
  assert.equal(await page.isVisible('#accuse-results'), false);
  // Only the accusé given, nothing else: statuses by idTechnique, no download possible.
  await pick(page, '#accuse-file', join(ROOT, 'tests/fixtures/accuse/exemple-cdc.xml'));
  await page.waitForSelector('#accuse-results:not([hidden])');
  assert.equal(await page.isVisible('#accuse-error'), false);
  assert.equal(await page.isDisabled('#accuse-download-ko'), true);
  assert.match(await page.textContent('#accuse-download-note'), /déposez aussi le classeur converti/);
  const rows = await tableRows(page, 'accuse-table');
  assert.deepEqual(rows.map((r) => r.idTechnique), ['1234', '4567', '891011']);
  // Values are shown as text: nothing from the files becomes markup.
  assert.equal(await page.$$eval('#accuse-table tbody *', (n) => n.filter((x) => !['TR', 'TD'].includes(x.tagName)).length), 0);
  // « Effacer les fichiers » drops them from the page and hides the result.
  await page.click('#accuse-clear');
  assert.equal(await page.isVisible('#accuse-results'), false);
  assert.equal(await page.textContent('#accuse-file-name'), 'Aucun fichier choisi.');
  assert.equal(await page.textContent('#accuse-status'), 'Fichiers retirés de la page.');
  assert.equal(await page.evaluate(() => document.documentElement.dataset.busy), '');
  // Everything accepted: nothing to download, and the page says so.
  await pick(page, '#accuse-book-file', CSV);
  await pick(page, '#accuse-file', writeTmp('accuse-ok.xml', accuse({ ok: ['2026-A-001', '2026-A-002', '2026-A-003'] })));
  await page.waitForSelector('#accuse-results:not([hidden])');
  assert.deepEqual(await summary(page), { ok: '3', ko: '0', absent: '0', 'not-sent': '0', unknown: '0', 'to-resend': '0' });
  assert.equal(await page.isDisabled('#accuse-download-ko'), true);
  assert.equal(await page.textContent('#accuse-download-note'), 'Aucune ligne n\'est à corriger et renvoyer.');
  await context.close();
});
