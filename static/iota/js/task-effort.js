// The number puzzles (perseverance): before each round the pupil chooses an easy or
// a hard puzzle, then taps pairs of numbers that add up to the target before the
// time runs out, and sees whether the round succeeded.
//
// The grids come with the page (drawn by the server when the run started). Every
// choice, pair and end of round is an event in the queue; on reload the player
// replays the stored and queued events to resume where the pupil was. The server
// replays the same events to score, so the browser's verdict is only for display.

import { drawStars } from "./task-figures.js";
import { TaskFrame, format, make, newEventQueue, newKey, startTask } from "./task-common.js";

const TICK_MS = 250;

class Round {
  constructor(number) {
    this.number = number;
    this.level = null;
    this.used = new Set();
    this.found = 0;
    this.outcome = null;
    this.elapsedMs = 0;
  }
}

class EffortPlayer {
  constructor(root, data) {
    this.data = data;
    this.content = data.content;
    this.strings = data.strings;
    this.frame = new TaskFrame(root, data.strings);
    this.queue = newEventQueue(data, this.frame, {
      onRejected: (entry, body) => this.rejected(body),
    });
    this.closed = !data.isOpen;
    const queued = this.queue.entries();
    const stored = data.events.filter((event) => !queued.some((entry) => entry.key === event.key));
    this.events = [...stored, ...queued];
    this.seq = this.events.reduce((highest, event) => Math.max(highest, event.seq || 0), 0);
    this.rounds = this.replay();
    this.selected = null;
    this.timer = null;
    this.started = this.events.length > 0;
  }

  replay() {
    const rounds = [];
    for (let number = 1; number <= this.content.rounds; number += 1) {
      rounds.push(new Round(number));
    }
    for (const event of this.events) {
      const round = rounds[event.payload.round - 1];
      if (!round || round.outcome) {
        continue;
      }
      if (event.kind === "choose" && !round.level) {
        round.level = event.payload.level;
      } else if (event.kind === "pair" && round.level) {
        round.elapsedMs = Math.max(round.elapsedMs, event.payload.elapsed_ms);
        this.applyPair(round, event.payload.cells);
      } else if (event.kind === "end") {
        round.outcome = event.payload.outcome;
        round.elapsedMs = event.payload.elapsed_ms;
      }
    }
    return rounds;
  }

  grid(round) {
    return this.data.material.grids[round.number - 1][round.level];
  }

  level(round) {
    return this.content.levels[round.level];
  }

  applyPair(round, cells) {
    const [first, second] = cells;
    const grid = this.grid(round);
    const right = !round.used.has(first) && !round.used.has(second) &&
      first < grid.length && second < grid.length &&
      grid[first] + grid[second] === this.level(round).target;
    if (right) {
      round.used.add(first);
      round.used.add(second);
      round.found += 1;
    }
    return right;
  }

  succeeded(round) {
    return round.found >= this.content.pairs_to_find;
  }

  current() {
    return this.rounds.find((round) => !round.outcome) || null;
  }

  stars() {
    return this.rounds
      .filter((round) => round.outcome && this.succeeded(round))
      .reduce((total, round) => total + this.level(round).reward, 0);
  }

  send(kind, payload) {
    this.seq += 1;
    const event = { key: newKey(), kind, payload, seq: this.seq, occurred_at: new Date().toISOString() };
    this.events.push(event);
    this.queue.add(event);
  }

  rejected(body) {
    if (body.code === "task_closed") {
      this.closed = true;
      this.stopTimer();
      this.render();
    }
  }

  start() {
    this.render();
    this.queue.flush();
  }

  render() {
    const round = this.current();
    if (this.closed && round) {
      this.frame.show(this.frame.closedScreen(this.data.homeUrl));
    } else if (!this.started) {
      this.frame.show(this.introScreen());
    } else if (!round) {
      this.frame.show(this.endScreen());
    } else if (!round.level) {
      this.frame.show(this.chooseScreen(round));
    } else {
      this.frame.show(this.puzzleScreen(round));
      this.startTimer(round);
    }
  }

  introScreen() {
    return make("section", { class: "player-screen intro", "data-screen": "intro" }, [
      make("h1", { text: this.data.title, tabindex: -1, "data-focus": true }),
      make("p", { class: "player-text", text: this.data.instructions, "data-read-aloud": true }),
      make("p", {}, [make("button", {
        type: "button", class: "big-button start", text: this.strings.start,
        onclick: () => { this.started = true; this.render(); },
      })]),
    ]);
  }

  roundCounter(round) {
    return make("p", { class: "counter", text: format(this.strings.roundOf, {
      number: round.number, total: this.content.rounds,
    }) });
  }

  resultOf(previous) {
    if (!previous || !previous.outcome) {
      return null;
    }
    const text = this.succeeded(previous) ? this.content.texts.success : this.content.texts.failure;
    return make("p", {
      class: `round-result ${this.succeeded(previous) ? "success" : "failure"}`,
      "data-result": this.succeeded(previous) ? "success" : "failure",
      text, "data-read-aloud": true,
    });
  }

