// The widget's own texts, in every language: locales/<lang>.yml `widget:`. The portal puts them in
// place of this string literal when it serves the bundle (bot/web/widget_pages.py).
const SERVED_TEXTS = "__BILLING_WIDGET_TEXTS__";

export const DEFAULT_LANGUAGE = "fr";

function parse(served) {
  try {
    const texts = JSON.parse(served);
    return texts && typeof texts === "object" ? texts : {};
  } catch {
    return {}; // not served by the portal: the keys show instead of the texts
  }
}

const TEXTS = parse(SERVED_TEXTS);
/** The languages the portal serves texts for (bot/i18n.py SUPPORTED_LANGUAGES). */
export const LANGUAGES = Object.keys(TEXTS);

/** `pt-BR`, `PT`, `fr_FR` → `pt`, `pt`, `fr`; anything else → null. */
export function normalizeLanguage(value) {
  if (typeof value !== "string" || !value) return null;
  const code = value.trim().toLowerCase().replace("_", "-").split("-")[0];
  return LANGUAGES.includes(code) ? code : null;
}

/** The text `key` in `language`, its {placeholders} filled from `params`. */
export function text(language, key, params = {}) {
  const catalogue = TEXTS[language] || TEXTS[DEFAULT_LANGUAGE] || {};
  const template = typeof catalogue[key] === "string" ? catalogue[key] : key;
  return template.replace(/\{(\w+)\}/g, (whole, name) =>
    Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : whole,
  );
}
