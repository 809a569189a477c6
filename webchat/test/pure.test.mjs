// Unit tests of the widget's pure helpers: npm run check
import { test } from "node:test";
import assert from "node:assert/strict";
import { linkify, safeHttpUrl } from "../src/linkify.js";
import { contrast, parseHex, resolvePrimary, DEFAULT_PRIMARY } from "../src/colors.js";

test("plain text stays one text segment", () => {
  assert.deepEqual(linkify("<img src=x onerror=alert(1)>"), [{ type: "text", text: "<img src=x onerror=alert(1)>" }]);
});

test("http(s) addresses become links, sentence punctuation stays text", () => {
  const segments = linkify("Les mer på https://www.helsenorge.no/psykisk-helse/pakkeforlop-for-psykisk-helse-og-rus/.");
  assert.equal(segments.length, 3);
  assert.equal(segments[1].type, "link");
  assert.equal(segments[1].href, "https://www.helsenorge.no/psykisk-helse/pakkeforlop-for-psykisk-helse-og-rus/");
  assert.equal(segments[2].text, ".");
});

test("no other scheme becomes a link", () => {
  for (const text of ["javascript:alert(1)", "data:text/html,<b>x</b>", "vbscript:x", "ftp://x.no"]) {
    assert.ok(linkify(text).every((s) => s.type === "text"), text);
  }
  assert.equal(safeHttpUrl("javascript:alert(1)"), null);
});

test("a link cannot smuggle markup: quotes and angle brackets end it", () => {
  const segments = linkify('https://x.no/"><script>alert(1)</script>');
  assert.equal(segments[0].href, "https://x.no/");
});

test("contrast of the default colour reaches AA on white", () => {
  assert.ok(contrast(parseHex(DEFAULT_PRIMARY), [255, 255, 255]) >= 4.5);
});

test("a pale colour falls back to the default", () => {
  assert.deepEqual(resolvePrimary("#ffcc00"), { primary: DEFAULT_PRIMARY, onPrimary: "#ffffff", accepted: false });
  assert.equal(resolvePrimary("#0b3d2e").primary, "#0b3d2e");
  assert.equal(resolvePrimary("red; background:url(x)").accepted, false);
  assert.equal(resolvePrimary(undefined).accepted, true);
});
