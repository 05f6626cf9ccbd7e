// What survives a page reload, in localStorage: the session id the server confirmed, the language the
// customer chose, and each session's messages (keyed by its id). Storage may be unavailable (private
// modes, quotas): the widget then simply forgets on reload.
const PREFIX = "billing-widget:v1:";
const MAX_HISTORY = 200;

function read(key) {
  try {
    const raw = window.localStorage.getItem(PREFIX + key);
    return raw === null ? null : JSON.parse(raw);
  } catch {
    return null;
  }
}

function write(key, value) {
  try {
    if (value === null) window.localStorage.removeItem(PREFIX + key);
    else window.localStorage.setItem(PREFIX + key, JSON.stringify(value));
  } catch {
    // storage full or disabled: keep going without it
  }
}

export function sessionId() {
  const value = read("session");
  return typeof value === "string" && value ? value : null;
}

export function saveSessionId(id) {
  write("session", id);
}

export function chosenLanguage() {
  return read("language");
}

export function saveChosenLanguage(language) {
  write("language", language);
}

export function history(id) {
  const value = id ? read(`history:${id}`) : null;
  return Array.isArray(value) ? value.filter((entry) => entry && typeof entry === "object") : [];
}

/** Keeps the last MAX_HISTORY entries of the session `id`; returns them. */
export function saveHistory(id, entries) {
  const kept = entries.slice(-MAX_HISTORY);
  if (id) write(`history:${id}`, kept);
  return kept;
}

export function forgetHistory(id) {
  if (id) write(`history:${id}`, null);
}
