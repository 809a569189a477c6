// Builds the widget into dist/: one script (socket.io client, CSS and widget in an IIFE) plus
// the demo page. dist/ is generated, never committed. Usage: npm run build
import { build } from "esbuild";
import { cp, mkdir, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, "dist");

await rm(dist, { recursive: true, force: true });
await mkdir(dist, { recursive: true });
await build({
  entryPoints: [join(here, "src", "widget.js")],
  outfile: join(dist, "forlop-chat.js"),
  bundle: true,
  format: "iife", // one classic <script>, no globals but window.__forlopChat
  target: "es2020", // browsers from 2020 on: Safari 14, Chrome and Firefox of that year
  loader: { ".css": "text" },
  minify: true,
  sourcemap: true,
  legalComments: "linked",
  logLevel: "info",
});
await cp(join(here, "public"), dist, { recursive: true });
console.log("webchat: built", dist);
