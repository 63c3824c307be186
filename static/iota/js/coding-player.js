// The coding player: the pupil builds a program with Blockly blocks, runs it, and
// watches the robot move step by step on the grid. grid-engine.js runs the program
// here with the same rules as activities/engine.py, which runs it again on the server
// before an attempt counts as a success. Each run is sent as an attempt through the
// AnswerQueue, so runs made while the network is down are sent when it comes back,
// and the pupil's blocks are kept in localStorage across reloads.
//
// The page loads Blockly (vendor/blockly/blockly_compressed.js and its messages in
// the page's language) with classic script tags before this module, and passes its
// data through json_script ("coding-data").

import { AnswerQueue, newKey } from "./player-queue.js";
import { format, make, readAloud, renderQueueStatus, startPlayer } from "./player-dom.js";
import {
  COLLECT,
  IF_ITEM_HERE,
  IF_PATH_AHEAD,
  IF_WALL_AHEAD,
  MOVE_FORWARD,
  PROGRAM_BLOCK_TYPES,
  REPEAT,
  REPEAT_UNTIL_GOAL,
  START_BLOCK,
  TURN_LEFT,
  TURN_RIGHT,
  runProgram,
} from "./grid-engine.js";

const SVG_NS = "http://www.w3.org/2000/svg";
const TILE = 48;
const STEP_MS = 450;
const FAST_STEP_MS = 120;
const HEADING_ANGLES = { north: 0, east: 90, south: 180, west: 270 };
const TILE_CLASSES = { "#": "wall", ".": "open", S: "start", G: "goal", X: "obstacle" };
// Block colours: moves blue, loops green, tests orange, the start purple. Blockly's
// own colours from a hue are too light for its white text (2.98:1 for green), so
// these are dark enough for 6:1 or more, above WCAG AA's 4.5:1 for small text.
const COLOUR_ACTION = "#2f5f9a";
const COLOUR_LOOP = "#2e7031";
const COLOUR_TEST = "#9c4a00";
const COLOUR_START = "#6b3d8a";

function svg(tag, attributes = {}) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [key, value] of Object.entries(attributes)) {
    node.setAttribute(key, String(value));
  }
  return node;
}

// The Content Security Policy accepts only <style> elements that carry the page's
// nonce, and Blockly adds two while it injects (its common rules and its
// renderer's). They get the nonce of the page's scripts, read from the nonce IDL
// attribute because browsers hide the content attribute.
function withStyleNonce(action) {
  const holder = document.querySelector("script[nonce]");
  const nonce = holder ? holder.nonce : "";
  const createElement = document.createElement;
  document.createElement = function createElementWithNonce(tagName, options) {
    const element = createElement.call(document, tagName, options);
    if (nonce && String(tagName).toLowerCase() === "style") {
      element.nonce = nonce;
    }
    return element;
  };
  try {
    return action();
  } finally {
    document.createElement = createElement;
  }
}

// Blockly also sets some SVG elements' inline style with setAttribute("style", …),
// which the same policy blocks (a hidden connection highlight would then show).
// Declarations set through the CSSOM are allowed, so that one attribute of SVG
// elements is written there instead.
function routeSvgStyleAttribute() {
  const setAttribute = Element.prototype.setAttribute;
  SVGElement.prototype.setAttribute = function setAttributeWithoutInlineStyle(name, value) {
    if (String(name).toLowerCase() === "style") {
      this.style.cssText = String(value);
      return;
    }
    setAttribute.call(this, name, value);
  };
}

