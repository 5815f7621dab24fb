// The side panel and the search results: plain DOM, built with textContent only (labels, properties and evidence
// ids come from documents and model output: never parsed as HTML).
import {kindColour} from "./style.js";

export function el(tag, attributes, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "className") node.className = value;
    else if (name === "onclick") node.addEventListener("click", value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

const number = new Intl.NumberFormat("en-US");
export const count = (n) => number.format(n);

function swatch(kind) {
  return el("span", {className: "ge-swatch", style: `background:${kindColour(kind)}`, "aria-hidden": "true"});
}

// A button naming a node; `open(key)` selects it.
function nodeButton(node, open) {
  return el("button", {type: "button", className: "ge-link", "data-key": node.key, onclick: () => open(node.key)},
    swatch(node.kind), node.label || node.name || node.key);
}

function keyValue(rows) {
  const list = el("dl", {className: "ge-facts"});
  for (const [name, value] of rows) {
    if (value === undefined || value === null || value === "" || (Array.isArray(value) && !value.length)) continue;
    list.append(el("dt", null, name), el("dd", null, Array.isArray(value) ? value.join(", ") : value));
  }
  return list;
}

function propertyText(value) {
  return typeof value === "object" && value !== null ? JSON.stringify(value) : String(value);
}

// Neighbours grouped by relation and direction, "→ relation" (out) and "← relation" (in), biggest group first.
function neighbourGroups(neighbours) {
  const groups = new Map();
  for (const one of neighbours) {
    const name = (one.direction === "in" ? "← " : "→ ") + one.edge.relation;
    if (!groups.has(name)) groups.set(name, []);
    groups.get(name).push(one);
  }
  return [...groups.entries()].sort((a, b) => b[1].length - a[1].length || a[0].localeCompare(b[0]));
}

// details: the concepts/<key> answer. actions: {open(key), pathFrom(key), pathTo(key), has(key)}.
export function renderDetails(container, details, actions) {
  const node = details.node;
  container.replaceChildren();
  container.dataset.key = node.key;
  container.append(
    el("h2", {id: "ge-details-title"}, swatch(node.kind), node.label || node.name),
    el("p", {className: "ge-actions"},
      el("button", {type: "button", className: "button", id: "ge-path-from", onclick: () => actions.pathFrom(node.key)},
        "Path from here"),
      " ",
      el("button", {type: "button", className: "button", id: "ge-path-to", onclick: () => actions.pathTo(node.key)},
        "Path to here")),
    keyValue([
      ["Key", node.key], ["Kind", node.kind], ["Name", node.name !== node.label ? node.name : null],
      ["Community", node.community_label || (node.community ?? null)], ["Mentions", node.mentions],
      ["Aliases", node.aliases],
      ...Object.entries(node.properties || {}).map(([name, value]) => [name, propertyText(value)]),
    ]),
  );

  const evidence = details.evidence || [];
  const evidenceList = el("ul", {id: "ge-evidence", className: "ge-evidence"});
  for (const id of evidence) {
    // An evidence id that is itself a node's key here ("document:kb/d1") opens that node.
    evidenceList.append(el("li", null, actions.has(String(id))
      ? el("button", {type: "button", className: "ge-link", onclick: () => actions.open(String(id))}, String(id))
      : el("code", null, String(id))));
  }
  container.append(el("section", {"aria-labelledby": "ge-evidence-title"},
    el("h3", {id: "ge-evidence-title"}, `Evidence (${count(evidence.length)})`),
    evidence.length ? evidenceList : el("p", {className: "help"}, "No evidence recorded for this node's edges.")));

  const neighbours = details.neighbours || [];
  const section = el("section", {id: "ge-neighbours", "aria-labelledby": "ge-neighbours-title"},
    el("h3", {id: "ge-neighbours-title"}, `Neighbours (${count(neighbours.length)})`));
  for (const [relation, members] of neighbourGroups(neighbours)) {
    section.append(el("h4", null, `${relation} (${members.length})`),
      el("ul", {className: "ge-neighbour-list", "data-relation": relation},
        members.map((one) => el("li", null, nodeButton(one.node, actions.open),
          el("span", {className: "ge-weight"}, ` ${Number(one.edge.weight).toFixed(2)}`)))));
  }
  if (!neighbours.length) section.append(el("p", {className: "help"}, "No current edges."));
  container.append(section);
}

// result: the path answer, found or not; actions as for renderDetails, plus clear().
export function renderPath(container, result, actions) {
  container.replaceChildren();
  container.hidden = false;
  const close = el("button", {type: "button", className: "ge-close", "aria-label": "Clear the path",
    onclick: actions.clear}, "×");
  if (!result.found) {
    container.append(close, el("h3", null, "Path"), el("p", {id: "ge-path-message"}, result.message || "No path."));
    return;
  }
  const byKey = new Map(result.nodes.map((node) => [node.key, node]));
  const steps = el("ol", {id: "ge-path-steps", className: "ge-path-steps"});
  result.path.forEach((key, i) => {
    const node = byKey.get(key) || {key, label: key, kind: ""};
    const edge = result.edges[i];
    steps.append(el("li", null, nodeButton(node, actions.open),
      edge ? el("span", {className: "ge-relation"}, ` ${edge.source === key ? "→" : "←"} ${edge.relation}`) : null));
  });
  const cost = result.cost === undefined || result.cost === null ? "" : `, cost ${Number(result.cost).toFixed(3)}`;
  container.append(close,
    el("h3", null, `Path: ${count(result.length)} hop${result.length === 1 ? "" : "s"}${cost}`), steps);
}

export function renderResults(list, nodes, open) {
  list.replaceChildren();
  list.hidden = !nodes.length;
  for (const node of nodes) {
    list.append(el("li", {role: "option"}, el("button", {type: "button", className: "ge-result", "data-key": node.key,
      onclick: () => open(node)}, swatch(node.kind), node.label || node.name,
    el("span", {className: "ge-kind"}, ` ${node.kind}`))));
  }
}