  chooseScreen(round) {
    const choices = make("div", { class: "level-choices" });
    for (const key of ["easy", "hard"]) {
      const level = this.content.levels[key];
      const reward = format(this.strings.starsIfSolved, { count: level.reward });
      choices.appendChild(make("button", {
        type: "button", class: `level-choice level-${key}`, "data-level": key,
        "aria-label": `${level.label}. ${reward}`,
        onclick: () => this.choose(round, key),
      }, [
        make("span", { class: "level-label", text: level.label }),
        drawStars(level.reward),
        make("span", { class: "level-reward", text: reward }),
      ]));
    }
    const previous = this.rounds[round.number - 2];
    return make("section", { class: "player-screen choose", "data-screen": "choose" }, [
      this.resultOf(previous),
      this.roundCounter(round),
      make("h1", { text: this.content.texts.choose, tabindex: -1, "data-focus": true, "data-read-aloud": true }),
      choices,
      make("p", { class: "stars-total", text: format(this.strings.stars, { count: this.stars() }) }),
    ]);
  }

  choose(round, level) {
    round.level = level;
    this.send("choose", { round: round.number, level });
    this.render();
  }

  puzzleScreen(round) {
    const level = this.level(round);
    const grid = this.grid(round);
    const goal = format(this.content.texts.goal, {
      target: level.target, pairs: this.content.pairs_to_find,
    });
    const cells = make("div", { class: "number-grid", role: "group", "aria-label": goal });
    cells.dataset.columns = String(level.columns);
    grid.forEach((value, index) => {
      cells.appendChild(make("button", {
        type: "button", class: "cell", "data-index": index, "data-value": value,
        "aria-pressed": "false", disabled: round.used.has(index),
        text: String(value),
        onclick: () => this.tap(round, index),
      }));
    });
    this.timerBar = make("div", { class: "timer-bar" }, [make("div", { class: "timer-fill" })]);
    this.timerText = make("p", { class: "timer-text", "aria-live": "off" });
    this.feedback = make("p", { class: "pair-feedback", role: "status" });
    this.progressText = make("p", { class: "pairs-found" });
    const screen = make("section", {
      class: `player-screen puzzle level-${round.level}`, "data-screen": "puzzle",
      "data-round": round.number,
    }, [
      this.roundCounter(round),
      make("h1", { class: "puzzle-goal", text: goal, tabindex: -1, "data-focus": true, "data-read-aloud": true }),
      this.timerBar,
      this.timerText,
      cells,
      this.progressText,
      this.feedback,
      make("nav", { class: "player-nav" }, [make("button", {
        type: "button", class: "give-up secondary", text: this.content.texts.give_up,
        onclick: () => this.finish(round, "give_up"),
      })]),
    ]);
    this.cells = cells;
    this.updateProgress(round);
    return screen;
  }

  updateProgress(round) {
    this.progressText.textContent = format(this.strings.pairsFound, {
      found: round.found, total: this.content.pairs_to_find,
    });
  }

  tap(round, index) {
    const button = this.cells.querySelector(`[data-index="${index}"]`);
    if (this.selected === null) {
      this.selected = index;
      button.setAttribute("aria-pressed", "true");
      return;
    }
    const first = this.selected;
    this.selected = null;
    this.cells.querySelectorAll('[aria-pressed="true"]').forEach((cell) => {
      cell.setAttribute("aria-pressed", "false");
    });
    if (first === index) {
      return;
    }
    const elapsed = this.elapsed(round);
    this.send("pair", { round: round.number, cells: [first, index], elapsed_ms: elapsed });
    if (this.applyPair(round, [first, index])) {
      for (const cell of [first, index]) {
        const found = this.cells.querySelector(`[data-index="${cell}"]`);
        found.disabled = true;
        found.classList.add("found");
      }
      this.feedback.textContent = "";
      this.updateProgress(round);
      if (this.succeeded(round)) {
        this.finish(round, "success");
      }
    } else {
      this.feedback.textContent = this.strings.notAPair;
    }
  }

  elapsed(round) {
    return Math.min(
      Math.round(round.elapsedMs + performance.now() - this.startedAt),
      this.content.time_limit_seconds * 1000,
    );
  }

  startTimer(round) {
    this.stopTimer();
    this.startedAt = performance.now();
    const limit = this.content.time_limit_seconds * 1000;
    const tick = () => {
      const elapsed = this.elapsed(round);
      const left = Math.max(0, limit - elapsed);
      this.timerBar.firstChild.style.width = `${(100 * left) / limit}%`;
      this.timerText.textContent = format(this.strings.secondsLeft, { seconds: Math.ceil(left / 1000) });
      if (left <= 0) {
        this.finish(round, "timeout");
      }
    };
    tick();
    this.timer = window.setInterval(tick, TICK_MS);
  }

  stopTimer() {
    window.clearInterval(this.timer);
    this.timer = null;
  }

  finish(round, outcome) {
    if (round.outcome) {
      return;
    }
    const elapsed = this.elapsed(round);
    this.stopTimer();
    this.selected = null;
    round.outcome = outcome;
    round.elapsedMs = elapsed;
    this.send("end", { round: round.number, outcome, elapsed_ms: elapsed });
    this.render();
  }

  endScreen() {
    const last = this.rounds[this.rounds.length - 1];
    return this.frame.messageScreen("end", this.content.texts.end, this.data.homeUrl, {
      before: [this.resultOf(last)],
      after: [
        drawStars(Math.min(this.stars(), 30)),
        make("p", { class: "stars-total", text: format(this.strings.stars, { count: this.stars() }) }),
      ],
    });
  }
}

startTask(EffortPlayer, { needsView: false });
