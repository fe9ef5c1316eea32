// Shared set-up of the end-to-end tests: the page served by scripts/serve.mjs on a free port,
// Debian's Chromium driven by playwright-core, xmllint as the independent oracle, the CLI as the
// reference output.

import { chromium } from 'playwright-core';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from '../../scripts/serve.mjs';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const WWW = join(ROOT, 'www');
export const FIXTURES = join(ROOT, 'tests/e2e/fixtures');
export const EXTENDED_XSD = join(ROOT, 'tests/fixtures/cdc-extended-action-nir.xsd');
export const SCREENSHOTS = join(ROOT, 'target/e2e-screenshots');
export const TMP = mkdtempSync(join(tmpdir(), 'accrochage-e2e-'));

// The CDC's published XSD when the reference material is around, else the shipped copy.
const refDir = process.env.ACCROCHAGE_REFERENCE_DIR ?? join(ROOT, 'tests/reference');
export const REFERENCE_XSD = existsSync(join(refDir, 'cdc-1.1.2.xsd'))
  ? join(refDir, 'cdc-1.1.2.xsd')
  : join(ROOT, 'xsd/cdc-1.1.2.xsd');

export const ORG = { idClientEmetteur: 'ABCD1234', idClientCertificateur: 'ABCD1234', idContrat: 'MCF-1' };
export const FIXED = { idFlux: 'e2e-flux-1', horodatage: '2026-11-22T10:00:00+01:00' };

const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];

if (!existsSync(join(WWW, 'pkg/accrochage_bg.wasm'))) {
  throw new Error('www/pkg/ manque : lancez scripts/build-wasm.sh avant les tests de bout en bout.');
}

export async function start() {
  const server = await serve(WWW);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    // launch() gives every run a fresh temporary profile (the --user-data-dir the brief asks for).
    args: FLAGS,
  });
  return {
    server,
    browser,
    async close() {
      await browser.close();
      await server.close();
    },
  };
}

/** A fresh context (own storage, own service worker) with the page loaded and the engine ready. */
export async function openPage(env, { beforeLoad } = {}) {
  const context = await env.browser.newContext({ acceptDownloads: true, locale: 'fr-FR', timezoneId: 'Europe/Paris' });
  const page = await context.newPage();
  const dialogs = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    d.dismiss().catch(() => {});
  });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await beforeLoad?.(page, context);
  await page.goto(env.server.url);
  await page.waitForSelector('html[data-ready="1"]', { timeout: 30_000 });
  return { context, page, dialogs, errors };
}

export async function fillParams(page, params) {
  for (const [k, v] of Object.entries(params)) {
    if (k === 'idFlux' || k === 'horodatage') {
      // Those two live in the « Paramètres avancés » section, closed by default.
      await page.evaluate(() => { document.querySelector('details.advanced').open = true; });
    }
    await page.fill(`[name="${k}"]`, v);
  }
}

/** Runs `action` and returns the download it starts: {name, bytes, text}. */
export async function download(page, action) {
  const [dl] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), action()]);
  const path = join(mkdtempSync(join(TMP, 'dl-')), dl.suggestedFilename());
  await dl.saveAs(path);
  const bytes = readFileSync(path);
  return { name: dl.suggestedFilename(), path, bytes, text: bytes.toString('utf8') };
}

/** Picks a file in an <input type=file> and waits until the page is idle again. */
export async function pick(page, selector, file) {
  await page.setInputFiles(selector, file);
  await page.waitForFunction(() => document.documentElement.dataset.busy !== '1', null, { timeout: 120_000 });
}

export function xmllint(file, xsd = REFERENCE_XSD) {
  const r = spawnSync('xmllint', ['--noout', '--schema', xsd, file], { encoding: 'utf8' });
  if (r.error) throw new Error(`xmllint introuvable (apt-get install libxml2-utils) : ${r.error.message}`);
  return { ok: r.status === 0, output: r.stderr };
}

export function writeTmp(name, content) {
  const path = join(TMP, name);
  writeFileSync(path, content);
  return path;
}

/** The CLI built from the same sources: the reference the page's output must equal. */
export function cli(args) {
  let bin = process.env.ACCROCHAGE_BIN ?? join(ROOT, 'target/debug/accrochage');
  if (!existsSync(bin)) {
    spawnSync('cargo', ['build', '--quiet', '--bin', 'accrochage'], { cwd: ROOT, stdio: 'inherit' });
  }
  return spawnSync(bin, args, { encoding: 'utf8', cwd: ROOT });
}

/** The CLI's conversion of `input` into `out` with the organisation (ORG) and the fixed idFlux and
 * horodatage (FIXED) the page's tests fill in: the XML the page's download must equal. */
export function cliConvert(input, out) {
  return cli(['convert', input, '-o', out, '--id-flux', FIXED.idFlux, '--horodatage', FIXED.horodatage,
    '--id-client-emetteur', ORG.idClientEmetteur, '--id-client-certificateur', ORG.idClientCertificateur, '--id-contrat', ORG.idContrat]);
}

export async function screenshot(page, name) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** The diagnostics table as [{Gravité, Cellule, …}] read from what is displayed. */
export async function tableRows(page, id) {
  return page.$$eval(`#${id} tbody tr`, (trs) => {
    const heads = [...trs[0].closest('table').querySelectorAll('thead th')].map((th) => th.textContent.trim());
    return trs.map((tr) => Object.fromEntries([...tr.children].map((td, i) => [heads[i], td.textContent])));
  });
}
