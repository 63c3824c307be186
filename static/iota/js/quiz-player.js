// The quiz player: one question per screen, big answer buttons, progress dots, hints
// and read-aloud. It shows the five question types of activities/schemas.py and
// keeps each answer in the shape activities/quiz_scoring.py scores: a choice id, a
// list of choice ids, the item ids in order, {left id: right id}, or a number. The
// ids are opaque: the server made them for this attempt (learning/quiz_layout.py)
// and maps them back to the quiz's keys with the seed sent along. The pupil's
// choices are kept in localStorage as they are made, so a reload or a closed tab
// resumes at the same question. At the end the whole quiz is sent as one attempt
// through the AnswerQueue, which keeps it until the server acknowledges it. The
// server scores the answers and sends the score back; this file never decides
// whether an answer is right, and it cannot, because it has no answers.

import { AnswerQueue, newKey } from "./player-queue.js";
import {
  format, formatNumber, make, plural, readAloud, renderQueueStatus, startPlayer, stopSpeaking,
} from "./player-dom.js";

const INTRO = -1;
// Shapes that show which right item goes with which left item. Numbers would be
// confused with left items that are numbers themselves, such as a picture's labels.
// A matching question has at most 8 pairs.
const PAIR_MARKS = ["●", "■", "▲", "◆", "★", "♥", "♣", "♠"];

class QuizPlayer {
  constructor(root, data) {
    this.root = root;
    this.data = data;
    this.strings = data.strings;
    this.questions = data.questions;
    this.confirmingFinish = false;
    this.storageKey = `iota.quiz.v2.${data.assignmentId}`;
    this.queue = new AnswerQueue({
      responseId: `quiz-${data.assignmentId}`,
      url: data.attemptUrl,
      onChange: () => this.renderStatus(),
      onAcknowledged: (entry, body) => this.acknowledged(entry, body),
      onRejected: (entry, body) => this.rejected(entry, body),
    });
    let draft = this.readDraft();
    if (draft.seed !== data.seed) {
      // A draft of another layout names ids this page does not show.
      draft = {};
    }
    this.answers = draft.answers || {};
    this.hintsShown = new Set(draft.hintsShown || []);
    this.selectedLeft = null;
    this.startedAt = draft.startedAt || null;
    this.result = data.lastResult;
    if (this.queue.pending) {
      this.index = this.questions.length;
    } else if (draft.startedAt) {
      this.index = Math.min(draft.index ?? 0, this.questions.length - 1);
    } else {
      this.index = INTRO;
    }
  }

  readDraft() {
    try {
      return JSON.parse(window.localStorage.getItem(this.storageKey) || "{}");
    } catch (error) {
      return {};
    }
  }

  writeDraft() {
    try {
      if (this.startedAt === null) {
        window.localStorage.removeItem(this.storageKey);
      } else {
        window.localStorage.setItem(this.storageKey, JSON.stringify({
          seed: this.data.seed,
          startedAt: this.startedAt,
          answers: this.answers,
          index: this.index,
          hintsShown: [...this.hintsShown],
        }));
      }
    } catch (error) {
      // Private browsing or a full store: the answers stay in this page only.
    }
  }

  start() {
    this.render();
    this.queue.flush();
  }

  answerOf(question) {
    return this.answers[question.key];
  }

  unansweredCount() {
    return this.questions.filter((question) => !this.isAnswered(question)).length;
  }

  isAnswered(question) {
    const answer = this.answerOf(question);
    if (answer === undefined || answer === null || answer === "") {
      return false;
    }
    if (question.type === "ordering") {
      return answer.length === question.items.length;
    }
    if (question.type === "matching") {
      return Object.keys(answer).length === question.left.length;
    }
    return !Array.isArray(answer) || answer.length > 0;
  }

  setAnswer(question, answer, { redraw = true } = {}) {
    this.answers[question.key] = answer;
    this.writeDraft();
    if (redraw) {
      this.render();
    }
  }

  toggleChoice(question, choiceId) {
    if (question.type === "single_choice") {
      this.setAnswer(question, choiceId);
      return;
    }
    const current = this.answerOf(question) || [];
    this.setAnswer(question, current.includes(choiceId)
      ? current.filter((id) => id !== choiceId)
      : [...current, choiceId]);
  }

  pickRight(question, rightId) {
    if (this.selectedLeft === null) {
      return;
    }
    const pairs = Object.assign({}, this.answerOf(question) || {});
    // A right item goes with one left item at a time.
    for (const [left, right] of Object.entries(pairs)) {
      if (right === rightId) {
        delete pairs[left];
      }
    }
    pairs[this.selectedLeft] = rightId;
    const next = question.left.find((item) => !(item.id in pairs));
    this.selectedLeft = next ? next.id : null;
    this.setAnswer(question, pairs);
  }

