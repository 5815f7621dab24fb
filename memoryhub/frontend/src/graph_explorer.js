// The knowledge-graph explorer: loads the graph from /api/v1/graph/visualize into graphology, draws it with
// sigma (WebGL), and lets a person search, filter by kind, expand a node's neighbours, show a path between two
// nodes and read a node's evidence. Everything comes from this server: the bundle is built from npm packages
// (memoryhub/frontend) and committed.
import Graph from "graphology";
import Sigma from "sigma";
import {createApi} from "./api.js";
import {placeMissing, ringSlot, runForceAtlas2, spacing} from "./layout.js";
import {count, el, renderDetails, renderPath, renderResults} from "./panel.js";
import {KIND_COLOURS, edgeReducer, kindColour, nodeReducer, sizeScale} from "./style.js";

(function () {
  "use strict";
  const root = document.querySelector(".graph-explorer");
  if (!root) return;
  const $ = (id) => document.getElementById(id);
  const api = createApi(root.dataset.apiBase);
  const LAYOUT_MS = Number(root.dataset.layoutMs) || 4000;
  const LAYOUT_ITERATIONS = Number(root.dataset.layoutIterations) || 300;
  const SEARCH_LIMIT = 15;

  const state = {hiddenKinds: new Set(), colourBy: "kind", selected: null, neighbours: new Set(), path: null};
  let graph = new Graph({multi: true, type: "directed", allowSelfLoops: false});
  let renderer = null, layout = null, scale = sizeScale([]), step = 1, loaded = {truncated: false, total: 0};
  let loadSeq = 0, selectSeq = 0, searchSeq = 0, searchTimer = null;

  function message(text, isError) {
    const line = $("ge-message");
    line.textContent = text;
    line.classList.toggle("errornote", Boolean(isError));
  }

  function failed(what, error) {
    message(`${what}: ${error.message || error}`, true);
  }

  function nodeShown(key, attributes) {
    return !state.hiddenKinds.has(attributes.kind) || key === state.selected || (state.path && state.path.nodes.has(key));
  }

  // The figures a person (and the tests) read: what is drawn now, after the kind filter.
  function updateCount() {
    let nodes = 0, edges = 0;
    const visible = new Set();
    graph.forEachNode((key, attributes) => { if (nodeShown(key, attributes)) { nodes++; visible.add(key); } });
    graph.forEachEdge((_, __, source, target) => { if (visible.has(source) && visible.has(target)) edges++; });
    let text = `${count(nodes)} nodes and ${count(edges)} edges shown`;
    if (nodes !== graph.order) text += ` (of ${count(graph.order)} loaded)`;
    if (loaded.truncated) text += `; the graph has ${count(loaded.total)} nodes, not all loaded`;
    $("ge-count").textContent = text;
    root.dataset.shownNodes = String(nodes);
    root.dataset.shownEdges = String(edges);
  }

  function refresh() {
    if (renderer) renderer.refresh();
    updateCount();
  }

  // --- graph building ------------------------------------------------------------------------------------------
  // place: {x, y} for a node added after loading; at load, the server's x and y (or none, placed afterwards).
  function addNode(node, place) {
    if (graph.hasNode(node.key)) return false;
    const where = place || {x: node.x, y: node.y};
    graph.addNode(node.key, {
      label: node.label || node.name || node.key, kind: node.kind, community: node.community ?? null,
      community_label: node.community_label || "", size: scale(node.size ?? node.mentions),
      x: Number.isFinite(where.x) ? where.x : undefined, y: Number.isFinite(where.y) ? where.y : undefined,
    });
    ensureKind(node.kind);
    return true;
  }

  function addEdge(edge) {
    const key = String(edge.id);
    if (graph.hasEdge(key) || !graph.hasNode(edge.source) || !graph.hasNode(edge.target)) return false;
    if (edge.source === edge.target) return false;
    graph.addDirectedEdgeWithKey(key, edge.source, edge.target, {relation: edge.relation, weight: edge.weight,
      size: 1});
    return true;
  }

  // Where a node that is not loaded yet goes: beside the first of `near` that is placed, else in the middle.
  function placeNear(near, slot) {
    const anchor = near.find((other) => graph.hasNode(other));
    if (!anchor) return {x: 0, y: 0};
    const {x, y} = graph.getNodeAttributes(anchor);
    return ringSlot(x, y, slot, step);
  }

  // --- the kind filter -----------------------------------------------------------------------------------------
  function ensureKind(kind) {
    const list = $("ge-kinds");
    if (list.querySelector(`input[value="${CSS.escape(kind)}"]`)) return;
    const box = el("input", {type: "checkbox", value: kind, checked: !state.hiddenKinds.has(kind),
      id: "ge-kind-" + kind.replace(/[^\w-]/g, "_")});
    box.addEventListener("change", () => {
      if (box.checked) state.hiddenKinds.delete(kind); else state.hiddenKinds.add(kind);
      refresh();
      message(box.checked ? `Showing ${kind} nodes.` : `Hiding ${kind} nodes.`);
    });
    list.append(el("label", {className: "ge-kind-choice"}, box,
      el("span", {className: "ge-swatch", style: `background:${kindColour(kind)}`, "aria-hidden": "true"}), kind));
  }

  function showKind(kind) {
    if (!state.hiddenKinds.delete(kind)) return;
    const box = $("ge-kinds").querySelector(`input[value="${CSS.escape(kind)}"]`);
    if (box) box.checked = true;
  }

  // --- loading ---------------------------------------------------------------------------------------------------
  async function load() {
    const limit = Number($("ge-limit").value) || 10000, seq = ++loadSeq;
    stopLayout();
    clearSelection(false);
    clearPath(false);
    root.dataset.state = "loading";
    delete root.dataset.expanded;
    message(`Loading up to ${count(limit)} nodes…`);
    let data;
    try {
      data = await api.visualize(limit, $("ge-load-kind").value);
    } catch (error) {
      if (seq !== loadSeq) return;
      root.dataset.state = "error";
      return failed("The graph could not be loaded", error);
    }
    if (seq !== loadSeq) return;  // a newer load was asked for meanwhile
    const fresh = new Graph({multi: true, type: "directed", allowSelfLoops: false});
    graph = fresh;
    scale = sizeScale(data.nodes.map((node) => node.size), data.nodes.length);
    for (const node of data.nodes) addNode(node);
    let edges = 0;
    for (const edge of data.edges) if (addEdge(edge)) edges++;
    const placed = placeMissing(graph);
    step = spacing(graph);
    loaded = {truncated: Boolean(data.truncated), total: data.total_nodes ?? graph.order};
    if (renderer) {
      renderer.setGraph(graph);
      renderer.getCamera().setState({x: 0.5, y: 0.5, ratio: 1, angle: 0});
    } else {
      startRenderer();
    }
    refresh();
    root.dataset.state = "ready";
    message(`Loaded ${count(graph.order)} nodes and ${count(edges)} edges.`);
    // Positions from the server are kept as they are; otherwise the clustered start is refined for a while.
    if (placed && graph.size) startLayout();
    else root.dataset.layout = "done";
  }

  function startRenderer() {
    const labelColour = getComputedStyle(document.documentElement).getPropertyValue("--body-fg").trim() || "#333";
    renderer = new Sigma(graph, $("ge-canvas"), {
      nodeReducer: nodeReducer(state, {hasExtremity: (e, n) => graph.hasExtremity(e, n)}),
      edgeReducer: edgeReducer(state, {hasExtremity: (e, n) => graph.hasExtremity(e, n)}),
      zIndex: true,
      hideEdgesOnMove: true,  // 20,000 edges redrawn on every pan frame would make panning stutter
      labelColor: {color: labelColour},
      labelRenderedSizeThreshold: 7,
      defaultEdgeType: "line",
      // Nodes grow only slowly as one zooms in (sigma's default is the square root): in a dense graph, zooming
      // is how close nodes come apart.
      zoomToSizeRatioFunction: (ratio) => Math.pow(ratio, 0.25),
      minCameraRatio: 0.005,
      maxCameraRatio: 4,
    });
    renderer.on("clickNode", ({node}) => select(node, {focus: false}));
    renderer.on("clickStage", () => { if (state.selected) clearSelection(true); });
    renderer.on("enterNode", () => { $("ge-canvas").style.cursor = "pointer"; });
    renderer.on("leaveNode", () => { $("ge-canvas").style.cursor = ""; });
  }

  // --- layout ----------------------------------------------------------------------------------------------------
  function startLayout() {
    stopLayout();
    root.dataset.layout = "running";
    $("ge-layout").textContent = "Stop layout";
    layout = runForceAtlas2(graph, {maxIterations: LAYOUT_ITERATIONS, maxMs: LAYOUT_MS, onDone: (iterations) => {
      layout = null;
      root.dataset.layout = "done";
      root.dataset.layoutRan = String(iterations);
      $("ge-layout").textContent = "Run layout";
      step = spacing(graph);
      message(`Layout: ${count(iterations)} ForceAtlas2 iterations.`);
    }});
  }

  function stopLayout() {
    if (layout) layout.stop();
  }

  // --- selection: details, evidence, and the neighbours added to the view --------------------------------------
  function focus(keys) {
    renderer.refresh();
    const points = keys.map((key) => renderer.getNodeDisplayData(key)).filter(Boolean);
    if (!points.length) return;
    const xs = points.map((p) => p.x), ys = points.map((p) => p.y);
    const x = (Math.min(...xs) + Math.max(...xs)) / 2, y = (Math.min(...ys) + Math.max(...ys)) / 2;
    const extent = Math.max(Math.max(...xs) - Math.min(...xs), Math.max(...ys) - Math.min(...ys));
    renderer.getCamera().animate({x, y, ratio: Math.min(1, Math.max(0.08, extent * 1.4))}, {duration: 400});
  }

  async function select(key, {focus: move = true, node = null} = {}) {
    const seq = ++selectSeq;
    state.selected = key;
    state.neighbours = new Set(graph.hasNode(key) ? graph.neighbors(key) : []);
    root.dataset.selected = key;
    if (renderer) refresh();
    message(`Loading ${key}…`);
    let details;
    try {
      details = await api.concept(key);
    } catch (error) {
      if (seq === selectSeq) failed(`${key} could not be opened`, error);
      return;
    }
    if (seq !== selectSeq) return;  // another node was chosen meanwhile
    const found = details.node || node;
    showKind(found.kind);
    const neighbours = details.neighbours || [];
    addNode(found, placeNear(neighbours.map((one) => one.node.key), 0));
    const centre = graph.getNodeAttributes(found.key), added = [];
    for (const one of neighbours) {
      if (addNode(one.node, ringSlot(centre.x, centre.y, added.length, step))) added.push(one.node.key);
    }
    let edges = 0;
    for (const one of neighbours) if (addEdge(one.edge)) edges++;
    state.selected = found.key;
    state.neighbours = new Set(graph.neighbors(found.key));
    root.dataset.selected = found.key;
    renderDetails($("ge-details"), details, panelActions);
    $("ge-details").hidden = false;
    refresh();
    if (move) focus([found.key]);
    const already = neighbours.length - added.length;
    message(`${found.label || found.key}: ${count(neighbours.length)} neighbours, ${count(added.length)} added to `
      + `the view (${count(already)} already shown), ${count(edges)} edges added.`);
    root.dataset.expanded = found.key;
  }

  function clearSelection(redraw) {
    selectSeq++;
    state.selected = null;
    state.neighbours = new Set();
    delete root.dataset.selected;
    if (redraw) refresh();
  }

  // --- search ------------------------------------------------------------------------------------------------------
  async function search(text, openFirst) {
    const seq = ++searchSeq, q = text.trim();
    const list = $("ge-results");
    if (q.length < 2) { renderResults(list, [], openResult); return; }
    let answer;
    try {
      answer = await api.search(q, SEARCH_LIMIT);
    } catch (error) {
      if (seq === searchSeq) failed("Search failed", error);
      return;
    }
    if (seq !== searchSeq) return;
    if (openFirst && answer.nodes.length) { openResult(answer.nodes[0]); return; }
    renderResults(list, answer.nodes, openResult);
    message(answer.nodes.length ? `${count(answer.count ?? answer.nodes.length)} found for “${q}”.`
      : `Nothing found for “${q}”.`);
  }

  function openResult(node) {
    renderResults($("ge-results"), [], openResult);
    select(node.key, {focus: true, node});
  }

  // --- paths -----------------------------------------------------------------------------------------------------
  // What a person typed: a key as it is, else a loaded node's label, else the server's best search match.
  async function resolve(text) {
    const wanted = text.trim();
    if (!wanted) throw new Error("both ends are needed");
    if (graph.hasNode(wanted) || /^[\w-]+:/.test(wanted)) return wanted;
    const lower = wanted.toLowerCase();
    const local = graph.findNode((_, attributes) => String(attributes.label).toLowerCase() === lower);
    if (local) return local;
    const answer = await api.search(wanted, 1);
    if (!answer.nodes.length) throw new Error(`nothing is named “${wanted}”`);
    return answer.nodes[0].key;
  }

  async function findPath(event) {
    event.preventDefault();
    let from, to, result;
    try {
      [from, to] = await Promise.all([resolve($("ge-from").value), resolve($("ge-to").value)]);
      message(`Looking for a path from ${from} to ${to}…`);
      result = await api.path(from, to, $("ge-weighted").checked);
    } catch (error) {
      return failed("No path", error);
    }
    if (!result.found) {
      state.path = null;
      root.dataset.path = "none";
      renderPath($("ge-path"), result, panelActions);
      refresh();
      return message(result.message || "No path.");
    }
    // A step not loaded yet goes beside the step before it (or after it, for the first).
    const byKey = new Map(result.nodes.map((node) => [node.key, node]));
    result.path.forEach((key, i) => {
      if (byKey.has(key)) addNode(byKey.get(key), placeNear([result.path[i - 1], result.path[i + 1]], i));
    });
    for (const edge of result.edges) addEdge(edge);
    state.path = {nodes: new Set(result.path), edges: new Set(result.edges.map((edge) => String(edge.id)))};
    root.dataset.path = "found";
    renderPath($("ge-path"), result, panelActions);
    refresh();
    focus(result.path);
    message(`Path of ${count(result.length)} hops from ${from} to ${to}.`);
  }

  function clearPath(redraw) {
    state.path = null;
    delete root.dataset.path;
    $("ge-path").hidden = true;
    $("ge-path").replaceChildren();
    if (redraw) refresh();
  }

  const panelActions = {
    open: (key) => select(key, {focus: true}),
    has: (key) => graph.hasNode(key),
    pathFrom: (key) => { $("ge-from").value = key; $("ge-to").focus(); },
    pathTo: (key) => { $("ge-to").value = key; $("ge-from").focus(); },
    clear: () => clearPath(true),
  };

  // --- wiring ------------------------------------------------------------------------------------------------------
  function legend() {
    for (const kind of Object.keys(KIND_COLOURS)) ensureKind(kind);
  }

  $("ge-search-form").addEventListener("submit", (event) => {
    event.preventDefault();
    clearTimeout(searchTimer);
    search($("ge-search").value, true);
  });
  $("ge-search").addEventListener("input", () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => search($("ge-search").value, false), 250);
  });
  $("ge-search").addEventListener("keydown", (event) => {
    if (event.key === "Escape") renderResults($("ge-results"), [], openResult);
  });
  document.addEventListener("click", (event) => {  // a click elsewhere closes the results
    if (!$("ge-search-form").contains(event.target)) renderResults($("ge-results"), [], openResult);
  });
  $("ge-load-form").addEventListener("submit", (event) => { event.preventDefault(); load(); });
  $("ge-layout").addEventListener("click", () => { if (layout) stopLayout(); else if (graph.order) startLayout(); });
  $("ge-colour").addEventListener("change", (event) => { state.colourBy = event.target.value; refresh(); });
  $("ge-path-form").addEventListener("submit", findPath);
  $("ge-path-clear").addEventListener("click", () => clearPath(true));

  // For the console and the browser tests: the live graph and renderer, and where a node is on screen.
  window.graphExplorer = {
    graph: () => graph,
    renderer: () => renderer,
    state,
    viewportPosition(key) {
      const {x, y} = graph.getNodeAttributes(key);
      return renderer.graphToViewport({x, y});
    },
  };

  legend();
  load();
})();
