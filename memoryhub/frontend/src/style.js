// How nodes and edges look: colour by kind (or community), the kind filter, the selected node with its
// neighbours, and a highlighted path. All of it lives in sigma's reducers, so the graph's attributes stay as the
// server sent them and a change of view is one refresh, not a rewrite of 10,000 nodes.

export const KIND_COLOURS = {
  concept: "#417690",
  skill: "#2a9d8f",
  document: "#e76f51",
  insight: "#8e44ad",
};
const OTHER_COLOURS = ["#c9a227", "#5c7cfa", "#d6336c", "#37b24d", "#f76707", "#7950f2"];
const FADED_NODE = "#d9d9d9", FADED_EDGE = "#ececec", EDGE = "#c4c4c4";
const NEIGHBOUR_EDGE = "#7a7a7a", PATH = "#e8590c", SELECTED = "#d9480f";
const NEIGHBOUR_LABELS_MAX = 40;  // past this many neighbours, forcing every label would cover the view

function hash(text) {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

function hslToHex(h, s, l) {
  const a = s * Math.min(l, 1 - l);
  const f = (n) => {
    const k = (n + h / 30) % 12;
    const c = l - a * Math.max(-1, Math.min(k - 3, 9 - k, 1));
    return Math.round(255 * c).toString(16).padStart(2, "0");
  };
  return "#" + f(0) + f(8) + f(4);
}

export function kindColour(kind) {
  return KIND_COLOURS[kind] || OTHER_COLOURS[hash(String(kind)) % OTHER_COLOURS.length];
}

function communityColour(community) {
  if (community === null || community === undefined) return "#9e9e9e";
  return hslToHex((hash(String(community)) * 137.508) % 360, 0.55, 0.48);
}

// state: {hiddenKinds: Set, colourBy: "kind"|"community", selected: key|null, neighbours: Set,
//         path: {nodes: Set, edges: Set}|null}
export function nodeReducer(state, graph) {
  return (node, data) => {
    const shown = {...data, color: state.colourBy === "community" ? communityColour(data.community)
      : kindColour(data.kind)};
    const onPath = state.path && state.path.nodes.has(node);
    // The filter hides a kind, except the node being looked at and a path being shown (they were asked for).
    if (state.hiddenKinds.has(data.kind) && node !== state.selected && !onPath) {
      shown.hidden = true;
      return shown;
    }
    if (state.path) {
      if (onPath) {
        Object.assign(shown, {color: PATH, forceLabel: true, highlighted: node === state.selected, zIndex: 2,
          size: Math.max(data.size, 8)});
      } else {
        Object.assign(shown, {color: FADED_NODE, label: "", zIndex: 0});
      }
    } else if (state.selected) {
      if (node === state.selected) {
        Object.assign(shown, {color: SELECTED, highlighted: true, forceLabel: true, zIndex: 2,
          size: Math.max(data.size, 9)});
      } else if (state.neighbours.has(node)) {
        Object.assign(shown, {forceLabel: state.neighbours.size <= NEIGHBOUR_LABELS_MAX, zIndex: 1});
      } else {
        Object.assign(shown, {color: FADED_NODE, label: "", zIndex: 0});
      }
    }
    return shown;
  };
}

export function edgeReducer(state, graph) {
  return (edge, data) => {
    const shown = {...data, color: EDGE};
    if (state.path) {
      if (state.path.edges.has(edge)) Object.assign(shown, {color: PATH, size: 4, zIndex: 2});
      else Object.assign(shown, {color: FADED_EDGE, zIndex: 0});
    } else if (state.selected) {
      if (graph.hasExtremity(edge, state.selected)) Object.assign(shown, {color: NEIGHBOUR_EDGE, size: 2, zIndex: 1});
      else Object.assign(shown, {color: FADED_EDGE, zIndex: 0});
    }
    return shown;
  };
}

// Node size on screen from the server's "size" (or mentions): log-scaled against the largest seen, into 2..12 px
// for a small graph and 1.5..7 px at 10,000 nodes, where bigger discs would cover each other.
export function sizeScale(values, order) {
  let max = 1;
  for (const value of values) if (Number.isFinite(value) && value > max) max = value;
  const top = Math.log1p(max), low = order > 2000 ? 1.5 : 2, high = order > 5000 ? 7 : order > 1000 ? 9 : 12;
  return (value) => low + (high - low) * (Number.isFinite(value) && value > 0 ? Math.min(1, Math.log1p(value) / top) : 0);
}