  go(index) {
    stopSpeaking();
    if (this.startedAt === null) {
      this.startedAt = new Date().toISOString();
    }
    this.index = Math.max(0, Math.min(index, this.questions.length - 1));
    this.selectedLeft = null;
    this.confirmingFinish = false;
    this.writeDraft();
    this.render();
  }

  // The Next or Finish button. With questions left, the first tap on Finish only
  // shows how many are left, and the second one finishes.
  forward(last) {
    if (!last) {
      this.go(this.index + 1);
    } else if (this.unansweredCount() > 0 && !this.confirmingFinish) {
      this.confirmingFinish = true;
      this.render();
    } else {
      this.submit();
    }
  }

  submit() {
    const finishedAt = new Date();
    this.queue.add({
      key: newKey(),
      // The queue keeps one entry per item, and every quiz sent is its own attempt.
      item: newKey(),
      answers: this.answers,
      seed: this.data.seed,
      started_at: this.startedAt,
      finished_at: finishedAt.toISOString(),
      time_spent_seconds: Math.round((finishedAt - Date.parse(this.startedAt)) / 1000),
      hints_used: this.hintsShown.size,
    });
    this.result = null;
    this.startedAt = null;
    this.answers = {};
    this.hintsShown = new Set();
    this.writeDraft();
    this.index = this.questions.length;
    this.render();
  }

  replay() {
    // The server gives the next attempt a new layout, with new ids and a new order.
    window.location.reload();
  }

  acknowledged(entry, body) {
    this.result = {
      score: body.score, maxScore: body.max_score, questions: body.questions || [],
    };
    this.render();
  }

  rejected(entry, body) {
    this.root.dataset.rejected = body.code || "rejected";
    this.rejection = body.message || "";
    this.render();
  }

  render() {
    this.root.textContent = "";
    let screen;
    let spoken;
    if (this.index === INTRO) {
      [screen, spoken] = this.introScreen();
    } else if (this.index >= this.questions.length) {
      [screen, spoken] = this.endScreen();
    } else {
      [screen, spoken] = this.questionScreen(this.questions[this.index]);
    }
    this.root.dataset.screen = screen.dataset.screen;
    this.root.appendChild(screen);
    this.status = make("p", { class: "player-status", role: "status", "aria-live": "polite" });
    this.root.appendChild(this.status);
    this.renderStatus();
    readAloud(screen, spoken, this.data.accommodations);
    const heading = screen.querySelector("h1");
    if (heading) {
      heading.focus({ preventScroll: true });
    }
  }

  introScreen() {
    const { title, instructions } = this.data;
    const last = this.result
      ? make("p", {
        class: "player-text last-result",
        text: this.scoreText(this.strings.lastResult),
      })
      : null;
    const screen = make("section", { class: "player-screen intro", "data-screen": "intro" }, [
      make("h1", { text: title.text, lang: title.lang, tabindex: -1 }),
      make("p", {
        class: "player-text", text: instructions.text, lang: instructions.lang,
        "data-read-aloud": true,
      }),
      last,
      make("p", {}, [make("button", {
        type: "button", class: "big-button start", text: this.strings.start,
        onclick: () => this.go(0),
      })]),
    ]);
    return [screen, `${title.text}. ${instructions.text}`];
  }

  dots() {
    const list = make("ol", { class: "progress-dots", "aria-label": this.strings.progress });
    this.questions.forEach((question, position) => {
      const classes = ["dot"];
      if (this.isAnswered(question)) {
        classes.push("answered");
      }
      if (position === this.index) {
        classes.push("current");
      }
      list.appendChild(make("li", {
        class: classes.join(" "), "aria-current": position === this.index ? "step" : false,
      }, [make("span", { class: "sr-only", text: String(position + 1) })]));
    });
    return list;
  }

  choiceButtons(question) {
    const answer = this.answerOf(question);
    const picked = Array.isArray(answer) ? answer : [answer];
    const group = make("div", {
      class: "quiz-choices", role: "group", "aria-labelledby": "question-text",
    });
    for (const choice of question.choices) {
      group.appendChild(make("button", {
        type: "button",
        class: "quiz-choice",
        "data-choice": choice.id,
        "aria-pressed": picked.includes(choice.id) ? "true" : "false",
        lang: choice.lang,
        text: choice.text,
        onclick: () => this.toggleChoice(question, choice.id),
      }));
    }
    return [
      question.type === "multiple_choice"
        ? make("p", { class: "player-text", text: this.strings.several })
        : null,
      group,
    ];
  }

