// Read-aloud buttons: every element with a `data-read-aloud` attribute gets a button
// that speaks its text with the browser's speech synthesis. The attribute's value,
// when not empty, is spoken in place of the element's text. The button's label comes
// from the nearest `data-read-aloud-label` attribute ("Écouter" by default), and the
// voice follows the nearest `lang` attribute ("fr" speaks as fr-FR).
//
// Pages load this file with a script tag; content added later (htmx swaps, players)
// calls `window.iotaReadAloud.enhance(element)`.
(function () {
  "use strict";

  if (!("speechSynthesis" in window) || typeof SpeechSynthesisUtterance === "undefined") {
    window.iotaReadAloud = { enhance: function () {}, speak: function () {} };
    return;
  }

  var BUTTON_CLASS = "read-aloud-button";
  var REGION_LANGUAGES = { fr: "fr-FR", en: "en-GB" };

  function voiceLanguage(element) {
    var holder = element.closest("[lang]");
    var lang = holder ? holder.getAttribute("lang") : "fr";
    return REGION_LANGUAGES[lang] || lang;
  }

  function speak(text, lang) {
    window.speechSynthesis.cancel();
    var utterance = new SpeechSynthesisUtterance(text);
    utterance.lang = lang || "fr-FR";
    // Slightly slower than the default, for young listeners.
    utterance.rate = 0.9;
    window.speechSynthesis.speak(utterance);
  }

  function textOf(element) {
    var given = element.getAttribute("data-read-aloud");
    if (given) {
      return given;
    }
    var copy = element.cloneNode(true);
    copy.querySelectorAll("." + BUTTON_CLASS).forEach(function (button) {
      button.remove();
    });
    return copy.textContent.replace(/\s+/g, " ").trim();
  }

  function addButton(element) {
    if (element.querySelector(":scope > ." + BUTTON_CLASS)) {
      return;
    }
    var labelHolder = element.closest("[data-read-aloud-label]");
    var label = labelHolder ? labelHolder.getAttribute("data-read-aloud-label") : "Écouter";
    var button = document.createElement("button");
    button.type = "button";
    button.className = BUTTON_CLASS;
    button.setAttribute("aria-label", label);
    button.title = label;
    button.textContent = "🔊";
    button.addEventListener("click", function (event) {
      event.preventDefault();
      event.stopPropagation();
      speak(textOf(element), voiceLanguage(element));
    });
    element.appendChild(button);
  }

  function enhance(root) {
    var scope = root || document;
    if (scope.matches && scope.matches("[data-read-aloud]")) {
      addButton(scope);
    }
    scope.querySelectorAll("[data-read-aloud]").forEach(addButton);
  }

  window.iotaReadAloud = { enhance: enhance, speak: speak };
  document.addEventListener("DOMContentLoaded", function () {
    enhance(document);
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    enhance(event.target);
  });
})();
