// The authoring form of activities: repeatable entries (add, remove, move), the
// question type that swaps a question's fields, the key drawn from the title, the
// clickable grid editor, and the problems of the live preview shown next to their
// fields. Every input is named by its field path, such as questions[0].prompt.fr,
// and activities/authoring_form.py computes the same ids as domId below.

const form = document.getElementById("authoring-form");

function domId(name) {
  return "f-" + name.replaceAll("[", "--").replaceAll("]", "--").replaceAll(".", "-");
}

function notifyChanged() {
  form.dispatchEvent(new Event("authoring-changed"));
}

// Repeatable entries.

const NAME_ATTRIBUTES = ["name", "data-item", "data-list"];
const ID_ATTRIBUTES = ["id", "for", "aria-describedby", "aria-labelledby", "href"];

// Rename an entry and everything inside it, the fields of its <template>s included,
// from one field path to another: "questions[2]" to "questions[1]". An index is
// always closed by "]" in names and by "--" in ids, so questions[1] never matches
// inside questions[12].
function renameEntry(root, fromName, toName) {
  const fromId = domId(fromName);
  const toId = domId(toName);
  const fix = (element) => {
    for (const attribute of NAME_ATTRIBUTES) {
      const value = element.getAttribute(attribute);
      if (value && value.includes(fromName)) {
        element.setAttribute(attribute, value.replaceAll(fromName, toName));
      }
    }
    for (const attribute of ID_ATTRIBUTES) {
      const value = element.getAttribute(attribute);
      if (value && value.includes(fromId)) {
        element.setAttribute(attribute, value.replaceAll(fromId, toId));
      }
    }
    if (element.tagName === "TEMPLATE") {
      element.innerHTML = element.innerHTML
        .replaceAll(fromName, toName)
        .replaceAll(fromId, toId);
    }
  };
  fix(root);
  root.querySelectorAll("*").forEach(fix);
}

function entriesOf(list) {
  return [...list.querySelector(":scope > [data-items]").children];
}

function renumber(list) {
  const listName = list.dataset.list;
  const entries = entriesOf(list);
  entries.forEach((entry, position) => {
    const expected = `${listName}[${position}]`;
    if (entry.dataset.item !== expected) {
      renameEntry(entry, entry.dataset.item, expected);
    }
    entry.querySelector(":scope > legend [data-number]").textContent = position + 1;
  });
  const min = Number(list.dataset.min || 0);
  const max = list.dataset.max ? Number(list.dataset.max) : Infinity;
  list.querySelector(":scope > [data-add]").disabled = entries.length >= max;
  for (const entry of entries) {
    entry.querySelector(":scope > .item-tools [data-remove]").disabled =
      entries.length <= min;
  }
}

function keyInputOf(entry) {
  return entry.querySelector(`input[name="${CSS.escape(entry.dataset.item + ".key")}"]`);
}

// A new question is q1, q2 …; a new answer, item or pair takes the first free letter.
function freeKey(list, entry) {
  const used = new Set(
    entriesOf(list)
      .filter((other) => other !== entry)
      .map((other) => keyInputOf(other)?.value),
  );
  const candidates = list.dataset.list.endsWith("questions")
    ? Array.from({ length: 100 }, (_, index) => `q${index + 1}`)
    : [..."abcdefghijklmnopqrstuvwxyz"];
  return candidates.find((key) => !used.has(key)) || "";
}

function addEntry(list) {
  const template = list.querySelector(":scope > template[data-item-template]");
  const placeholder = template.content.firstElementChild.dataset.item.match(/__N\d+__/)[0];
  const holder = document.createElement("div");
  holder.innerHTML = template.innerHTML.replaceAll(
    placeholder,
    String(entriesOf(list).length),
  );
  const entry = holder.firstElementChild;
  list.querySelector(":scope > [data-items]").append(entry);
  const keyInput = keyInputOf(entry);
  if (keyInput && !keyInput.value) {
    keyInput.value = freeKey(list, entry);
  }
  renumber(list);
  entry.querySelectorAll("[data-list]").forEach(renumber);
  entry.querySelector("input:not([type=hidden]), select, textarea")?.focus();
  notifyChanged();
}

form.addEventListener("click", (event) => {
  const button = event.target.closest("button[type=button]");
  if (!button) {
    return;
  }
  if (button.matches("[data-add]")) {
    addEntry(button.closest("[data-list]"));
    return;
  }
  const entry = button.closest("[data-item]");
  if (!entry || !button.closest(".item-tools")) {
    return;
  }
  const list = entry.closest("[data-list]");
  if (button.matches("[data-remove]")) {
    entry.remove();
  } else if (button.dataset.move === "up" && entry.previousElementSibling) {
    entry.previousElementSibling.before(entry);
  } else if (button.dataset.move === "down" && entry.nextElementSibling) {
    entry.nextElementSibling.after(entry);
  } else {
    return;
  }
  renumber(list);
  notifyChanged();
});

// Question types: the fields of the chosen type replace the others, which wait in
// a <template> so that switching back finds what was typed.

function switchVariant(entry, tag) {
  const previous = entry.dataset.activeVariant;
  if (previous === tag) {
    return;
  }
  const holder = entry.querySelector(":scope > [data-variant-fields]");
  const stash = document.createElement("template");
  stash.dataset.variant = previous;
  stash.content.append(...holder.childNodes);
  entry.append(stash);
  const chosen = entry.querySelector(`:scope > template[data-variant="${CSS.escape(tag)}"]`);
  if (chosen) {
    holder.append(chosen.content);
    chosen.remove();
  }
  entry.dataset.activeVariant = tag;
  holder.querySelectorAll("[data-list]").forEach(renumber);
}