  orderingArea(question) {
    const order = this.answerOf(question) || [];
    const byKey = new Map(question.items.map((item) => [item.id, item]));
    const chosen = make("ol", { class: "order-chosen", "aria-live": "polite" });
    for (const key of order) {
      const item = byKey.get(key);
      if (item) {
        chosen.appendChild(make("li", { text: item.text, lang: item.lang }));
      }
    }
    const pool = make("div", { class: "quiz-choices", role: "group" });
    for (const item of question.items) {
      pool.appendChild(make("button", {
        type: "button",
        class: "order-item",
        "data-item": item.id,
        disabled: order.includes(item.id),
        lang: item.lang,
        text: item.text,
        onclick: () => this.setAnswer(question, [...order, item.id]),
      }));
    }
    return [
      make("p", { class: "player-text", text: this.strings.orderHelp }),
      chosen,
      pool,
      order.length ? make("button", {
        type: "button", class: "secondary order-clear", text: this.strings.orderClear,
        onclick: () => this.setAnswer(question, []),
      }) : null,
    ];
  }

  matchingArea(question) {
    const pairs = this.answerOf(question) || {};
    if (this.selectedLeft === null) {
      const open = question.left.find((item) => !(item.id in pairs));
      this.selectedLeft = open ? open.id : question.left[0].id;
    }
    const marks = new Map(question.left.map((item, index) => [item.id, PAIR_MARKS[index]]));
    const texts = new Map([...question.left, ...question.right].map((item) => [item.id, item.text]));
    const markBadge = (leftId) => (leftId
      ? make("span", { class: "pair-mark", text: marks.get(leftId), "aria-hidden": "true" })
      : null);
    // Screen readers hear the other half of a pair, which the shapes only show.
    const pairedNote = (otherId) => (otherId
      ? make("span", {
        class: "sr-only", text: ` ${format(this.strings.pairedWith, { text: texts.get(otherId) })}`,
      })
      : null);
    const leftColumn = make("div", { role: "group" });
    for (const item of question.left) {
      leftColumn.appendChild(make("button", {
        type: "button",
        class: "match-item match-left",
        "data-left": item.id,
        "aria-pressed": this.selectedLeft === item.id ? "true" : "false",
        lang: item.lang,
        onclick: () => {
          this.selectedLeft = item.id;
          this.render();
        },
      }, [markBadge(item.id), document.createTextNode(item.text), pairedNote(pairs[item.id])]));
    }
    const leftOf = new Map(Object.entries(pairs).map(([left, right]) => [right, left]));
    const rightColumn = make("div", { role: "group" });
    for (const item of question.right) {
      const left = leftOf.get(item.id);
      rightColumn.appendChild(make("button", {
        type: "button",
        class: "match-item match-right",
        "data-right": item.id,
        lang: item.lang,
        onclick: () => this.pickRight(question, item.id),
      }, [markBadge(left), document.createTextNode(item.text), pairedNote(left)]));
    }
    return [
      make("p", { class: "player-text", text: this.strings.matchHelp }),
      make("div", { class: "match-columns" }, [leftColumn, rightColumn]),
    ];
  }

  numericArea(question) {
    const input = make("input", {
      type: "text",
      inputmode: "decimal",
      autocomplete: "off",
      id: `answer-${question.key}`,
      class: "numeric-input",
      value: this.answerOf(question) ?? "",
    });
    input.addEventListener("input", () => {
      this.setAnswer(question, input.value.trim(), { redraw: false });
    });
    return [make("p", { class: "numeric-answer" }, [
      make("label", { for: input.id, text: `${this.strings.numberLabel} ` }),
      input,
      question.unit ? make("span", { text: ` ${question.unit.text}`, lang: question.unit.lang }) : null,
    ])];
  }

  hintArea(question) {
    if (!question.hint) {
      return null;
    }
    if (this.hintsShown.has(question.key)) {
      return make("p", {
        class: "hint-text", text: question.hint.text, lang: question.hint.lang,
        "data-read-aloud": true,
      });
    }
    return make("button", {
      type: "button", class: "secondary quiz-hint", text: this.strings.hint,
      onclick: () => {
        this.hintsShown.add(question.key);
        this.writeDraft();
        this.render();
      },
    });
  }

