// Message text into the DOM, safely: always as text nodes; only http(s) URLs become links.
const URL_PATTERN = /https?:\/\/[^\s<>"'`]+/gi;
const TRAILING_PUNCTUATION = /[.,;:!?)\]}»"']+$/;

/** The absolute URL of `value` when it is an http(s) URL, else null (javascript:, data:, garbage). */
export function safeUrl(value) {
  if (typeof value !== "string") return null;
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
  } catch {
    return null;
  }
}

/** A link opening in a new tab, without giving the new page a handle on this one. */
export function externalLink(href, label, newTabHint) {
  const link = document.createElement("a");
  link.href = href;
  link.target = "_blank";
  link.rel = "noopener noreferrer";
  link.textContent = label;
  if (newTabHint) {
    const hint = document.createElement("span");
    hint.className = "sr-only";
    hint.textContent = ` ${newTabHint}`;
    link.append(hint);
  }
  return link;
}

/** Appends `value` to `parent`: text nodes, and links for the http(s) URLs in it. */
export function appendRichText(parent, value, newTabHint) {
  const source = String(value ?? "");
  URL_PATTERN.lastIndex = 0;
  let done = 0;
  let match;
  while ((match = URL_PATTERN.exec(source)) !== null) {
    const candidate = match[0].replace(TRAILING_PUNCTUATION, "");
    const href = safeUrl(candidate);
    if (!candidate || !href) continue;
    parent.append(document.createTextNode(source.slice(done, match.index)));
    parent.append(externalLink(href, candidate, newTabHint));
    done = match.index + candidate.length;
    URL_PATTERN.lastIndex = done;
  }
  parent.append(document.createTextNode(source.slice(done)));
}