// The block definitions, with the labels the server translated.
function defineBlocks(Blockly, labels) {
  const statement = (type, text, colour) => ({
    type,
    message0: text,
    previousStatement: null,
    nextStatement: null,
    colour,
  });
  const container = (type, text, colour, extra = {}) => ({
    type,
    message0: `${text} %1`,
    args0: [{ type: "input_statement", name: "DO" }],
    previousStatement: null,
    nextStatement: null,
    colour,
    ...extra,
  });
  const test = (type, text) => container(type, text, COLOUR_TEST, {
    message1: `${labels.else} %1`,
    args1: [{ type: "input_statement", name: "ELSE" }],
  });
  Blockly.common.defineBlocksWithJsonArray([
    { type: START_BLOCK, message0: labels[START_BLOCK], nextStatement: null, colour: COLOUR_START },
    statement(MOVE_FORWARD, labels[MOVE_FORWARD], COLOUR_ACTION),
    statement(TURN_LEFT, labels[TURN_LEFT], COLOUR_ACTION),
    statement(TURN_RIGHT, labels[TURN_RIGHT], COLOUR_ACTION),
    statement(COLLECT, labels[COLLECT], COLOUR_ACTION),
    {
      type: REPEAT,
      message0: labels[REPEAT],
      args0: [{ type: "field_number", name: "TIMES", value: 3, min: 0, max: 20, precision: 1 }],
      message1: "%1",
      args1: [{ type: "input_statement", name: "DO" }],
      previousStatement: null,
      nextStatement: null,
      colour: COLOUR_LOOP,
    },
    container(REPEAT_UNTIL_GOAL, labels[REPEAT_UNTIL_GOAL], COLOUR_LOOP),
    test(IF_PATH_AHEAD, labels[IF_PATH_AHEAD]),
    test(IF_WALL_AHEAD, labels[IF_WALL_AHEAD]),
    test(IF_ITEM_HERE, labels[IF_ITEM_HERE]),
  ]);
}

class GridView {
  constructor(grid, strings) {
    this.grid = grid;
    this.items = new Map();
    const width = grid.width * TILE;
    const height = grid.height * TILE;
    this.root = svg("svg", {
      viewBox: `0 0 ${width} ${height}`,
      class: "grid-world",
      role: "img",
      "aria-label": strings.gridLabel,
    });
    grid.tiles.forEach((row, y) => {
      Array.from(row).forEach((tile, x) => {
        this.root.appendChild(svg("rect", {
          x: x * TILE, y: y * TILE, width: TILE, height: TILE,
          class: `tile tile-${TILE_CLASSES[tile] || "open"}`,
        }));
        if (tile === "G") {
          this.root.appendChild(svg("path", {
            d: `M${x * TILE + 14} ${y * TILE + 38}V${y * TILE + 10}l20 7-20 7`,
            class: "goal-flag",
          }));
        }
      });
    });
    for (const item of grid.items || []) {
      const star = svg("circle", {
        cx: item.x * TILE + TILE / 2, cy: item.y * TILE + TILE / 2, r: TILE / 5,
        class: "item",
      });
      this.items.set(`${item.x},${item.y}`, star);
      this.root.appendChild(star);
    }
    this.robot = svg("g", { class: "robot" });
    this.robot.appendChild(svg("circle", { cx: 0, cy: 0, r: TILE / 2 - 6, class: "robot-body" }));
    this.robot.appendChild(svg("path", { d: "M0 -16 L9 2 L-9 2 Z", class: "robot-arrow" }));
    this.root.appendChild(this.robot);
    this.reset();
  }

  reset() {
    const { x, y, heading } = this.grid.robot;
    this.place(x, y, heading, "");
    for (const star of this.items.values()) {
      star.classList.remove("collected");
    }
  }

  place(x, y, heading, state) {
    const cx = x * TILE + TILE / 2;
    const cy = y * TILE + TILE / 2;
    this.robot.setAttribute(
      "transform", `translate(${cx} ${cy}) rotate(${HEADING_ANGLES[heading] || 0})`);
    this.robot.setAttribute("class", `robot ${state}`.trim());
    this.root.dataset.robot = `${x},${y},${heading}`;
  }

  show(event) {
    const blocked = ["wall_hit", "obstacle_hit", "out_of_grid"].includes(event.result);
    this.place(event.x, event.y, event.heading, blocked ? "bumped" : "");
    if (event.result === "collected") {
      const star = this.items.get(`${event.x},${event.y}`);
      if (star) {
        star.classList.add("collected");
      }
    }
  }
}

class CodingPlayer {
  constructor(root, data) {
    this.root = root;
    this.data = data;
    this.strings = data.strings;
    this.hintsShown = 0;
    this.running = false;
    this.timer = null;
    this.storageKey = `iota.coding.v1.${data.assignmentId}`;
    this.startedAt = this.readDraft().startedAt || new Date().toISOString();
    this.queue = new AnswerQueue({
      responseId: `coding-${data.assignmentId}`,
      url: data.attemptUrl,
      onChange: () => this.renderStatus(),
      onAcknowledged: (entry, body) => this.acknowledged(entry, body),
      onRejected: (entry, body) => this.rejected(entry, body),
    });
  }

