// The questionnaire player: one item per screen, big pictographic answer buttons,
// read-aloud, back button and progress dots. The page passes its data through
// json_script ("player-data"); answers go through the AnswerQueue, so a pupil keeps
// answering while the network is down, and resumes at the first unanswered item after
// closing the tab. Read-aloud buttons come from readaloud.js, which the page loads
// first: elements marked `data-read-aloud` get one.

import { AnswerQueue, newKey } from "./player-queue.js";
import { drawPictogram } from "./player-pictograms.js";
import { format, make, renderQueueStatus, startPlayer, stopSpeaking } from "./player-dom.js";

const INTRO = -1;

function addReadAloud(element) {
  if (window.iotaReadAloud) {
    window.iotaReadAloud.enhance(element);
  }
}

class Player {
  constructor(root, data) {
    this.root = root;
    this.data = data;
    this.strings = data.strings;
    this.items = data.items;
    this.answers = Object.assign({}, data.answered);
    this.closed = !data.isOpen;
    root.setAttribute("data-read-aloud-label", this.strings.listen);
    this.queue = new AnswerQueue({
      responseId: data.responseId,
      url: data.answerUrl,
      onChange: () => this.renderStatus(),
      onAcknowledged: (entry, body) => this.acknowledged(entry, body),
      onRejected: (entry, body) => this.rejected(entry, body),
    });
    // Answers still queued from an earlier visit are newer than the server's copy.
    for (const entry of this.queue.entries()) {
      this.answers[entry.item] = entry.value;
    }
    this.index = this.resumeIndex();
  }

  isAnswered(item) {
    return Object.prototype.hasOwnProperty.call(this.answers, item.key);
  }

  resumeIndex() {
    const first = this.items.findIndex((item) => !this.isAnswered(item));
    if (first === -1) {
      return this.items.length;
    }
    return first === 0 ? INTRO : first;
  }

  start() {
    this.render();
    this.queue.flush();
  }

  acknowledged(entry, body) {
    if (body.completed) {
      this.root.dataset.completed = "true";
    }
  }

  rejected(entry, body) {
    if (body.code === "wave_closed") {
      this.closed = true;
      this.render();
    }
  }

  answer(value) {
    const item = this.items[this.index];
    this.answers[item.key] = value;
    this.queue.add({
      key: newKey(),
      item: item.key,
      value,
      answered_at: new Date().toISOString(),
    });
    this.go(this.index + 1);
  }

  go(index) {
    stopSpeaking();
    this.index = Math.max(INTRO, Math.min(index, this.items.length));
    this.render();
  }

  render() {
    this.root.textContent = "";
    let screen;
    if (this.closed && this.index < this.items.length) {
      screen = this.closedScreen();
    } else if (this.index === INTRO) {
      screen = this.introScreen();
    } else if (this.index >= this.items.length) {
      screen = this.endScreen();
    } else {
      screen = this.itemScreen(this.items[this.index]);
    }
    this.root.dataset.screen = screen.dataset.screen;
    this.root.appendChild(screen);
    addReadAloud(screen);
    this.status = make("p", { class: "player-status", role: "status", "aria-live": "polite" });
    this.root.appendChild(this.status);
    this.renderStatus();
    const heading = screen.querySelector("[data-focus]");
    if (heading) {
      heading.focus({ preventScroll: true });
    }
  }

  introScreen() {
    const { title, instructions } = this.data;
    return make("section", { class: "player-screen intro", "data-screen": "intro" }, [
      make("h1", { text: title.text, lang: title.lang, tabindex: -1, "data-focus": true }),
      make("p", {
        class: "player-text", text: instructions.text, lang: instructions.lang,
        "data-read-aloud": true,
      }),
      make("p", {}, [make("button", {
        type: "button", class: "big-button start", text: this.strings.start,
        onclick: () => this.go(0),
      })]),
    ]);
  }

  dots() {
    const list = make("ol", { class: "progress-dots", "aria-label": this.strings.progress });
    this.items.forEach((item, position) => {
      const classes = ["dot"];
      if (this.isAnswered(item)) {
        classes.push("answered");
      }
      if (position === this.index) {
        classes.push("current");
      }
      list.appendChild(make("li", {
        class: classes.join(" "),
        "aria-current": position === this.index ? "step" : false,
      }, [make("span", { class: "sr-only", text: String(position + 1) })]));
    });
    return list;
  }

  itemScreen(item) {
    const stored = this.isAnswered(item) ? this.answers[item.key] : undefined;
    const choices = make("div", {
      class: `choices choices-${this.data.choices.length}`, role: "group",
      "aria-labelledby": "question-text",
    });
    for (const choice of this.data.choices) {
      choices.appendChild(make("button", {
        type: "button",
        class: "choice",
        "data-value": choice.value,
        "aria-pressed": stored === choice.value ? "true" : "false",
        onclick: () => this.answer(choice.value),
      }, [drawPictogram(choice.pictogram),
        make("span", { class: "choice-label", text: choice.text, lang: choice.lang })]));
    }
    const skip = this.data.allowSkip ? make("button", {
      type: "button",
      class: "skip secondary",
      "aria-pressed": stored === null ? "true" : "false",
      text: this.strings.skip,
      onclick: () => this.answer(null),
    }) : null;
    const counter = format(this.strings.questionOf, {
      number: this.index + 1, total: this.items.length,
    });
    const spoken = [item.text, ...this.data.choices.map((choice) => choice.text)];
    return make("section", {
      class: "player-screen item", "data-screen": "item", "data-item": item.key,
    }, [
      this.dots(),
      make("p", { class: "counter", text: counter }),
      make("h1", {
        id: "question-text", class: "question-text", text: item.text, lang: item.lang,
        tabindex: -1,
        "data-focus": true, "data-read-aloud": spoken.join(". "),
      }),
      choices,
      skip,
      make("nav", { class: "player-nav" }, [
        make("button", {
          type: "button", class: "back secondary", text: this.strings.back,
          onclick: () => this.go(this.index - 1),
        }),
        stored !== undefined ? make("button", {
          type: "button", class: "next", text: this.strings.next,
          onclick: () => this.go(this.index + 1),
        }) : null,
      ]),
    ]);
  }

  endScreen() {
    return make("section", { class: "player-screen end", "data-screen": "end" }, [
      make("div", { class: "end-picture", "aria-hidden": "true" }, [drawPictogram("face-smile")]),
      make("h1", {
        text: this.strings.endTitle, tabindex: -1, "data-focus": true,
        "data-read-aloud": `${this.strings.endTitle} ${this.strings.endText}`,
      }),
      make("p", { class: "player-text", text: this.strings.endText }),
      make("nav", { class: "player-nav" }, [
        make("button", {
          type: "button", class: "back secondary", text: this.strings.back,
          onclick: () => this.go(this.items.length - 1),
        }),
        make("a", { class: "big-button", href: this.data.todayUrl, text: this.strings.home }),
      ]),
    ]);
  }

  closedScreen() {
    return make("section", { class: "player-screen closed", "data-screen": "closed" }, [
      make("h1", {
        text: this.strings.closed, tabindex: -1, "data-focus": true,
        "data-read-aloud": true,
      }),
      make("p", {}, [make("a", {
        class: "big-button", href: this.data.todayUrl, text: this.strings.home,
      })]),
    ]);
  }

  renderStatus() {
    renderQueueStatus(this.root, this.status, this.queue, this.strings);
    if (this.status && !this.queue.pending && this.index >= this.items.length) {
      this.status.textContent = this.strings.allSent;
    }
  }
}

startPlayer(Player, "player", "player-data");
