// The Paramètres form: four fields every CDC schema has, plus one field per flux-level element
// the loaded schema declares and the page does not know (a newer XSD's `action`, say), built
// from the engine's schema_info. Values override the workbook's Paramètres sheet.
// Remembered in localStorage only when the user ticks the consent box, and only organisation
// identifiers: the form never holds holder data.

import { $, el } from './dom.js';

const STORE_KEY = 'accrochage.parametres';
const CONSENT_KEY = 'accrochage.memoriser';
const FIXED = ['idClientEmetteur', 'idClientCertificateur', 'idContrat', 'natureDeposant'];
const ADVANCED = ['idFlux', 'horodatage'];
// What may be remembered: organisation settings, never idFlux/horodatage (one per sending).
const REMEMBERED = [...FIXED];

function storage() {
  try {
    return window.localStorage;
  } catch {
    return null; // storage disabled (private mode, policy): the form still works
  }
}

export class ParamsForm {
  constructor() {
    this.form = $('params-form');
    this.extra = $('schema-params');
    this.remember = $('p-remember');
    this.extraKeys = [];
    this.form.addEventListener('submit', (e) => e.preventDefault());
    this.remember.checked = storage()?.getItem(CONSENT_KEY) === '1';
    this.remember.addEventListener('change', () => this.onConsent());
    this.form.addEventListener('input', () => this.save());
    this.form.addEventListener('change', () => this.save());
  }

  /** Rebuilds the schema-dependent fields; keeps what the user typed in fields that remain. */
  applySchema(info) {
    const previous = this.values().params;
    const nature = $('p-natureDeposant');
    const keep = nature.value;
    nature.replaceChildren(el('option', { value: '' }, '— celle du classeur —'));
    for (const c of info.natureDeposant ?? []) {
      nature.append(el('option', { value: c.code }, c.label === c.code ? c.code : `${c.label} (${c.code})`));
    }
    nature.value = keep;

    this.extra.replaceChildren();
    this.extraKeys = [];
    for (const p of info.params ?? []) {
      if (FIXED.includes(p.key) || ADVANCED.includes(p.key)) continue;
      this.extraKeys.push(p.key);
      const id = `p-x-${p.key}`;
      const helpId = `h-x-${p.key}`;
      const help = [p.help, p.constraints].filter(Boolean).join(' ');
      let input;
      if (p.enumeration) {
        input = el('select', { id, name: p.key, 'aria-describedby': helpId },
          el('option', { value: '' }, '— celle du classeur —'),
          p.enumeration.map((c) => el('option', { value: c.code }, c.label === c.code ? c.code : `${c.label} (${c.code})`)));
      } else {
        input = el('input', { id, name: p.key, autocomplete: 'off', spellcheck: 'false', 'aria-describedby': helpId });
      }
      input.value = previous[p.key] ?? '';
      const label = p.known ? `${p.label} (${p.key})` : `${p.key} (paramètre du schéma ${info.version ?? ''})`.replace(' )', ')');
      this.extra.append(el('div', { class: 'field', 'data-param': p.key },
        el('label', { for: id }, label), input,
        el('small', { id: helpId }, help || 'Élément du flux déclaré par le schéma chargé.')));
    }
    this.restore();
  }

  /** {params, strict, maxPassages} for the engine; empty fields are left out. */
  values() {
    const params = {};
    for (const key of [...FIXED, ...ADVANCED, ...this.extraKeys]) {
      const input = this.form.elements.namedItem(key);
      const v = input?.value?.trim();
      if (v) params[key] = v;
    }
    const max = Number.parseInt($('p-maxPassages').value, 10);
    return {
      params,
      strict: $('p-strict').checked,
      maxPassages: Number.isFinite(max) && max > 0 ? max : null,
    };
  }

  onConsent() {
    const s = storage();
    if (!s) return;
    if (this.remember.checked) {
      s.setItem(CONSENT_KEY, '1');
      this.save();
    } else {
      s.removeItem(CONSENT_KEY);
      s.removeItem(STORE_KEY);
    }
  }

  save() {
    const s = storage();
    if (!s || !this.remember.checked) return;
    const { params } = this.values();
    const kept = Object.fromEntries(REMEMBERED.filter((k) => params[k]).map((k) => [k, params[k]]));
    s.setItem(STORE_KEY, JSON.stringify(kept));
  }

  restore() {
    const s = storage();
    if (!s || !this.remember.checked) return;
    let saved = {};
    try {
      saved = JSON.parse(s.getItem(STORE_KEY) || '{}');
    } catch {
      saved = {};
    }
    for (const key of REMEMBERED) {
      const input = this.form.elements.namedItem(key);
      if (input && typeof saved[key] === 'string' && !input.value) input.value = saved[key];
    }
  }
}
