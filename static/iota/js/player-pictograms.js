// Pictures drawn on the answer buttons, as inline SVG built with DOM calls (no
// innerHTML, so nothing here needs the Content Security Policy relaxed).
// The keys must match PICTOGRAMS in assessment/instruments.py.

const SVG = "http://www.w3.org/2000/svg";

function element(name, attributes) {
  const node = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) {
    node.setAttribute(key, String(value));
  }
  return node;
}

// circle-1 to circle-5: a filled disc growing inside a faint ring of the largest size,
// so that each button shows "how much" at a glance.
function circle(size) {
  const group = element("g", {});
  group.appendChild(element("circle", {
    cx: 50, cy: 50, r: 46, fill: "none", stroke: "currentColor",
    "stroke-opacity": 0.25, "stroke-width": 3,
  }));
  group.appendChild(element("circle", {
    cx: 50, cy: 50, r: 8 + size * 7.5, fill: "currentColor",
  }));
  return group;
}

// Faces from frowning to smiling: the mouth is a quadratic curve whose control point
// moves from above the corners (frown) to below them (smile).
const MOUTH_CURVES = {
  "face-frown": -16,
  "face-slight-frown": -7,
  "face-neutral": 0,
  "face-slight-smile": 8,
  "face-smile": 18,
};

function face(key) {
  const group = element("g", {});
  group.appendChild(element("circle", {
    cx: 50, cy: 50, r: 44, fill: "#ffd84d", stroke: "currentColor", "stroke-width": 4,
  }));
  group.appendChild(element("circle", { cx: 35, cy: 40, r: 5, fill: "currentColor" }));
  group.appendChild(element("circle", { cx: 65, cy: 40, r: 5, fill: "currentColor" }));
  const curve = MOUTH_CURVES[key];
  const corners = 66 - curve / 4;
  group.appendChild(element("path", {
    d: `M 30 ${corners} Q 50 ${corners + curve * 1.6} 70 ${corners}`,
    fill: "none", stroke: "currentColor", "stroke-width": 5, "stroke-linecap": "round",
  }));
  return group;
}

export const PICTOGRAM_KEYS = [
  "circle-1", "circle-2", "circle-3", "circle-4", "circle-5",
  ...Object.keys(MOUTH_CURVES),
];

export function drawPictogram(key) {
  const svg = element("svg", {
    viewBox: "0 0 100 100", width: 96, height: 96, "aria-hidden": "true",
    focusable: "false", class: "pictogram",
  });
  if (key.startsWith("circle-")) {
    svg.appendChild(circle(Number(key.slice("circle-".length))));
  } else if (key in MOUTH_CURVES) {
    svg.appendChild(face(key));
  }
  return svg;
}
