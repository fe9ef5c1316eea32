// Nothing leaves the computer, and nothing from a file runs: XSS values shown as text, the CSP
// blocks injected inline script, every request goes to the page's own static files, the
// organisation ids are remembered only with consent, and the page works offline.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { start, openPage, fillParams, download, pick, screenshot, tableRows, writeTmp, FIXTURES, ORG, WWW } from './helpers.mjs';

let env;
before(async () => { env = await start(); });
after(async () => { await env.close(); });

const HEADER = 'idTechnique;type;code;obtentionCertification;donneeCertifiee;dateDebutValidite;presenceNiveauLangueEuro;presenceNiveauNumeriqueEuro;nomNaissance;prenom1;anneeNaissance;sexe;codeInsee';
const IMG = '<img src=x onerror=alert(1)>';
const JS = 'javascript:alert(2)';

test('values such as <img onerror> and javascript: are shown as text, nothing runs', async () => {
  const { page, context, dialogs, errors } = await openPage(env);
  await fillParams(page, ORG);
  const csv = `${HEADER}\nX-1;RNCP;RNCP12345;PAR_ADMISSION;Oui;15/09/2026;Non;Non;DUPONT;Marie;1990;${IMG};75056\n` +
    `X-2;RNCP;RNCP12345;PAR_ADMISSION;Oui;15/09/2026;Non;Non;DUPONT;Marie;${JS};F;75056\n`;
  await pick(page, '#convert-file', writeTmp('<img src=x onerror=alert(3)>.csv', csv));
  const rows = await tableRows(page, 'convert-table');
  const values = rows.map((r) => r.Valeur);
  assert.ok(values.includes(IMG), JSON.stringify(values));
  assert.ok(values.includes(JS), JSON.stringify(values));
  assert.ok(rows.some((r) => r.Message.includes(IMG)), 'the message quotes the value as text');
  assert.equal(await page.$$eval('main img, main a[href^="javascript"]', (n) => n.length), 0);
  assert.match(await page.textContent('#convert-status'), /<img src=x onerror=alert\(3\)>\.csv/);
  await page.waitForTimeout(300);
  assert.deepEqual(dialogs, []);
  assert.deepEqual(errors, []);
  await screenshot(page, 'xss-as-text');
  await context.close();
});

test('the CSP blocks an injected inline script and inline handler', async () => {
  const { page, context, dialogs } = await openPage(env);
  const violations = await page.evaluate(async () => {
    const seen = [];
    document.addEventListener('securitypolicyviolation', (e) => seen.push(e.violatedDirective));
    const s = document.createElement('script');
    s.textContent = 'window.__injected = true';
    document.body.append(s);
    const d = document.createElement('div');
    d.innerHTML = '<img src="data:," onload="window.__handler = true">';
    document.body.append(d);
    await new Promise((r) => setTimeout(r, 200));
    return seen;
  });
  assert.equal(await page.evaluate(() => window.__injected), undefined);
  assert.equal(await page.evaluate(() => window.__handler), undefined);
  assert.ok(violations.some((v) => v.startsWith('script-src')), JSON.stringify(violations));
  // The policy forbids talking to any other site.
  const blocked = await page.evaluate(() => fetch('https://example.org/').then(() => 'sent', () => 'blocked'));
  assert.equal(blocked, 'blocked');
  assert.deepEqual(dialogs, []);
  await context.close();
});

