// The class pot (cooperation): each round the pupil chooses how many of their
// tokens go into the class pot, then waits for the others. When the round closes
// the player shows the class total, what it became once multiplied, and the
// pupil's share. Nobody sees a classmate's contribution, only how many have played.

import { drawToken } from "./task-figures.js";
import { GroupClient, TaskFrame, format, make, startTask } from "./task-common.js";

class PotPlayer {
  constructor(root, data) {
    this.data = data;
    this.texts = data.content.texts;
    this.strings = data.strings;
    this.frame = new TaskFrame(root, data.strings);
    this.client = new GroupClient(data, this.frame, (view, rejected) => {
      if (rejected) {
        this.sentRound = null;
      }
      this.render(view);
    });
    this.tokens = 0;
    this.sentRound = null;
  }

  start() {
    this.client.start();
  }

  render(view) {
    let screen;
    if (view.finished) {
      this.client.stop();
      screen = this.endScreen(view);
    } else if (view.played !== null && view.played !== undefined) {
      screen = this.waitScreen(view);
    } else if (this.sentRound === view.round) {
      screen = this.waitScreen(view);
    } else {
      screen = this.giveScreen(view);
    }
    this.frame.show(screen);
  }

  counter(view) {
    return make("p", { class: "counter", text: format(this.strings.roundOf, {
      number: view.round, total: view.rounds,
    }) });
  }

  lastResult(view) {
    if (!view.last) {
      return null;
    }
    const last = view.last;
    const lines = [
      format(this.strings.youGave, { own: last.own, pot: last.pot }),
      format(this.strings.youGot, {
        returned: Math.round(last.returned * 10) / 10,
        share: Math.round(last.share * 10) / 10,
      }),
    ];
    return make("div", { class: "card pot-result", "data-round": last.round }, [
      make("p", { text: this.texts.result, "data-read-aloud": true }),
      ...lines.map((line) => make("p", { text: line, "data-read-aloud": true })),
    ]);
  }

  tokenRow(view) {
    const row = make("div", { class: "token-row", "aria-hidden": "true" });
    for (let index = 0; index < view.endowment; index += 1) {
      row.appendChild(drawToken(index >= this.tokens));
    }
    return row;
  }

  giveScreen(view) {
    this.tokens = Math.min(this.tokens, view.endowment);
    const count = make("output", { class: "token-count", text: String(this.tokens) });
    const change = (delta) => {
      this.tokens = Math.max(0, Math.min(view.endowment, this.tokens + delta));
      this.render(view);
    };
    return make("section", { class: "player-screen give", "data-screen": "give" }, [
      this.lastResult(view),
      this.counter(view),
      make("h1", {
        text: format(this.texts.give, { endowment: view.endowment }),
        tabindex: -1, "data-focus": true, "data-read-aloud": true,
      }),
      this.tokenRow(view),
      make("div", { class: "token-controls" }, [
        make("button", {
          type: "button", class: "big-button secondary less", text: "−",
          "aria-label": "−1", disabled: this.tokens === 0, onclick: () => change(-1),
        }),
        count,
        make("button", {
          type: "button", class: "big-button secondary more", text: "+",
          "aria-label": "+1", disabled: this.tokens === view.endowment, onclick: () => change(1),
        }),
      ]),
      make("p", {}, [make("button", {
        type: "button", class: "big-button give-tokens", "data-tokens": this.tokens,
        text: format(this.strings.give, { count: this.tokens }),
        onclick: () => this.give(view),
      })]),
    ]);
  }

  give(view) {
    this.client.act("contribute", { round: view.round, tokens: this.tokens });
    this.sentRound = view.round;
    this.render(view);
  }

  waitScreen(view) {
    return make("section", { class: "player-screen wait", "data-screen": "wait" }, [
      this.counter(view),
      make("h1", { text: this.texts.waiting, tabindex: -1, "data-focus": true, "data-read-aloud": true }),
      make("p", { class: "played-count", text: format(this.strings.played, {
        count: view.playedCount, total: view.groupSize,
      }) }),
    ]);
  }

  endScreen(view) {
    return this.frame.messageScreen("end", this.texts.end, this.data.homeUrl, {
      before: [this.lastResult(view)],
      after: [make("p", { class: "pot-total", text: format(this.strings.total, {
        total: Math.round((view.total || 0) * 10) / 10,
      }) })],
    });
  }
}

startTask(PotPlayer);
