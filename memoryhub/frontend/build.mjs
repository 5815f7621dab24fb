// npm run build: bundles src/graph_explorer.js (sigma, graphology, ForceAtlas2 and its worker inlined) into one
// minified file and minifies src/graph_explorer.css, both into memoryhub/static/memoryhub/, where Django serves
// them. The bundle starts with the licence of every package bundled in it (MIT requires the notice to travel
// with the copies); esbuild's own legal comments, if any, are collected and put there too.
import {build} from "esbuild";
import {readFileSync, readdirSync, writeFileSync, mkdirSync} from "node:fs";
import {dirname, join, relative} from "node:path";
import {fileURLToPath} from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, "..", "static", "memoryhub");
mkdirSync(out, {recursive: true});

const result = await build({
  entryPoints: [join(here, "src", "graph_explorer.js")],
  bundle: true,
  minify: true,
  format: "iife",
  target: ["es2020"],
  platform: "browser",
  legalComments: "external",
  metafile: true,
  write: false,
  outfile: join(out, "graph_explorer.js"),
  logLevel: "warning",
});

// Which packages ended up in the bundle, read from the inputs esbuild used.
const packages = new Map();
for (const input of Object.keys(result.metafile.inputs)) {
  const match = input.match(/node_modules\/((?:@[^/]+\/)?[^/]+)\//);
  if (!match || packages.has(match[1])) continue;
  const folder = join(here, "node_modules", match[1]);
  const manifest = JSON.parse(readFileSync(join(folder, "package.json"), "utf8"));
  const licenceFile = readdirSync(folder).find((name) => /^licen[cs]e/i.test(name));
  packages.set(match[1], {
    version: manifest.version,
    licence: manifest.license,
    text: licenceFile ? readFileSync(join(folder, licenceFile), "utf8").trim() : null,
  });
}

const names = [...packages.keys()].sort();
const lines = [
  "Autodidact knowledge-graph explorer. Built by memoryhub/frontend (npm run build); bundles:",
  ...names.map((name) => `  ${name} ${packages.get(name).version} (${packages.get(name).licence})`),
  "",
];
for (const name of names) {
  const {text} = packages.get(name);
  lines.push(`--- ${name} ---`, text || `Licensed under ${packages.get(name).licence}; no licence file shipped.`, "");
}
const legal = result.outputFiles.find((file) => file.path.endsWith(".LEGAL.txt"));
if (legal && legal.text.trim()) lines.push("--- legal comments found in the sources ---", legal.text.trim());
const banner = "/*!\n" + lines.join("\n").replaceAll("*/", "* /") + "\n*/\n";

const code = result.outputFiles.find((file) => file.path.endsWith("graph_explorer.js"));
writeFileSync(join(out, "graph_explorer.js"), banner + code.text);

await build({
  entryPoints: [join(here, "src", "graph_explorer.css")],
  bundle: true,
  minify: true,
  outfile: join(out, "graph_explorer.css"),
  logLevel: "warning",
});

for (const name of ["graph_explorer.js", "graph_explorer.css"]) {
  const size = readFileSync(join(out, name)).length;
  console.log(`${relative(process.cwd(), join(out, name))}: ${(size / 1024).toFixed(1)} KiB`);
}
console.log(`bundled: ${names.map((name) => `${name}@${packages.get(name).version}`).join(", ")}`);
