// Builds the front-end assets into eia/static/govuk/ (ignored by git):
// GOV.UK Frontend compiled with the council font settings, its JavaScript and images.
import { cpSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as sass from "sass";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = join(root, "node_modules", "govuk-frontend", "dist", "govuk");
const out = join(root, "eia", "static", "govuk");

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const css = sass.compile(join(root, "assets", "app.scss"), {
  loadPaths: [join(root, "node_modules")],
  style: "compressed",
  quietDeps: true,
  silenceDeprecations: ["import"],
});
writeFileSync(join(out, "app.css"), css.css);
cpSync(join(dist, "govuk-frontend.min.js"), join(out, "govuk-frontend.min.js"));
mkdirSync(join(out, "assets"), { recursive: true });
cpSync(join(dist, "assets", "images"), join(out, "assets", "images"), { recursive: true });
console.log(`assets built in ${out}`);
