/**
 * Grid world engine of the coding challenges, for the browser and for Node.
 *
 * This is the browser twin of activities/engine.py: the same grid world, the same
 * Blockly program JSON, the same rules, outcomes and trace. The module docstrings of
 * activities/engine.py (rules) and activities/grid_world.py (grid schema) state them.
 * The vectors in activities/engine_vectors/ run through both engines in the tests,
 * so change both files together.
 *
 * The grid and the limits are trusted here, because the server validates them
 * before it sends a challenge to the page. The program is not trusted.
 * Plain ES module without imports or browser globals, so Node can load it as is.
 */

// The layout of the run result and its trace events, as in engine.py.
export const TRACE_SCHEMA_VERSION = 1;

export const START_BLOCK = "robot_when_run";
export const MOVE_FORWARD = "robot_move_forward";
export const TURN_LEFT = "robot_turn_left";
export const TURN_RIGHT = "robot_turn_right";
export const COLLECT = "robot_collect";
export const REPEAT = "robot_repeat";
export const REPEAT_UNTIL_GOAL = "robot_repeat_until_goal";
export const IF_PATH_AHEAD = "robot_if_path_ahead";
export const IF_WALL_AHEAD = "robot_if_wall_ahead";
export const IF_ITEM_HERE = "robot_if_item_here";

export const PROGRAM_BLOCK_TYPES = Object.freeze([
  MOVE_FORWARD,
  TURN_LEFT,
  TURN_RIGHT,
  COLLECT,
  REPEAT,
  REPEAT_UNTIL_GOAL,
  IF_PATH_AHEAD,
  IF_WALL_AHEAD,
  IF_ITEM_HERE,
]);
export const BLOCK_TYPES = Object.freeze([START_BLOCK, ...PROGRAM_BLOCK_TYPES]);
const IF_BLOCKS = new Set([IF_PATH_AHEAD, IF_WALL_AHEAD, IF_ITEM_HERE]);
const CONTAINER_BLOCKS = new Set([...IF_BLOCKS, REPEAT, REPEAT_UNTIL_GOAL]);

export const OUTCOMES = Object.freeze([
  "success",
  "wall_hit",
  "obstacle_hit",
  "out_of_grid",
  "goal_not_reached",
  "items_not_collected",
  "block_limit_exceeded",
  "block_not_allowed",
  "step_limit_reached",
  "unknown_block",
  "invalid_program",
]);

const WALL = "#";
const OPEN = ".";
const START = "S";
const GOAL = "G";
const OBSTACLE = "X";
const HEADINGS = {
  north: [0, -1],
  east: [1, 0],
  south: [0, 1],
  west: [-1, 0],
};
const LEFT_OF = { north: "west", west: "south", south: "east", east: "north" };
const RIGHT_OF = { west: "north", south: "west", east: "south", north: "east" };
const BLOCKED = new Map([
  [null, "out_of_grid"],
  [WALL, "wall_hit"],
  [OBSTACLE, "obstacle_hit"],
]);

export const DEFAULT_MAX_STEPS = 1000;
export const MAX_REPEAT_TIMES = 1000;
export const MAX_NESTING = 20;
export const MAX_PROGRAM_BLOCKS = 400;

class Rejected extends Error {
  constructor(outcome, detail) {
    super(outcome);
    this.outcome = outcome;
    this.detail = detail;
  }
}

