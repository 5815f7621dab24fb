// Where nodes go. Positions the server sends are kept; the rest start clustered by community (by kind when a
// node has none), each cluster a sunflower disc: deterministic, O(n), and already readable at 10,000 nodes.
// ForceAtlas2 then runs in a web worker for a bounded time and number of iterations, so the page stays
// responsive and a big graph never spins forever.
import FA2Layout from "graphology-layout-forceatlas2/worker";
import forceAtlas2 from "graphology-layout-forceatlas2";

const GOLDEN_ANGLE = Math.PI * (3 - Math.sqrt(5));

function groupOf(attributes) {
  return attributes.community === null || attributes.community === undefined
    ? "kind:" + attributes.kind : "community:" + attributes.community;
}

// Places every node whose x or y is missing; returns how many it placed.
export function placeMissing(graph) {
  const groups = new Map();
  graph.forEachNode((key, attributes) => {
    if (Number.isFinite(attributes.x) && Number.isFinite(attributes.y)) return;
    const group = groupOf(attributes);
    if (!groups.has(group)) groups.set(group, []);
    groups.get(group).push(key);
  });
  // Biggest clusters in the middle; each centre on an outer sunflower, spaced by the area placed before it.
  const ordered = [...groups.values()].sort((a, b) => b.length - a.length);
  let placed = 0, area = 0;
  ordered.forEach((keys, index) => {
    const radius = Math.sqrt(keys.length);
    const distance = index === 0 ? 0 : 1.6 * Math.sqrt(area + keys.length / 2) + radius;
    const cx = distance * Math.cos(index * GOLDEN_ANGLE), cy = distance * Math.sin(index * GOLDEN_ANGLE);
    keys.forEach((key, i) => {
      const r = Math.sqrt(i + 0.5), theta = i * GOLDEN_ANGLE;
      graph.mergeNodeAttributes(key, {x: cx + r * Math.cos(theta), y: cy + r * Math.sin(theta)});
    });
    area += keys.length;
    placed += keys.length;
  });
  return placed;
}

// A typical distance between neighbouring nodes: how far from its anchor an expanded neighbour is put.
export function spacing(graph) {
  let minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity;
  graph.forEachNode((_, a) => {
    minX = Math.min(minX, a.x); maxX = Math.max(maxX, a.x);
    minY = Math.min(minY, a.y); maxY = Math.max(maxY, a.y);
  });
  if (!graph.order || !Number.isFinite(minX)) return 1;
  return Math.max(1e-6, Math.max(maxX - minX, maxY - minY) / Math.sqrt(graph.order));
}

// The i-th place on rings around (x, y), 12 to a ring: where new neighbours of an expanded node go. Computed
// before the node is added, so the renderer never sees a node without coordinates.
export function ringSlot(x, y, i, step) {
  const ring = 1 + Math.floor(i / 12), theta = (i % 12) * (Math.PI / 6) + ring * 0.4;
  return {x: x + ring * step * Math.cos(theta), y: y + ring * step * Math.sin(theta)};
}

// Runs ForceAtlas2 in a worker until `maxIterations` or `maxMs`, whichever comes first; stop() ends it early.
// onDone(iterations, stopped) is called once.
export function runForceAtlas2(graph, {maxIterations, maxMs, onDone}) {
  const settings = {...forceAtlas2.inferSettings(graph), adjustSizes: false};
  const layout = new FA2Layout(graph, {settings, getEdgeWeight: null});
  let iterations = 0, finished = false, timer = null;
  // The supervisor writes every iteration's positions in one updateEachNodeAttributes: one event per iteration.
  // This runs inside the supervisor's message handler, which still uses its buffers after the update: killing
  // it here would pull them away mid-way. stop() now (no further updates), kill once the handler is done.
  const counted = () => {
    iterations++;
    if (iterations < maxIterations || finished) return;
    layout.stop();
    setTimeout(() => finish(false), 0);
  };
  function finish(stopped) {
    if (finished) return;
    finished = true;
    clearTimeout(timer);
    graph.removeListener("eachNodeAttributesUpdated", counted);
    layout.kill();  // terminates the worker and unbinds its graph listeners
    onDone(iterations, stopped);
  }
  graph.on("eachNodeAttributesUpdated", counted);
  timer = setTimeout(() => finish(false), maxMs);
  layout.start();
  return {stop: () => finish(true), isRunning: () => !finished};
}
