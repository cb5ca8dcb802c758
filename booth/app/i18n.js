// The booth's words: every sentence a member reads comes from a message catalogue,
// booth/i18n/LANG.json (a flat object of message ids to text; "{name}" is filled in).
// languages.json lists the catalogues and each language's own name: adding a language is
// adding its catalogue and its line there. The browser's languages choose, the switch overrides.

let messages = {};
let fallback = {};
let current = 'en';

async function catalogue(lang) {
  const response = await fetch(`i18n/${lang}.json`, { cache: 'no-store' });
  if (!response.ok) throw new Error(`no catalogue for ${lang}`);
  return response.json();
}

/** The languages on offer: { code: own name }. */
export async function languages() {
  const response = await fetch('i18n/languages.json', { cache: 'no-store' });
  return response.json();
}

/** The first of the browser's languages on offer (by primary subtag), else English. */
export function preferred(offered, wanted = navigator.languages ?? [navigator.language]) {
  for (const tag of wanted) {
    const primary = String(tag).toLowerCase().split('-')[0];
    if (primary in offered) return primary;
  }
  return 'en';
}

/** Load `lang`'s catalogue (English fills any gap). */
export async function use(lang) {
  if (!Object.keys(fallback).length) fallback = await catalogue('en');
  messages = lang === 'en' ? fallback : await catalogue(lang);
  current = lang;
  document.documentElement.lang = lang;
}

export function lang() {
  return current;
}

/** The message `id` with `{name}` filled from `values`. */
export function t(id, values = {}) {
  const text = messages[id] ?? fallback[id];
  if (text === undefined) return id;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? `{${name}}`));
}
