// « Vérifier un fichier XML » and « Charger un autre XSD ».
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { start, openPage, fillParams, download, pick, xmllint, cliConvert, screenshot, tableRows, writeTmp, FIXTURES, EXTENDED_XSD, ORG, FIXED, TMP } from './helpers.mjs';

let env;
before(async () => { env = await start(); });
after(async () => { await env.close(); });

function cliXml() {
  const out = join(TMP, 'verify-valid.xml');
  const r = cliConvert(join(FIXTURES, 'passages-valides.csv'), out);
  assert.equal(r.status, 0, r.stderr);
  return out;
}

test('verify a valid XML, then an invalid one with lines and French messages', async () => {
  const { page, context } = await openPage(env);
  await page.click('#tab-verify');
  const valid = cliXml();
  await pick(page, '#verify-file', valid);
  assert.match(await page.textContent('#verify-status'), /« verify-valid\.xml » est valide \(schéma 1\.1\.2\) : 3 passage\(s\)/);
  await screenshot(page, 'verify-valid');

  const broken = readFileSync(valid, 'utf8')
    .replace('<cpf:anneeNaissance>1988</cpf:anneeNaissance>', '<cpf:anneeNaissance>188</cpf:anneeNaissance>')
    .replace('<cpf:prenom1>Thị Minh</cpf:prenom1>', '');
  const brokenPath = writeTmp('invalide.xml', broken);
  assert.equal(xmllint(brokenPath).ok, false, 'the oracle agrees the file is invalid');
  await pick(page, '#verify-file', brokenPath);
  assert.match(await page.textContent('#verify-status'), /« invalide\.xml » est INVALIDE \(schéma 1\.1\.2\) : 2 erreur\(s\)/);
  const rows = await tableRows(page, 'verify-table');
  assert.equal(rows.length, 2);
  const annee = rows.find((r) => r.idTechnique === '2026-A-001');
  const line = broken.split('\n').findIndex((l) => l.includes('<cpf:anneeNaissance>188<')) + 1;
  assert.equal(annee.Ligne.split(':')[0], String(line));
  assert.match(annee['Élément'], /anneeNaissance$/);
  assert.match(annee.Message, /188/);
  const missing = rows.find((r) => r.idTechnique === '2026-A-002');
  assert.match(missing.Message, /prenom1/);
  await screenshot(page, 'verify-invalid');

  await pick(page, '#verify-file', writeTmp('pas-du-xml.xml', 'ceci <n est pas du XML'));
  assert.match(await page.textContent('#verify-status'), /INVALIDE/);
  await context.close();
});

test('another XSD: the form shows action, a CSV with nir converts, xmllint validates against that XSD', async () => {
  const { page, context } = await openPage(env);
  assert.equal(await page.$('[name="action"]'), null, 'no action field with the bundled 1.1.2');
  await page.click('#tab-schema');
  await page.setInputFiles('#schema-file', EXTENDED_XSD);
  await page.waitForSelector('#schema-status:has-text("1.1.5-test")');
  assert.match(await page.textContent('#schema-current'), /1\.1\.5-test/);
  assert.match(await page.textContent('#schema-status'), /action/);
  await screenshot(page, 'schema-loaded');

  await page.click('#tab-convert');
  const options = await page.$$eval('select[name="action"] option', (os) => os.map((o) => o.value));
  assert.deepEqual(options, ['', 'CREATION', 'SUPPRESSION']);
  assert.equal(await page.textContent('label[for="p-x-action"]'), 'action (paramètre du schéma 1.1.5-test)');
  await fillParams(page, { ...ORG, ...FIXED });
  await page.selectOption('select[name="action"]', 'CREATION');
  await pick(page, '#convert-file', join(FIXTURES, 'passages-nir.csv'));
  assert.equal(await page.textContent('[data-summary="passages-written"] dd'), '1');
  await screenshot(page, 'schema-convert');
  const xml = await download(page, () => page.click('#download-xml'));
  assert.match(xml.text, /<cpf:action>CREATION<\/cpf:action>/);
  assert.match(xml.text, /<cpf:nir>1900175056123<\/cpf:nir>/);
  const lint = xmllint(xml.path, EXTENDED_XSD);
  assert.ok(lint.ok, lint.output);

  // Remembered across visits, and the way back to 1.1.2.
  await page.reload();
  await page.waitForSelector('html[data-ready="1"]');
  assert.match(await page.textContent('#schema-current'), /1\.1\.5-test/);
  assert.equal(await page.isVisible('#schema-banner'), true);
  await page.click('#tab-schema');
  await page.click('#schema-reset');
  await page.waitForSelector('#schema-status:has-text("Retour au schéma intégré")');
  assert.match(await page.textContent('#schema-current'), /1\.1\.2 \(intégré\)/);
  assert.equal(await page.$('[name="action"]'), null);
  assert.equal(await page.evaluate(() => localStorage.getItem('accrochage.xsd')), null);
  await context.close();
});

test('a broken XSD is refused with a French message and the current schema stays', async () => {
  const { page, context } = await openPage(env);
  await page.click('#tab-schema');
  await page.setInputFiles('#schema-file', writeTmp('casse.xsd', '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"><xs:element name="a" type="xs:inconnu"/></xs:schema>'));
  await page.waitForSelector('#schema-error:not([hidden])');
  const message = await page.textContent('#schema-error');
  assert.match(message, /« casse\.xsd » n'a pas été retenu\. Ce schéma XSD ne peut pas être utilisé/);
  assert.match(await page.textContent('#schema-current'), /1\.1\.2 \(intégré\)/);
  await context.close();
});

test('a remembered XSD that no longer compiles falls back to 1.1.2 with a French message', async () => {
  const { page, context } = await openPage(env, {
    beforeLoad: (p) => p.addInitScript(() => {
      if (!sessionStorage.getItem('seeded')) {
        sessionStorage.setItem('seeded', '1');
        localStorage.setItem('accrochage.xsd', '<xs:schema');
        localStorage.setItem('accrochage.xsd.nom', 'ancien.xsd');
      }
    }),
  });
  assert.match(await page.textContent('#schema-error'), /Le schéma mémorisé ne peut plus être utilisé ; retour au schéma intégré\. Ce schéma XSD ne peut pas être utilisé/);
  assert.match(await page.textContent('#schema-current'), /1\.1\.2 \(intégré\)/);
  assert.equal(await page.evaluate(() => localStorage.getItem('accrochage.xsd')), null);
  await context.close();
});
