// WCAG 2.1 contrast for the configurable colour (data-primary-color). Pure, unit-tested.

export const DEFAULT_PRIMARY = "#005a8c";
export const MIN_TEXT_CONTRAST = 4.5; // WCAG 2.1 AA, normal text

export function parseHex(color) {
  const match = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(String(color || "").trim());
  if (!match) return null;
  let hex = match[1];
  if (hex.length === 3) hex = hex.replace(/./g, (c) => c + c);
  return [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16));
}

function luminance([r, g, b]) {
  const channel = (v) => {
    const s = v / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
}

export function contrast(a, b) {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

// The primary colour carries white text (header, launcher, your messages) and is used as a
// colour on white (links, focus rings), so it must reach AA contrast against white. Anything
// else, or a value that is not #rgb / #rrggbb, falls back to the default; `accepted` tells the
// caller to warn in the console.
export function resolvePrimary(color) {
  const rgb = parseHex(color);
  const white = [255, 255, 255];
  if (!rgb || contrast(rgb, white) < MIN_TEXT_CONTRAST) {
    return { primary: DEFAULT_PRIMARY, onPrimary: "#ffffff", accepted: color == null };
  }
  return { primary: String(color).trim(), onPrimary: "#ffffff", accepted: true };
}
