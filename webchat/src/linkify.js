// Splits message text into plain-text and link segments. Pure: no DOM, unit-tested in test/.
// Only http(s) addresses become links; everything else stays text (rendered with textContent).

const URL_PATTERN = /\bhttps?:\/\/[^\s<>"'`]+/gi;
// Punctuation that ends a sentence rather than an address: "Se https://helsenorge.no."
const TRAILING_PUNCTUATION = /[.,;:!?»"')\]]+$/;

export function safeHttpUrl(candidate) {
  try {
    const url = new URL(candidate);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
  } catch {
    return null;
  }
}

export function linkify(text) {
  const segments = [];
  let last = 0;
  for (const match of String(text).matchAll(URL_PATTERN)) {
    let raw = match[0];
    const trailing = raw.match(TRAILING_PUNCTUATION);
    if (trailing) raw = raw.slice(0, raw.length - trailing[0].length);
    const href = safeHttpUrl(raw);
    if (!href) continue;
    if (match.index > last) segments.push({ type: "text", text: text.slice(last, match.index) });
    segments.push({ type: "link", text: raw, href });
    last = match.index + raw.length;
  }
  if (last < String(text).length) segments.push({ type: "text", text: String(text).slice(last) });
  return segments;
}