function isObject(value) {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function isDisabled(block) {
  const reasons = block.disabledReasons;
  return block.enabled === false || (Array.isArray(reasons) && reasons.length > 0);
}

function blockId(block) {
  return block.id === undefined ? null : block.id;
}

function malformed(block) {
  const id = isObject(block) ? blockId(block) : null;
  return new Rejected("invalid_program", { reason: "malformed_program", block: id });
}

/** Returns the block plugged into a connection, or its shadow when none is. */
function connectedBlock(block, connection) {
  if (connection === undefined || connection === null) {
    return null;
  }
  if (!isObject(connection)) {
    throw malformed(block);
  }
  return connection.block ?? connection.shadow ?? null;
}

function inputBlock(block, name) {
  const inputs = block.inputs;
  if (inputs === undefined || inputs === null) {
    return null;
  }
  if (!isObject(inputs)) {
    throw malformed(block);
  }
  return connectedBlock(block, inputs[name]);
}

function readTimes(block) {
  const fields = block.fields;
  if (!isObject(fields)) {
    return null;
  }
  const times = fields.TIMES;
  if (typeof times !== "number" || !Number.isInteger(times)) {
    return null;
  }
  return times >= 0 && times <= MAX_REPEAT_TIMES ? times : null;
}

/** Turns the start block's stack into nodes and counts its blocks. */
class Compiler {
  constructor(allowed) {
    this.allowed = allowed;
    this.count = 0;
  }

  compile(program) {
    const start = this.findStart(program);
    return this.chain(start, connectedBlock(start, start.next), 0);
  }

  findStart(program) {
    if (!isObject(program)) {
      throw malformed(null);
    }
    const workspace = program.blocks;
    let topBlocks;
    if (workspace === undefined || workspace === null) {
      topBlocks = [];
    } else if (isObject(workspace)) {
      topBlocks = workspace.blocks ?? [];
    } else {
      throw malformed(null);
    }
    if (!Array.isArray(topBlocks)) {
      throw malformed(null);
    }
    const starts = [];
    for (const block of topBlocks) {
      if (!isObject(block) || typeof block.type !== "string") {
        throw malformed(block);
      }
      if (block.type === START_BLOCK && !isDisabled(block)) {
        starts.push(block);
      }
    }
    if (starts.length === 0) {
      throw new Rejected("invalid_program", { reason: "no_start_block", block: null });
    }
    if (starts.length > 1) {
      throw new Rejected("invalid_program", {
        reason: "several_start_blocks",
        block: blockId(starts[1]),
      });
    }
    return starts[0];
  }

  chain(parent, block, depth) {
    const nodes = [];
    while (block !== null && block !== undefined) {
      if (!isObject(block) || typeof block.type !== "string") {
        throw malformed(isObject(block) ? block : parent);
      }
      if (!isDisabled(block)) {
        nodes.push(this.node(block, depth));
      }
      parent = block;
      block = connectedBlock(block, block.next);
    }
    return nodes;
  }

  node(block, depth) {
    const kind = block.type;
    const id = blockId(block);
    if (kind === START_BLOCK) {
      throw new Rejected("invalid_program", { reason: "misplaced_start_block", block: id });
    }
    if (!PROGRAM_BLOCK_TYPES.includes(kind)) {
      throw new Rejected("unknown_block", { block: id, type: kind });
    }
    if (this.allowed !== null && !this.allowed.includes(kind)) {
      throw new Rejected("block_not_allowed", { block: id, type: kind });
    }

    this.count += 1;
    if (this.count > MAX_PROGRAM_BLOCKS) {
      throw new Rejected("block_limit_exceeded", {
        blocks_used: this.count,
        max_blocks: MAX_PROGRAM_BLOCKS,
      });
    }
    let times = 0;
    if (kind === REPEAT) {
      times = readTimes(block);
      if (times === null) {
        throw new Rejected("invalid_program", { reason: "invalid_times", block: id });
      }
    }

    let body = [];
    let orelse = [];
    if (CONTAINER_BLOCKS.has(kind)) {
      if (depth >= MAX_NESTING) {
        throw new Rejected("invalid_program", { reason: "too_deep", block: id });
      }
      body = this.chain(block, inputBlock(block, "DO"), depth + 1);
      if (IF_BLOCKS.has(kind)) {
        orelse = this.chain(block, inputBlock(block, "ELSE"), depth + 1);
      }
    }
    return { kind, id, times, body, orelse };
  }
}

/** The robot's state while a compiled program runs. */
class Run {
  constructor(grid, maxSteps) {
    this.tiles = grid.tiles;
    this.width = grid.width;
    this.height = grid.height;
    this.x = grid.robot.x;
    this.y = grid.robot.y;
    this.heading = grid.robot.heading;
    this.items = new Set((grid.items ?? []).map((item) => `${item.x},${item.y}`));
    this.itemsTotal = this.items.size;
    this.collected = 0;
    this.needsAllItems = (grid.win ?? "reach_goal") === "reach_goal_with_all_items";
    this.maxSteps = maxSteps;
    this.steps = 0;
    this.trace = [];
    this.outcome = "";
    this.detail = {};
  }

  result(outcome, detail, blocksUsed) {
    return {
      schema_version: TRACE_SCHEMA_VERSION,
      outcome,
      detail,
      steps: this.steps,
      blocks_used: blocksUsed,
      robot: { x: this.x, y: this.y, heading: this.heading },
      items_collected: this.collected,
      items_total: this.itemsTotal,
      trace: this.trace,
    };
  }

  finish() {
    const onGoal = this.tiles[this.y][this.x] === GOAL;
    this.outcome = onGoal ? "items_not_collected" : "goal_not_reached";
  }

  /** Runs nodes in order and returns true once the run has stopped. */
  runBody(nodes) {
    return nodes.some((node) => this.runNode(node));
  }

  stop(outcome, detail) {
    this.outcome = outcome;
    this.detail = detail;
    return true;
  }

  /** Counts one step, or stops the run when the step limit is used up. */
  startStep(node) {
    if (this.steps >= this.maxSteps) {
      return this.stop("step_limit_reached", { max_steps: this.maxSteps, block: node.id });
    }
    this.steps += 1;
    return false;
  }

  record(node, key, value) {
    const event = {
      step: this.steps,
      block: node.id,
      type: node.kind,
      x: this.x,
      y: this.y,
      heading: this.heading,
      collected: this.collected,
    };
    if (key) {
      event[key] = value;
    }
    this.trace.push(event);
  }

  runNode(node) {
    const kind = node.kind;
    if (kind === REPEAT) {
      for (let iteration = 1; iteration <= node.times; iteration += 1) {
        if (this.startStep(node)) {
          return true;
        }
        this.record(node, "iteration", iteration);
        if (this.runBody(node.body)) {
          return true;
        }
      }
      return false;
    }
    if (kind === REPEAT_UNTIL_GOAL) {
      for (;;) {
        if (this.startStep(node)) {
          return true;
        }
        const onGoal = this.tiles[this.y][this.x] === GOAL;
        this.record(node, "value", onGoal);
        if (onGoal) {
          return false;
        }
        if (this.runBody(node.body)) {
          return true;
        }
      }
    }
    if (this.startStep(node)) {
      return true;
    }
    if (IF_BLOCKS.has(kind)) {
      const value = this.test(kind);
      this.record(node, "value", value);
      return this.runBody(value ? node.body : node.orelse);
    }
    if (kind === MOVE_FORWARD) {
      return this.move(node);
    }
    if (kind === COLLECT) {
      return this.collect(node);
    }
    this.heading = (kind === TURN_LEFT ? LEFT_OF : RIGHT_OF)[this.heading];
    this.record(node);
    return false;
  }

  /** Returns the tile in front of the robot, null when it is off the grid. */
  ahead() {
    const [dx, dy] = HEADINGS[this.heading];
    const x = this.x + dx;
    const y = this.y + dy;
    if (x >= 0 && x < this.width && y >= 0 && y < this.height) {
      return [x, y, this.tiles[y][x]];
    }
    return [x, y, null];
  }

  test(kind) {
    if (kind === IF_ITEM_HERE) {
      return this.items.has(`${this.x},${this.y}`);
    }
    const tile = this.ahead()[2];
    if (kind === IF_WALL_AHEAD) {
      return tile === null || tile === WALL;
    }
    return tile === OPEN || tile === START || tile === GOAL;
  }

  move(node) {
    const [x, y, tile] = this.ahead();
    if (BLOCKED.has(tile)) {
      const outcome = BLOCKED.get(tile);
      this.record(node, "result", outcome);
      return this.stop(outcome, { block: node.id, x, y });
    }
    this.x = x;
    this.y = y;
    this.record(node, "result", "moved");
    return this.checkWin();
  }

  collect(node) {
    const position = `${this.x},${this.y}`;
    if (!this.items.has(position)) {
      this.record(node, "result", "nothing_here");
      return false;
    }
    this.items.delete(position);
    this.collected += 1;
    this.record(node, "result", "collected");
    return this.checkWin();
  }

  checkWin() {
    if (this.tiles[this.y][this.x] !== GOAL) {
      return false;
    }
    if (this.needsAllItems && this.items.size > 0) {
      return false;
    }
    return this.stop("success", {});
  }
}

/**
 * Runs a Blockly program on a grid world and returns its outcome and trace.
 *
 * `program` is what `Blockly.serialization.workspaces.save` returns. `limits` may set
 * `max_blocks`, `allowed_blocks` (a list of block types) and `max_steps`.
 */
export function runProgram(grid, program, limits = null) {
  const maxSteps = limits?.max_steps ?? DEFAULT_MAX_STEPS;
  const maxBlocks = limits?.max_blocks ?? null;
  const allowed = limits?.allowed_blocks ?? null;
  const run = new Run(grid, maxSteps);
  const compiler = new Compiler(allowed);
  let body;
  try {
    body = compiler.compile(program);
    if (maxBlocks !== null && compiler.count > maxBlocks) {
      throw new Rejected("block_limit_exceeded", {
        blocks_used: compiler.count,
        max_blocks: maxBlocks,
      });
    }
  } catch (error) {
    if (error instanceof Rejected) {
      return run.result(error.outcome, error.detail, compiler.count);
    }
    throw error;
  }
  if (!run.runBody(body)) {
    run.finish();
  }
  return run.result(run.outcome, run.detail, compiler.count);
}
