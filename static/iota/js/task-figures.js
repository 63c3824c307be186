// Pictures of the performance tasks, drawn as SVG because school tablets often lack
// emoji fonts: the figures of the picture game (shape, colour, pattern, size), the
// symbols of the secret code, stars and tokens. Every drawing is decorative
// (aria-hidden); the player always shows or speaks the words next to it.

const SVG_NS = "http://www.w3.org/2000/svg";
// Red, blue and yellow stay apart for most colour-blind pupils, unlike red and
// green; a dark outline keeps yellow visible on white.
const COLORS = { red: "#d7263d", blue: "#1f5fbf", yellow: "#f4c20d" };
const OUTLINE = "#1d2733";
let patternCount = 0;

function svg(tag, attributes = {}, children = []) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [key, value] of Object.entries(attributes)) {
    node.setAttribute(key, String(value));
  }
  for (const child of children) {
    node.appendChild(child);
  }
  return node;
}

function canvas(className) {
  return svg("svg", {
    viewBox: "0 0 100 100",
    class: className,
    "aria-hidden": "true",
    focusable: "false",
  });
}

function starPoints(cx, cy, outer, inner) {
  const points = [];
  for (let index = 0; index < 10; index += 1) {
    const radius = index % 2 === 0 ? outer : inner;
    const angle = -Math.PI / 2 + (index * Math.PI) / 5;
    points.push(`${(cx + radius * Math.cos(angle)).toFixed(1)},` +
      `${(cy + radius * Math.sin(angle)).toFixed(1)}`);
  }
  return points.join(" ");
}

function shapeNode(shape, attributes) {
  if (shape === "circle") {
    return svg("circle", { cx: 50, cy: 50, r: 40, ...attributes });
  }
  if (shape === "square") {
    return svg("rect", { x: 12, y: 12, width: 76, height: 76, ...attributes });
  }
  if (shape === "triangle") {
    return svg("polygon", { points: "50,8 92,88 8,88", ...attributes });
  }
  return svg("polygon", { points: starPoints(50, 52, 44, 18), ...attributes });
}

function patternDef(kind, id) {
  if (kind === "stripes") {
    return svg("pattern", {
      id, width: 10, height: 10, patternUnits: "userSpaceOnUse",
      patternTransform: "rotate(45)",
    }, [svg("rect", { x: 0, y: 0, width: 4, height: 10, fill: "#ffffff" })]);
  }
  return svg("pattern", { id, width: 14, height: 14, patternUnits: "userSpaceOnUse" },
    [svg("circle", { cx: 7, cy: 7, r: 3.2, fill: "#ffffff" })]);
}

// A figure of the picture game: {shape, color, pattern, size}; a missing feature
// is drawn plain, big or black.
export function drawFigure(features) {
  const root = canvas("figure");
  const group = svg("g");
  if (features.size === "small") {
    group.setAttribute("transform", "translate(22 22) scale(0.56)");
  }
  const fill = COLORS[features.color] || OUTLINE;
  group.appendChild(shapeNode(features.shape, {
    fill, stroke: OUTLINE, "stroke-width": 3, "stroke-linejoin": "round",
  }));
  if (features.pattern === "stripes" || features.pattern === "dots") {
    patternCount += 1;
    const id = `task-pattern-${patternCount}`;
    root.appendChild(svg("defs", {}, [patternDef(features.pattern, id)]));
    group.appendChild(shapeNode(features.shape, { fill: `url(#${id})`, opacity: 0.85 }));
  }
  root.appendChild(group);
  return root;
}

const SYMBOLS = {
  star: () => [svg("polygon", {
    points: starPoints(50, 53, 44, 19), fill: "#f4c20d", stroke: OUTLINE,
    "stroke-width": 3, "stroke-linejoin": "round",
  })],
  heart: () => [svg("path", {
    d: "M50 88 C20 66 8 48 8 32 C8 18 19 10 30 10 C40 10 47 17 50 24 " +
      "C53 17 60 10 70 10 C81 10 92 18 92 32 C92 48 80 66 50 88 Z",
    fill: "#d7263d", stroke: OUTLINE, "stroke-width": 3,
  })],
  moon: () => [svg("path", {
    d: "M62 8 A42 42 0 1 0 62 92 A34 34 0 1 1 62 8 Z",
    fill: "#8a94a6", stroke: OUTLINE, "stroke-width": 3,
  })],
  sun: () => {
    const rays = [];
    for (let index = 0; index < 8; index += 1) {
      const angle = (index * Math.PI) / 4;
      rays.push(svg("line", {
        x1: (50 + 30 * Math.cos(angle)).toFixed(1), y1: (50 + 30 * Math.sin(angle)).toFixed(1),
        x2: (50 + 46 * Math.cos(angle)).toFixed(1), y2: (50 + 46 * Math.sin(angle)).toFixed(1),
        stroke: "#e07b00", "stroke-width": 6, "stroke-linecap": "round",
      }));
    }
    return [...rays, svg("circle", {
      cx: 50, cy: 50, r: 24, fill: "#f4c20d", stroke: OUTLINE, "stroke-width": 3,
    })];
  },
  cloud: () => [svg("path", {
    d: "M26 78 C12 78 6 68 8 59 C10 50 18 46 26 47 C27 33 38 24 51 26 " +
      "C62 27 69 35 71 43 C82 41 93 49 92 61 C91 71 83 78 73 78 Z",
    fill: "#dfe8f5", stroke: OUTLINE, "stroke-width": 3,
  })],
};

// A symbol of the secret code: star, heart, moon, sun or cloud.
export function drawSymbol(key) {
  const root = canvas(`symbol symbol-${key}`);
  for (const node of (SYMBOLS[key] || SYMBOLS.star)()) {
    root.appendChild(node);
  }
  return root;
}

// A row of `count` stars, for the rewards of the number puzzles.
export function drawStars(count) {
  const row = document.createElement("span");
  row.className = "stars";
  row.setAttribute("aria-hidden", "true");
  for (let index = 0; index < count; index += 1) {
    row.appendChild(drawSymbol("star"));
  }
  return row;
}

// One token of the class pot game; `empty` draws the outline of a token not given.
export function drawToken(empty = false) {
  const root = canvas(empty ? "token token-kept" : "token");
  root.appendChild(svg("circle", {
    cx: 50, cy: 50, r: 42, fill: empty ? "#ffffff" : "#e8b923",
    stroke: "#8a6a00", "stroke-width": 6,
  }));
  if (!empty) {
    root.appendChild(svg("circle", { cx: 50, cy: 50, r: 24, fill: "none",
      stroke: "#8a6a00", "stroke-width": 4 }));
  }
  return root;
}