test('from load to download, every request is a GET of one of the page\'s own static files', async () => {
  const requests = [];
  const record = (r) => requests.push({ url: r.url(), method: r.method() });
  const { page, context } = await openPage(env, {
    beforeLoad: (p, ctx) => {
      ctx.on('request', record); // includes the worker's and the service worker's requests
    },
  });
  await fillParams(page, ORG);
  await pick(page, '#convert-file', join(FIXTURES, 'passages-valides.csv'));
  await download(page, () => page.click('#download-xml'));
  await download(page, () => page.click('#template-btn'));
  await page.click('#tab-verify');
  await pick(page, '#verify-file', join(FIXTURES, 'passages-nir.csv'));
  const origin = new URL(env.server.url).origin;
  assert.ok(requests.length > 5, 'requests were recorded');
  for (const { url, method } of requests) {
    if (url.startsWith('blob:') || url.startsWith('data:')) continue;
    const u = new URL(url);
    assert.equal(u.origin, origin, `request to another origin: ${url}`);
    assert.equal(method, 'GET', `${method} ${url}`);
    const path = u.pathname === '/' ? 'index.html' : decodeURIComponent(u.pathname.slice(1));
    assert.ok(existsSync(join(WWW, path)), `not a static file of the page: ${url}`);
  }
  await context.close();
});

test('organisation ids are remembered only with consent, never holder data', async () => {
  const { page, context } = await openPage(env);
  await fillParams(page, ORG);
  assert.equal(await page.evaluate(() => localStorage.getItem('accrochage.parametres')), null);
  await page.check('#p-remember');
  await fillParams(page, { idFlux: 'flux-a-ne-pas-garder' });
  await pick(page, '#convert-file', join(FIXTURES, 'passages-valides.csv'));
  const stored = JSON.parse(await page.evaluate(() => localStorage.getItem('accrochage.parametres')));
  assert.deepEqual(stored, ORG);
  const everything = await page.evaluate(() => JSON.stringify({ ...localStorage }));
  assert.ok(!everything.includes('NGUYEN') && !everything.includes('2026-A-001'), everything);

  await page.reload();
  await page.waitForSelector('html[data-ready="1"]');
  assert.equal(await page.inputValue('#p-idContrat'), 'MCF-1');
  assert.equal(await page.isChecked('#p-remember'), true);
  await page.uncheck('#p-remember');
  assert.equal(await page.evaluate(() => localStorage.getItem('accrochage.parametres')), null);
  await context.close();
});

test('after a first visit the page reloads and converts offline (service worker)', async () => {
  const { page, context } = await openPage(env);
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null || true);
  // The first load was not controlled yet; one online reload puts the page under the worker.
  await page.reload();
  await page.waitForFunction(() => !!navigator.serviceWorker.controller);
  await context.setOffline(true);
  await page.reload();
  await page.waitForSelector('html[data-ready="1"]');
  await fillParams(page, ORG);
  await pick(page, '#convert-file', join(FIXTURES, 'passages-valides.csv'));
  assert.equal(await page.textContent('[data-summary="passages-written"] dd'), '3');
  await screenshot(page, 'offline');
  await context.setOffline(false);
  await context.close();
});

test('keyboard: arrows move between tabs, every field has a label, live regions exist', async () => {
  const { page, context } = await openPage(env);
  await page.focus('#tab-convert');
  await page.keyboard.press('ArrowRight');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'tab-verify');
  assert.equal(await page.isVisible('#panel-verify'), true);
  await page.keyboard.press('End');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'tab-about');
  assert.match(await page.textContent('#panel-about'), /ne quittent pas|n'est envoyé à aucun serveur/);
  assert.match(await page.textContent('#about-version'), /^\d+\.\d+\.\d+$/);
  await screenshot(page, 'about');
  const unlabelled = await page.$$eval('input, select', (els) => els.filter((e) => !e.labels || e.labels.length === 0).map((e) => e.id));
  assert.deepEqual(unlabelled, []);
  for (const id of ['convert-status', 'verify-status', 'schema-status']) {
    assert.equal(await page.getAttribute(`#${id}`, 'aria-live'), 'polite');
  }
  // No inline script or style in the page itself (the CSP would block them).
  const html = readFileSync(join(WWW, 'index.html'), 'utf8');
  assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/);
  assert.doesNotMatch(html, /\sstyle=|<style/);
  assert.doesNotMatch(html, /https?:\/\/(?!www\.w3\.org)/, 'no absolute URL to another site');
  await context.close();
});
