// The picture game (communication), played in pairs. The speaker sees which picture
// is the target and builds a message by tapping words, at most one per feature;
// the listener reads the message and taps a picture. Both then see the result, and
// the roles swap at the next trial.
//
// The server holds the pair's state; this player shows the view it sends and
// queues the member's actions. On one shared device the player asks the pupils to
// hand the device over between the speaker's and the listener's turn, so the
// listener does not see the target.

import { drawFigure } from "./task-figures.js";
import { GroupClient, TaskFrame, format, make, startTask } from "./task-common.js";

class PicturesPlayer {
  constructor(root, data) {
    this.data = data;
    this.content = data.content;
    this.texts = data.content.texts;
    this.strings = data.strings;
    this.frame = new TaskFrame(root, data.strings);
    this.client = new GroupClient(data, this.frame, (view, rejected) => {
      if (rejected) {
        this.waitingFor = null;
      }
      this.render(view);
    });
    this.words = {};
    for (const feature of this.content.features) {
      for (const word of feature.words) {
        this.words[`${feature.key}:${word.value}`] = word.text;
      }
    }
    this.draft = {};
    this.draftTrial = null;
    this.confirmed = null;
    this.waitingFor = null;
  }

  start() {
    this.client.start();
  }

  nameOf(seat) {
    const member = this.data.members.find((entry) => entry.seat === seat);
    return member ? member.name : "";
  }

  messageText(message) {
    return Object.entries(message || {})
      .map(([feature, value]) => this.words[`${feature}:${value}`])
      .join(" · ");
  }

  render(view) {
    if (view.trial !== this.draftTrial) {
      this.draft = {};
      this.draftTrial = view.trial;
    }
    const turn = `${view.trial}:${view.phase}`;
    if (this.waitingFor !== null && this.waitingFor !== turn) {
      this.waitingFor = null;
    }
    let screen;
    if (view.finished) {
      this.client.stop();
      screen = this.endScreen();
    } else if (this.waitingFor === turn) {
      screen = this.waitScreen(view, this.strings.sending);
    } else if (view.shared && ["message", "choose"].includes(view.phase) && this.confirmed !== turn) {
      screen = this.handoffScreen(view, turn);
    } else if (view.phase === "message") {
      screen = view.role === "speaker"
        ? this.speakScreen(view)
        : this.waitScreen(view, this.texts.waiting_message);
    } else if (view.phase === "choose") {
      screen = view.role === "listener"
        ? this.listenScreen(view)
        : this.waitScreen(view, this.texts.waiting_choice);
    } else {
      screen = this.feedbackScreen(view);
    }
    this.frame.show(screen);
  }

  counter(view) {
    return make("p", { class: "counter", text: format(this.strings.trialOf, {
      number: view.trial + 1, total: view.trials,
    }) });
  }

  picture(view, picture, attributes = {}) {
    const classes = ["picture"];
    if (view.target === picture.key && (view.role === "speaker" || view.phase === "feedback")) {
      classes.push("is-target");
    }
    if (view.result && view.result.choice === picture.key && view.phase === "feedback") {
      classes.push("is-choice");
    }
    const data = {};
    for (const feature of ["shape", "color", "pattern", "size"]) {
      if (picture[feature]) {
        data[`data-${feature}`] = picture[feature];
      }
    }
    const tag = attributes.onclick ? "button" : "div";
    return make(tag, {
      class: classes.join(" "), "data-key": picture.key,
      type: tag === "button" ? "button" : null, ...data, ...attributes,
    }, [drawFigure(picture)]);
  }

  pictureRow(view, clickable) {
    const row = make("div", { class: "pictures" });
    for (const picture of view.pictures) {
      row.appendChild(this.picture(view, picture, clickable ? {
        "aria-label": String(view.pictures.indexOf(picture) + 1),
        onclick: () => this.choose(view, picture.key),
      } : {}));
    }
    return row;
  }

