// DOM helpers shared by the questionnaire, quiz, coding and task players.

// Build an element: `text` sets its text, `on…` keys add listeners, and any other
// key sets an attribute unless its value is false, null or undefined.
export function make(tag, attributes = {}, children = []) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (key === "text") {
      node.textContent = value;
    } else if (key.startsWith("on")) {
      node.addEventListener(key.slice(2), value);
    } else if (value !== false && value !== null && value !== undefined) {
      node.setAttribute(key, value === true ? "" : String(value));
    }
  }
  for (const child of children) {
    if (child) {
      node.appendChild(child);
    }
  }
  return node;
}

// Replace each {name} in a translated template with its value.
export function format(template, values) {
  return template.replace(/\{(\w+)\}/g, (match, name) =>
    name in values ? String(values[name]) : match);
}

// The page's language, which the server set on <html> (fr or en).
function pageLanguage() {
  return document.documentElement.lang || "fr";
}

// Return `value` written as the page's language writes numbers (2,5 in French).
// Partial credit gives fractional scores: one decimal is what a pupil can read.
export function formatNumber(value) {
  return Number(value).toLocaleString(pageLanguage(), { maximumFractionDigits: 1 });
}

// Pick the plural form of `forms` ({one, other}, CLDR categories) for `count`.
export function plural(forms, count) {
  const category = new Intl.PluralRules(pageLanguage()).select(Number(count));
  return forms[category] || forms.other;
}

// Read `text` aloud when the pupil's profile has read-aloud on, and add the read-aloud
// buttons of readaloud.js to `element`. The voice speaks the language of the first
// text marked for reading aloud in `element`, which is the content's (an activity
// without an English version stays French on an English page), or else the page's.
export function readAloud(element, text, accommodations) {
  if (!window.iotaReadAloud) {
    return;
  }
  window.iotaReadAloud.enhance(element);
  if (accommodations && accommodations.readAloud && text) {
    const source = element.querySelector("[data-read-aloud][lang]") || element;
    window.iotaReadAloud.speak(text, window.iotaReadAloud.voiceLanguage(source));
  }
}

// Return the status line of a player's queue: nothing once every entry is sent.
export function queueStatusText(queue, strings) {
  if (!queue.pending) {
    return "";
  }
  if (queue.signedOut) {
    return strings.signedOut;
  }
  if (navigator.onLine === false) {
    return strings.offline;
  }
  return strings.sending;
}

// Stop any read-aloud in progress, as a new screen replaces the one it read.
export function stopSpeaking() {
  if (window.speechSynthesis) {
    window.speechSynthesis.cancel();
  }
}

// Show the queue's state in a player's status line and on its root element.
export function renderQueueStatus(root, status, queue, strings) {
  if (!status) {
    return;
  }
  root.dataset.pending = String(queue.pending);
  status.textContent = queueStatusText(queue, strings);
}

// Start `Player` on the element `rootId` with the JSON of the script `dataId`, and
// refresh its status line when the device goes offline. Returns the player, or
// null on a page without them.
export function startPlayer(Player, rootId, dataId) {
  const root = document.getElementById(rootId);
  const source = document.getElementById(dataId);
  if (!root || !source) {
    return null;
  }
  const player = new Player(root, JSON.parse(source.textContent));
  window.addEventListener("offline", () => player.renderStatus());
  player.start();
  return player;
}