form.addEventListener("change", (event) => {
  const select = event.target.closest("[data-variant-select]");
  if (select) {
    switchVariant(select.closest("[data-item]"), select.value);
  }
});

// The key of a new activity follows its French title until the author types one.

function slugify(text) {
  return text
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 80)
    .replace(/-+$/, "");
}

const keyInput = form.querySelector("[data-key-input]");
const titleInput = form.querySelector('input[name="title.fr"]');
if (keyInput && titleInput) {
  let keyTyped = keyInput.value !== "";
  keyInput.addEventListener("input", () => {
    keyTyped = keyInput.value !== "";
  });
  titleInput.addEventListener("input", () => {
    if (!keyTyped) {
      keyInput.value = slugify(titleInput.value);
    }
  });
}

// The grid editor: a board of tile buttons drawn from the text of the grid, which
// stays the value the form sends.

const TILE_SYMBOLS = { S: "▶", G: "⚑", "*": "●", X: "✕" };
const OPEN = ".";
const START = "S";
const WALL = "#";

class GridEditor {
  constructor(fieldset) {
    this.text = fieldset.querySelector("textarea.grid-text");
    this.board = fieldset.querySelector("[data-grid-board]");
    this.palette = [...fieldset.querySelectorAll(".grid-palette [data-tile]")];
    this.names = Object.fromEntries(
      this.palette.map((button) => [button.dataset.tile, button.textContent.trim()]),
    );
    this.select(WALL);
    for (const button of this.palette) {
      button.addEventListener("click", () => this.select(button.dataset.tile));
    }
    for (const button of fieldset.querySelectorAll("[data-resize]")) {
      button.addEventListener("click", () => this.resize(button.dataset.resize));
    }
    this.board.addEventListener("click", (event) => {
      const cell = event.target.closest("button[data-x]");
      if (cell) {
        this.paint(Number(cell.dataset.x), Number(cell.dataset.y));
      }
    });
    this.text.addEventListener("input", () => this.draw());
    this.draw();
  }

  rows() {
    return this.text.value
      .split(/\r?\n/)
      .map((row) => row.trim())
      .filter((row) => row !== "");
  }

  write(rows) {
    this.text.value = rows.join("\n");
    this.draw();
    this.text.dispatchEvent(new Event("input", { bubbles: true }));
  }

  select(tile) {
    this.tool = tile;
    for (const button of this.palette) {
      button.setAttribute("aria-pressed", String(button.dataset.tile === tile));
    }
  }

  paint(x, y) {
    let rows = this.rows().map((row) => [...row]);
    if (this.tool === START) {
      // A grid has one start: placing it moves it.
      rows = rows.map((row) => row.map((tile) => (tile === START ? OPEN : tile)));
    }
    rows[y][x] = this.tool;
    this.write(rows.map((row) => row.join("")));
  }

  resize(change) {
    const rows = this.rows();
    const width = Math.max(1, ...rows.map((row) => row.length));
    if (change === "row+") {
      rows.push(WALL.repeat(width));
    } else if (change === "row-" && rows.length > 1) {
      rows.pop();
    } else if (change === "column+") {
      rows.forEach((row, index) => {
        rows[index] = row.padEnd(width, WALL) + WALL;
      });
    } else if (change === "column-" && width > 1) {
      rows.forEach((row, index) => {
        rows[index] = row.slice(0, width - 1);
      });
    }
    this.write(rows);
  }

  draw() {
    const table = document.createElement("table");
    table.className = "grid-board-table";
    this.rows().forEach((row, y) => {
      const line = table.insertRow();
      [...row].forEach((tile, x) => {
        const button = document.createElement("button");
        button.type = "button";
        button.dataset.x = x;
        button.dataset.y = y;
        button.dataset.tile = tile;
        button.textContent = TILE_SYMBOLS[tile] || "";
        button.setAttribute(
          "aria-label",
          `${y + 1}, ${x + 1} : ${this.names[tile] || tile}`,
        );
        line.insertCell().append(button);
      });
    });
    this.board.replaceChildren(table);
  }
}

for (const fieldset of form.querySelectorAll("[data-grid-editor]")) {
  new GridEditor(fieldset);
}

// Problems of the live preview go next to their fields, in place of the last ones.
// On a new activity, before the first submission, only the fields the author has
// changed show theirs: a blank template would otherwise open all in red.

const touched = new Set();
const showAllProblems = form.dataset.new === "false" || document.getElementById("form-problems") !== null;
for (const type of ["input", "change"]) {
  form.addEventListener(type, (event) => {
    if (event.target.name) {
      touched.add(domId(event.target.name));
    }
  });
}

let previews = 0;
document.body.addEventListener("htmx:afterSwap", (event) => {
  const preview = event.detail.target;
  if (preview.id !== "preview") {
    return;
  }
  previews += 1;
  if (previews > 1) {
    // The summary of the last submission is out of date once the form changed.
    document.getElementById("form-problems")?.remove();
    document.querySelector(".authoring-ok")?.remove();
  }
  for (const slot of form.querySelectorAll("[data-error-slot]")) {
    slot.replaceChildren();
  }
  for (const problem of preview.querySelectorAll("[data-slot]")) {
    const slot = document.getElementById(`${problem.dataset.slot}-errors`);
    const visible = showAllProblems || touched.has(problem.dataset.slot);
    if (slot && visible) {
      const item = document.createElement("li");
      item.textContent = problem.dataset.reason;
      slot.append(item);
    }
  }
});

for (const list of form.querySelectorAll("[data-list]")) {
  renumber(list);
}