  handoffScreen(view, turn) {
    const acting = view.seat;
    const other = 1 - acting;
    const template = view.phase === "message" ? this.strings.handToHide : this.strings.handTo;
    const text = format(template, { name: this.nameOf(acting), other: this.nameOf(other) });
    return make("section", { class: "player-screen handoff", "data-screen": "handoff" }, [
      this.counter(view),
      make("h1", { text, tabindex: -1, "data-focus": true, "data-read-aloud": true }),
      make("p", {}, [make("button", {
        type: "button", class: "big-button ready",
        text: format(this.strings.ready, { name: this.nameOf(acting) }),
        onclick: () => { this.confirmed = turn; this.render(this.client.view); },
      })]),
    ]);
  }

  speakScreen(view) {
    const groups = make("div", { class: "word-groups" });
    for (const feature of this.content.features) {
      const buttons = make("div", { class: "words", role: "group", "aria-label": feature.label });
      for (const word of feature.words) {
        const chosen = this.draft[feature.key] === word.value;
        buttons.appendChild(make("button", {
          type: "button", class: "word", "data-feature": feature.key, "data-value": word.value,
          "aria-pressed": chosen ? "true" : "false", text: word.text,
          onclick: () => {
            if (chosen) {
              delete this.draft[feature.key];
            } else {
              this.draft[feature.key] = word.value;
            }
            this.render(view);
          },
        }));
      }
      groups.appendChild(make("fieldset", { class: "word-group" }, [
        make("legend", { text: feature.label }), buttons,
      ]));
    }
    const empty = Object.keys(this.draft).length === 0;
    return make("section", { class: "player-screen speak", "data-screen": "speak" }, [
      this.counter(view),
      make("h1", { text: this.texts.speaker, tabindex: -1, "data-focus": true, "data-read-aloud": true }),
      this.pictureRow(view, false),
      groups,
      make("p", { class: "message-preview" }, [
        make("strong", { text: this.strings.yourMessage }),
        document.createTextNode(` ${empty ? this.strings.noWords : this.messageText(this.draft)}`),
      ]),
      make("p", {}, [make("button", {
        type: "button", class: "big-button send", text: this.strings.send, disabled: empty,
        onclick: () => this.sendMessage(view),
      })]),
    ]);
  }

  sendMessage(view) {
    this.client.act("message", { trial: view.trial, words: { ...this.draft } }, view.seat);
    this.waitingFor = `${view.trial}:message`;
    this.render(view);
  }

  listenScreen(view) {
    return make("section", { class: "player-screen listen", "data-screen": "listen" }, [
      this.counter(view),
      make("h1", { text: this.texts.listener, tabindex: -1, "data-focus": true, "data-read-aloud": true }),
      make("p", { class: "message", "data-read-aloud": true }, [
        make("strong", { text: this.strings.message }),
        document.createTextNode(` ${this.messageText(view.message)}`),
      ]),
      this.pictureRow(view, true),
    ]);
  }

  choose(view, key) {
    this.client.act("choose", { trial: view.trial, picture: key }, view.seat);
    this.waitingFor = `${view.trial}:choose`;
    this.render(view);
  }

  waitScreen(view, text) {
    return make("section", { class: "player-screen wait", "data-screen": "wait" }, [
      this.counter(view),
      make("h1", { text, tabindex: -1, "data-focus": true, "data-read-aloud": true }),
    ]);
  }

  feedbackScreen(view) {
    const correct = view.result && view.result.correct;
    return make("section", {
      class: "player-screen feedback", "data-screen": "feedback",
      "data-correct": correct ? "true" : "false",
    }, [
      this.counter(view),
      make("h1", {
        text: correct ? this.texts.correct : this.texts.wrong,
        tabindex: -1, "data-focus": true, "data-read-aloud": true,
      }),
      make("p", { class: "message" }, [
        make("strong", { text: this.strings.message }),
        document.createTextNode(` ${this.messageText(view.message)}`),
      ]),
      this.pictureRow(view, false),
      make("p", {}, [make("button", {
        type: "button", class: "big-button next", text: this.strings.next,
        onclick: () => {
          this.client.act("next", { trial: view.trial }, view.seat);
          this.waitingFor = `${view.trial}:feedback`;
          this.render(view);
        },
      })]),
    ]);
  }

  endScreen() {
    return this.frame.messageScreen("end", this.texts.end, this.data.homeUrl);
  }
}

startTask(PicturesPlayer);