  readDraft() {
    try {
      return JSON.parse(window.localStorage.getItem(this.storageKey) || "{}");
    } catch (error) {
      return {};
    }
  }

  writeDraft() {
    const draft = {
      startedAt: this.startedAt,
      hintsShown: this.hintsShown,
      program: window.Blockly.serialization.workspaces.save(this.workspace),
    };
    try {
      window.localStorage.setItem(this.storageKey, JSON.stringify(draft));
    } catch (error) {
      // Private browsing or a full store: the blocks stay on screen only.
    }
  }

  start() {
    const Blockly = window.Blockly;
    if (!Blockly) {
      this.root.dataset.state = "no-blockly";
      return;
    }
    routeSvgStyleAttribute();
    defineBlocks(Blockly, this.strings.blocks);
    this.build();
    const toolbox = {
      kind: "flyoutToolbox",
      contents: (this.data.toolbox || PROGRAM_BLOCK_TYPES).map((type) => ({ kind: "block", type })),
    };
    this.workspace = withStyleNonce(() => Blockly.inject(this.blocklyArea, {
      toolbox,
      media: this.data.blocklyMedia,
      trashcan: true,
      sounds: false,
      scrollbars: true,
      zoom: { controls: true, startScale: this.data.accommodations.largerText ? 1.3 : 1.1 },
      move: { scrollbars: true, drag: true, wheel: false },
      renderer: "geras",
    }));
    const draft = this.readDraft();
    this.hintsShown = Math.min(draft.hintsShown || 0, (this.data.hints || []).length);
    this.renderHints();
    Blockly.serialization.workspaces.load(
      draft.program || this.data.startingWorkspace, this.workspace);
    if (!this.startBlock()) {
      const start = this.workspace.newBlock(START_BLOCK);
      start.setDeletable(false);
      start.initSvg();
      start.render();
      start.moveBy(24, 24);
    }
    this.startBlock().setDeletable(false);
    this.workspace.addChangeListener((event) => {
      if (!event.isUiEvent) {
        this.programChanged();
      }
    });
    this.programChanged();
    // Blockly appends an empty canvas to <body> to measure text. Hidden from
    // assistive technology, it no longer counts as content outside any landmark.
    for (const canvas of document.querySelectorAll("canvas.blocklyComputeCanvas")) {
      canvas.setAttribute("aria-hidden", "true");
    }
    this.renderStatus();
    this.queue.flush();
    this.root.dataset.state = "ready";
  }

  startBlock() {
    return this.workspace.getBlocksByType(START_BLOCK, false)[0] || null;
  }

  program() {
    return window.Blockly.serialization.workspaces.save(this.workspace);
  }

  build() {
    const { title, instructions } = this.data;
    this.gridView = new GridView(this.data.grid, this.strings);
    this.counter = make("p", { class: "block-counter", "aria-live": "polite" });
    this.message = make("p", {
      class: "coding-message", role: "status", "aria-live": "polite", "data-state": "idle",
    });
    this.runButton = make("button", {
      type: "button", class: "big-button run-program", text: this.strings.run,
      onclick: () => this.run(),
    });
    this.resetButton = make("button", {
      type: "button", class: "big-button secondary reset-robot", text: this.strings.reset,
      onclick: () => this.resetRobot(),
    });
    this.hintButton = make("button", {
      type: "button", class: "secondary hint-button", text: this.strings.hint,
      onclick: () => this.showHint(),
    });
    this.hintList = make("ol", { class: "hints" });
    this.status = make("p", { class: "player-status", role: "status", "aria-live": "polite" });
    this.blocklyArea = make("div", { class: "blockly-area", id: "blockly-area" });
    this.doneLink = make("a", {
      class: "big-button done-link", href: this.data.todayUrl, text: this.strings.home,
    });
    this.doneLink.hidden = true;
    const heading = make("header", { class: "coding-header" }, [
      make("h1", { text: title.text, lang: title.lang, "data-read-aloud": true }),
      make("p", {
        class: "player-text", text: instructions.text, lang: instructions.lang,
        "data-read-aloud": true,
      }),
    ]);
    const stage = make("section", { class: "coding-stage" }, [
      this.gridView.root,
      make("div", { class: "coding-controls" }, [this.runButton, this.resetButton]),
      this.message,
      this.doneLink,
      (this.data.hints || []).length ? this.hintButton : null,
      this.hintList,
    ]);
    const editor = make("section", { class: "coding-editor" }, [this.counter, this.blocklyArea]);
    this.root.textContent = "";
    this.root.append(heading, make("div", { class: "coding-layout" }, [editor, stage]), this.status);
    readAloud(this.root, `${title.text}. ${instructions.text}`, this.data.accommodations);
  }

