// The answer queue: every answer is written to localStorage before it is sent, and
// stays there until the server acknowledges it. School networks drop, so a failed send
// is retried with a growing delay, at once when the browser says it is back online,
// and on the next page load. Each answer carries a key made here; the server stores a
// key once, so a resend after a lost acknowledgement never counts twice.

const MAX_DELAY_MS = 30000;
const REQUEST_TIMEOUT_MS = 15000;

// 400, 404 and 409 mean the server read the answer and will never take it (unknown
// item, closed wave, another pupil's questionnaire): resending cannot help.
const REJECTED = new Set([400, 404, 409, 410, 422]);

export function newKey() {
  if (window.crypto && typeof window.crypto.randomUUID === "function") {
    return window.crypto.randomUUID();
  }
  // randomUUID exists only in secure contexts (HTTPS or localhost), so elsewhere the
  // version 4 UUID is built by hand.
  const bytes = window.crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-` +
    `${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function readCookie(name) {
  for (const part of document.cookie.split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) {
      return decodeURIComponent(rest.join("="));
    }
  }
  return "";
}

// localStorage can be missing or full (private browsing, old tablets). The queue then
// lives in memory only, and still resends while the page stays open.
class Store {
  constructor(key) {
    this.key = key;
    this.memory = [];
  }

  read() {
    try {
      const text = window.localStorage.getItem(this.key);
      return text ? JSON.parse(text) : [];
    } catch (error) {
      return this.memory;
    }
  }

  write(entries) {
    this.memory = entries;
    try {
      if (entries.length) {
        window.localStorage.setItem(this.key, JSON.stringify(entries));
      } else {
        window.localStorage.removeItem(this.key);
      }
    } catch (error) {
      // Kept in memory above.
    }
  }
}

export class AnswerQueue {
  // onChange(queue) runs after every change of the queue or of its state.
  // onAcknowledged(entry, body) runs after the server stored an answer, and
  // onRejected(entry, body) after the server rejected one for good.
  constructor({ responseId, url, onChange, onAcknowledged, onRejected }) {
    this.store = new Store(`iota.answers.v1.${responseId}`);
    this.url = url;
    this.onChange = onChange || (() => {});
    this.onAcknowledged = onAcknowledged || (() => {});
    this.onRejected = onRejected || (() => {});
    this.sending = false;
    this.failures = 0;
    this.timer = null;
    this.signedOut = false;
    this.flushAgain = false;
    window.addEventListener("online", () => this.flushNow());
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") {
        this.flushNow();
      }
    });
  }

  entries() {
    return this.store.read();
  }

  get pending() {
    return this.entries().length;
  }

  // Queue an answer. An older queued answer to the same item is dropped, because the
  // server would keep the later one anyway.
  add(entry) {
    const kept = this.entries().filter((queued) => queued.item !== entry.item);
    kept.push(entry);
    this.store.write(kept);
    this.onChange(this);
    this.flushNow();
  }

  remove(key) {
    this.store.write(this.entries().filter((queued) => queued.key !== key));
  }

  flushNow() {
    this.failures = 0;
    this.flush();
  }

  async flush() {
    if (this.sending) {
      // A flush requested during a send (a new answer, the network back) runs once
      // the send ends.
      this.flushAgain = true;
      return;
    }
    window.clearTimeout(this.timer);
    this.timer = null;
    this.sending = true;
    this.onChange(this);
    try {
      for (;;) {
        const entry = this.entries()[0];
        if (!entry) {
          break;
        }
        const outcome = await this.send(entry);
        if (outcome === "retry") {
          this.failures += 1;
          this.schedule();
          break;
        }
        this.remove(entry.key);
        this.failures = 0;
      }
    } finally {
      this.sending = false;
      this.onChange(this);
    }
    if (this.flushAgain) {
      this.flushAgain = false;
      if (this.timer !== null) {
        this.flush();
      }
    }
  }

  schedule() {
    const delay = Math.min(MAX_DELAY_MS, 1000 * 2 ** (this.failures - 1));
    // Jitter spreads the retries of a whole class whose network came back at once.
    const jitter = Math.random() * 0.3 * delay;
    this.timer = window.setTimeout(() => this.flush(), delay + jitter);
  }

  async send(entry) {
    const controller = typeof AbortController === "function" ? new AbortController() : null;
    const timeout = controller
      ? window.setTimeout(() => controller.abort(), REQUEST_TIMEOUT_MS)
      : null;
    let response;
    try {
      response = await fetch(this.url, {
        method: "POST",
        credentials: "same-origin",
        cache: "no-store",
        headers: {
          "Content-Type": "application/json",
          Accept: "application/json",
          "X-CSRFToken": readCookie("csrftoken"),
        },
        body: JSON.stringify(entry),
        signal: controller ? controller.signal : undefined,
      });
    } catch (error) {
      return "retry";
    } finally {
      window.clearTimeout(timeout);
    }
    const body = await response.json().catch(() => null);
    if (response.ok && body) {
      this.signedOut = false;
      this.onAcknowledged(entry, body);
      return "done";
    }
    if (REJECTED.has(response.status) && body) {
      console.warn("IOTA: answer rejected by the server", response.status, body.code);
      this.onRejected(entry, body);
      return "dropped";
    }
    // 401 means signed out, so the answer waits for the pupil to sign in again. A 403
    // is a CSRF failure (no JSON body) or an adult's session, which a new sign-in
    // also ends. 5xx, 408 and 429 are worth another try.
    this.signedOut = response.status === 401;
    return "retry";
  }
}