  questionScreen(question) {
    const areas = {
      single_choice: () => this.choiceButtons(question),
      multiple_choice: () => this.choiceButtons(question),
      ordering: () => this.orderingArea(question),
      matching: () => this.matchingArea(question),
      numeric: () => this.numericArea(question),
    };
    const last = this.index === this.questions.length - 1;
    const unanswered = this.unansweredCount();
    // Finishing with questions left takes a second tap, so a slip of the finger does
    // not end the quiz.
    const confirming = last && this.confirmingFinish && unanswered > 0;
    let forwardText = this.strings.next;
    if (confirming) {
      forwardText = this.strings.finishAnyway;
    } else if (last) {
      forwardText = this.strings.finish;
    }
    const forward = make("button", {
      type: "button",
      class: last ? "big-button finish" : "big-button next",
      text: forwardText,
      onclick: () => this.forward(last),
    });
    const warning = confirming
      ? make("p", {
        class: "unanswered-warning", role: "alert", "data-read-aloud": true,
        text: format(plural(this.strings.unanswered, unanswered), { count: unanswered }),
      })
      : null;
    const options = question.choices || question.items || question.left || [];
    const spoken = [question.prompt.text, ...options.map((option) => option.text)];
    const image = question.image
      ? make("img", {
        class: "question-image", src: question.image.url, alt: question.image.alt.text,
      })
      : null;
    const screen = make("section", {
      class: "player-screen item", "data-screen": "question", "data-question": question.key,
      "data-type": question.type,
    }, [
      this.dots(),
      make("p", {
        class: "counter",
        text: format(this.strings.questionOf, {
          number: this.index + 1, total: this.questions.length,
        }),
      }),
      make("h1", {
        id: "question-text", class: "question-text", text: question.prompt.text,
        lang: question.prompt.lang, tabindex: -1, "data-read-aloud": spoken.join(". "),
      }),
      // On a wide screen the picture sits beside the answers, so both fit a laptop's
      // short screen.
      make("div", { class: image ? "question-body with-image" : "question-body" }, [
        image,
        make("div", { class: "question-answers" }, [
          ...(areas[question.type] || (() => []))(),
          this.hintArea(question),
        ]),
      ]),
      warning,
      make("nav", { class: "player-nav" }, [
        this.index > 0 ? make("button", {
          type: "button", class: "back secondary", text: this.strings.back,
          onclick: () => this.go(this.index - 1),
        }) : make("span"),
        forward,
      ]),
    ]);
    return [screen, spoken.join(". ")];
  }

  // The score sentence, in the plural form the score takes in the page's language.
  scoreText(forms) {
    const { score, maxScore } = this.result;
    return format(plural(forms, score), {
      score: formatNumber(score), total: formatNumber(maxScore),
    });
  }

  endScreen() {
    let text;
    if (this.rejection) {
      text = this.rejection;
    } else if (this.result) {
      text = this.scoreText(this.strings.score);
    } else {
      text = this.strings.waitingScore;
    }
    const screen = make("section", { class: "player-screen end", "data-screen": "end" }, [
      make("h1", { text: this.strings.endTitle, tabindex: -1 }),
      make("p", { class: "player-text quiz-score", text, "data-read-aloud": true }),
      this.resultList(),
      make("nav", { class: "player-nav" }, [
        this.result ? make("button", {
          type: "button", class: "secondary replay", text: this.strings.replay,
          onclick: () => this.replay(),
        }) : make("span"),
        make("a", { class: "big-button", href: this.data.todayUrl, text: this.strings.home }),
      ]),
    ]);
    return [screen, `${this.strings.endTitle}. ${text}`];
  }

  resultList() {
    const results = (this.result && this.result.questions) || [];
    if (!results.length) {
      return null;
    }
    const prompts = new Map(this.questions.map((question) => [question.key, question.prompt]));
    const list = make("ol", { class: "quiz-results" });
    for (const result of results) {
      const right = result.status === "correct";
      const prompt = prompts.get(result.key);
      list.appendChild(make("li", {
        "data-question": result.key, "data-status": result.status, "data-read-aloud": true,
      }, [
        make("span", {
          class: right ? "badge ok" : "badge",
          text: right ? this.strings.right : this.strings.wrong,
        }),
        prompt ? make("span", { class: "result-prompt", text: ` ${prompt.text}`, lang: prompt.lang }) : null,
        ...result.feedback.map((feedback) => make("span", {
          class: "result-feedback", text: ` ${feedback.text}`, lang: feedback.lang,
        })),
      ]));
    }
    return list;
  }

  renderStatus() {
    renderQueueStatus(this.root, this.status, this.queue, this.strings);
  }
}

startPlayer(QuizPlayer, "quiz-player", "quiz-data");
