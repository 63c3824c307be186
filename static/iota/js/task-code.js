// The secret code (collaboration), played in pairs. Each partner reads their own
// clues; both may place the pictures in the code's slots and try it. The server
// keeps the pair's code, counts each partner's actions and says whether a try
// was right.
//
// To place a picture, tap it in the palette, then tap a slot; tapping a filled
// slot with nothing selected empties it. On one shared device both clue cards are
// on screen, and the pupils tap their name before acting, so the server can tell
// who did what.

import { drawSymbol } from "./task-figures.js";
import { GroupClient, TaskFrame, format, make, startTask } from "./task-common.js";

class CodePlayer {
  constructor(root, data) {
    this.data = data;
    this.content = data.content;
    this.texts = data.content.texts;
    this.strings = data.strings;
    this.frame = new TaskFrame(root, data.strings);
    this.client = new GroupClient(data, this.frame, (view) => this.render(view));
    this.names = {};
    for (const symbol of this.content.symbols) {
      this.names[symbol.key] = symbol.text;
    }
    this.selected = null;
    this.actingSeat = data.seat;
  }

  start() {
    this.client.start();
  }

  nameOf(seat) {
    const member = this.data.members.find((entry) => entry.seat === Number(seat));
    return member ? member.name : "";
  }

  act(kind, payload) {
    const seat = this.client.view.shared ? this.actingSeat : null;
    this.client.act(kind, payload, seat);
  }

  render(view) {
    let screen;
    if (view.finished) {
      this.client.stop();
      screen = this.endScreen();
    } else if (view.phase === "feedback") {
      screen = this.feedbackScreen(view);
    } else {
      screen = this.playScreen(view);
    }
    this.frame.show(screen);
  }

  counter(view) {
    return make("p", { class: "counter", text: format(this.strings.puzzleOf, {
      number: view.puzzle + 1, total: view.puzzles,
    }) });
  }

  clueCards(view) {
    const cards = make("div", { class: "clue-cards" });
    for (const [seat, clues] of Object.entries(view.clues || {})) {
      const title = view.shared
        ? format(this.strings.clueCard, { name: this.nameOf(seat) })
        : this.texts.your_clues;
      cards.appendChild(make("section", { class: "card clue-card", "data-seat": seat }, [
        make("h2", { text: title }),
        make("ul", {}, clues.map((clue) => make("li", { text: clue, "data-read-aloud": true }))),
      ]));
    }
    return cards;
  }

  whoPlays(view) {
    if (!view.shared) {
      return null;
    }
    return make("div", { class: "who-plays", role: "group", "aria-label": this.strings.whoPlays }, [
      make("p", { text: this.strings.whoPlays }),
      ...this.data.members.map((member) => make("button", {
        type: "button", class: "secondary seat-choice", "data-seat": member.seat,
        "aria-pressed": member.seat === this.actingSeat ? "true" : "false",
        text: member.name,
        onclick: () => { this.actingSeat = member.seat; this.render(view); },
      })),
    ]);
  }

  slot(view, position) {
    const symbol = view.slots[position];
    return make("button", {
      type: "button", class: `slot${symbol ? " filled" : ""}`, "data-position": position,
      "data-symbol": symbol || "", "aria-label": symbol ? this.names[symbol] : String(position + 1),
      onclick: () => this.tapSlot(view, position),
    }, [symbol ? drawSymbol(symbol) : null]);
  }

  tapSlot(view, position) {
    if (this.selected === null && view.slots[position] === null) {
      return;
    }
    this.act("place", { puzzle: view.puzzle, position, symbol: this.selected });
    this.selected = null;
  }

  playScreen(view) {
    const slots = make("div", { class: "slots" }, view.slots.map((_, index) => this.slot(view, index)));
    const palette = make("div", { class: "palette", role: "group" }, view.symbols.map((key) => make("button", {
      type: "button", class: "symbol-choice", "data-symbol": key,
      "aria-pressed": this.selected === key ? "true" : "false",
      onclick: () => { this.selected = this.selected === key ? null : key; this.render(view); },
    }, [drawSymbol(key), make("span", { text: this.names[key] })])));
    const full = view.slots.every((slot) => slot !== null);
    return make("section", { class: "player-screen code", "data-screen": "code", "data-puzzle": view.puzzle }, [
      this.counter(view),
      make("h1", { text: this.texts.goal, tabindex: -1, "data-focus": true, "data-read-aloud": true }),
      this.clueCards(view),
      this.whoPlays(view),
      slots,
      palette,
      view.wrong ? make("p", { class: "code-wrong", role: "alert", text: this.texts.wrong }) : null,
      make("p", { class: "counter", text: format(this.strings.attempts, {
        used: view.attempts, max: view.maxAttempts,
      }) }),
      make("p", {}, [make("button", {
        type: "button", class: "big-button try-code", text: this.strings.tryCode,
        disabled: !full, onclick: () => this.act("try", { puzzle: view.puzzle }),
      })]),
    ]);
  }

  feedbackScreen(view) {
    const solved = !view.wrong;
    return make("section", {
      class: "player-screen feedback", "data-screen": "feedback",
      "data-solved": solved ? "true" : "false",
    }, [
      this.counter(view),
      make("h1", {
        text: solved ? this.texts.solved : this.texts.failed,
        tabindex: -1, "data-focus": true, "data-read-aloud": true,
      }),
      make("div", { class: "slots answer" }, (view.answer || []).map((key) => make("div", {
        class: "slot filled", "data-symbol": key,
      }, [drawSymbol(key)]))),
      make("p", {}, [make("button", {
        type: "button", class: "big-button next", text: this.strings.next,
        onclick: () => this.act("next", { puzzle: view.puzzle }),
      })]),
    ]);
  }

  endScreen() {
    return this.frame.messageScreen("end", this.texts.end, this.data.homeUrl);
  }
}

startTask(CodePlayer);