  programChanged() {
    if (!this.running) {
      this.writeDraft();
    }
    const result = runProgram(this.data.grid, this.program(), this.data.limits);
    const max = this.data.limits && this.data.limits.max_blocks;
    this.counter.textContent = max
      ? format(this.strings.blocksOfMax, { count: result.blocks_used, max })
      : format(this.strings.blocksUsed, { count: result.blocks_used });
    this.counter.dataset.over = max && result.blocks_used > max ? "true" : "false";
  }

  showHint() {
    const hints = this.data.hints || [];
    if (this.hintsShown < hints.length) {
      this.hintsShown += 1;
      this.writeDraft();
      this.renderHints();
    }
  }

  renderHints() {
    const hints = this.data.hints || [];
    this.hintList.textContent = "";
    hints.slice(0, this.hintsShown).forEach((hint) => {
      this.hintList.appendChild(make("li", { text: hint.text, lang: hint.lang, "data-read-aloud": true }));
    });
    readAloud(this.hintList, "", this.data.accommodations);
    this.hintButton.disabled = this.hintsShown >= hints.length;
  }

  resetRobot() {
    window.clearTimeout(this.timer);
    this.running = false;
    this.workspace.highlightBlock(null);
    this.gridView.reset();
    this.setMessage("idle", "");
    this.runButton.disabled = false;
  }

  run() {
    if (this.running) {
      return;
    }
    this.resetRobot();
    const program = this.program();
    const result = runProgram(this.data.grid, program, this.data.limits);
    this.queue.add({
      key: newKey(),
      // The queue keeps one entry per item, and every run is its own attempt.
      item: newKey(),
      program,
      started_at: this.startedAt,
      finished_at: new Date().toISOString(),
      time_spent_seconds: Math.round((Date.now() - Date.parse(this.startedAt)) / 1000),
      hints_used: this.hintsShown,
    });
    this.running = true;
    this.runButton.disabled = true;
    this.root.dataset.outcome = "";
    this.setMessage("running", this.strings.running);
    this.animate(result, 0);
  }

  animate(result, index) {
    if (!this.running) {
      return;
    }
    if (index >= result.trace.length) {
      this.finish(result);
      return;
    }
    const event = result.trace[index];
    if (event.block !== null && event.block !== undefined) {
      this.workspace.highlightBlock(String(event.block));
    }
    this.gridView.show(event);
    const delay = this.data.accommodations.readAloud ? STEP_MS * 1.3 : STEP_MS;
    this.timer = window.setTimeout(
      () => this.animate(result, index + 1),
      result.trace.length > 60 ? FAST_STEP_MS : delay);
  }

  finish(result) {
    this.running = false;
    this.runButton.disabled = false;
    this.workspace.highlightBlock(null);
    this.root.dataset.outcome = result.outcome;
    const text = this.strings.outcomes[result.outcome] || this.strings.outcomes.goal_not_reached;
    this.setMessage(result.outcome === "success" ? "success" : "retry", text);
    if (result.outcome === "success") {
      this.doneLink.hidden = false;
    }
    readAloud(this.message, text, this.data.accommodations);
  }

  setMessage(state, text) {
    this.message.dataset.state = state;
    this.message.textContent = text;
  }

  acknowledged(entry, body) {
    if (body.outcome === "success") {
      this.root.dataset.recorded = "success";
    }
  }

  rejected(entry, body) {
    this.root.dataset.rejected = body.code || "rejected";
  }

  renderStatus() {
    renderQueueStatus(this.root, this.status, this.queue, this.strings);
  }
}

// The browser tests reach the Blockly workspace through this global.
window.iotaCodingPlayer = startPlayer(CodingPlayer, "coding-player", "coding-data");
