// What every task player shares: the page's data, the event queue, the page frame
// with its status line, and the client of a pair or group's shared state.
//
// Events go through the questionnaire's AnswerQueue: written to localStorage
// before they are sent and resent until the server acknowledges them, each with a
// key made here so a resend never counts twice. Unlike answers, a later event never
// replaces an earlier one, so EventQueue keeps every entry.

import { AnswerQueue, newKey } from "./player-queue.js";
import { format, make, renderQueueStatus, stopSpeaking } from "./player-dom.js";

export { format, make, newKey };

export function readTaskData() {
  const source = document.getElementById("task-data");
  return source ? JSON.parse(source.textContent) : null;
}

export class EventQueue extends AnswerQueue {
  add(entry) {
    const entries = this.entries();
    entries.push(entry);
    this.store.write(entries);
    this.onChange(this);
    this.flushNow();
  }
}

// The page frame: one screen at a time, then a status line saying whether events
// are still on their way.
export class TaskFrame {
  constructor(root, strings) {
    this.root = root;
    this.strings = strings;
    this.queue = null;
    this.status = null;
    root.setAttribute("data-read-aloud-label", strings.listen);
  }

  show(screen) {
    stopSpeaking();
    this.root.textContent = "";
    this.root.dataset.screen = screen.dataset.screen;
    this.root.appendChild(screen);
    if (window.iotaReadAloud) {
      window.iotaReadAloud.enhance(screen);
    }
    this.status = make("p", { class: "player-status", role: "status", "aria-live": "polite" });
    this.root.appendChild(this.status);
    this.renderStatus();
    const heading = screen.querySelector("[data-focus]");
    if (heading) {
      heading.focus({ preventScroll: true });
    }
  }

  renderStatus() {
    if (this.queue) {
      renderQueueStatus(this.root, this.status, this.queue, this.strings);
    }
  }

  homeLink(url) {
    return make("a", { class: "big-button", href: url, text: this.strings.home });
  }

  // A closing screen: a heading read aloud, with `before` and `after` nodes (a
  // result, a total) around it, and the way home.
  messageScreen(name, heading, url, { before = [], after = [] } = {}) {
    return make("section", { class: `player-screen ${name}`, "data-screen": name }, [
      ...before,
      make("h1", { text: heading, tabindex: -1, "data-focus": true, "data-read-aloud": true }),
      ...after,
      make("p", {}, [this.homeLink(url)]),
    ]);
  }

  // The screen shown once the teacher closed the task.
  closedScreen(url) {
    return this.messageScreen("closed", this.strings.closed, url);
  }
}

// Starts `Player` on the page's task data. A pair or group player needs the
// shared state the page was rendered with (`needsView`).
export function startTask(Player, { needsView = true } = {}) {
  const root = document.getElementById("task");
  const data = readTaskData();
  if (!root || !data || (needsView && !data.view)) {
    return;
  }
  new Player(root, data).start();
}

export function newEventQueue(data, frame, handlers = {}) {
  const queue = new EventQueue({
    responseId: `task-run-${data.runId}`,
    url: data.eventsUrl,
    onChange: () => frame.renderStatus(),
    onAcknowledged: handlers.onAcknowledged,
    onRejected: handlers.onRejected,
  });
  frame.queue = queue;
  window.addEventListener("offline", () => frame.renderStatus());
  return queue;
}

// The client of a pair or group task: sends the member's actions through the queue
// and asks the server for the shared state every `pollMs`. `onView(view)` runs
// whenever a newer state arrives, from an acknowledgement or a poll, and after the
// server rejected an action (another member acted first), so the player leaves its
// waiting screen.
export class GroupClient {
  constructor(data, frame, onView) {
    this.data = data;
    this.view = data.view;
    this.onView = onView;
    this.queue = newEventQueue(data, frame, {
      onAcknowledged: (entry, body) => this.receive(body.view),
      onRejected: (entry, body) => this.receive(body.view, true),
    });
    this.timer = null;
  }

  start() {
    this.queue.flush();
    this.timer = window.setInterval(() => this.poll(), this.data.pollMs || 1500);
    this.onView(this.view);
  }

  stop() {
    window.clearInterval(this.timer);
  }

  receive(view, rejected = false) {
    if (!view || view.version < this.view.version) {
      return;
    }
    const changed = view.version !== this.view.version;
    this.view = view;
    if (changed || rejected) {
      this.onView(view, rejected);
    }
  }

  async poll() {
    if (document.visibilityState === "hidden") {
      return;
    }
    try {
      const response = await fetch(this.data.eventsUrl, {
        credentials: "same-origin",
        cache: "no-store",
        headers: { Accept: "application/json" },
      });
      if (response.ok) {
        const body = await response.json();
        this.receive(body.view);
      }
    } catch (error) {
      // The next poll tries again; the status line already shows the network is down.
    }
  }

  // Queue one action. `seat` names the member acting on one shared device.
  act(kind, payload, seat = null) {
    this.queue.add({
      key: newKey(),
      kind,
      payload,
      seq: 0,
      seat,
      occurred_at: new Date().toISOString(),
    });
  }
}
