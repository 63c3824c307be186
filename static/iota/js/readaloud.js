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
    window.iotaReadAloud = {
      enhance: function () {},
      speak: function () {},
      voiceLanguage: function () { return "fr-FR"; },
    };
    return;
  }

  var BUTTON_CLASS = "read-aloud-button";
  var SVG_NS = "http://www.w3.org/2000/svg";
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
    var attributeText = element.getAttribute("data-read-aloud");
    if (attributeText) {
      return attributeText;
    }
    var copy = element.cloneNode(true);
    copy.querySelectorAll("." + BUTTON_CLASS).forEach(function (button) {
      button.remove();
    });
    return copy.textContent.replace(/\s+/g, " ").trim();
  }

  // A drawn icon, because school tablets often lack an emoji font.
  function speakerIcon() {
    var svg = document.createElementNS(SVG_NS, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("width", "24");
    svg.setAttribute("height", "24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    var speaker = document.createElementNS(SVG_NS, "path");
    speaker.setAttribute("d", "M3 9h4l5-4v14l-5-4H3z");
    speaker.setAttribute("fill", "currentColor");
    var waves = document.createElementNS(SVG_NS, "path");
    waves.setAttribute("d", "M15.5 8.5a5 5 0 0 1 0 7M18 6a8.5 8.5 0 0 1 0 12");
    waves.setAttribute("fill", "none");
    waves.setAttribute("stroke", "currentColor");
    waves.setAttribute("stroke-width", "2");
    waves.setAttribute("stroke-linecap", "round");
    svg.appendChild(speaker);
    svg.appendChild(waves);
    return svg;
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
    button.appendChild(speakerIcon());
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

  window.iotaReadAloud = { enhance: enhance, speak: speak, voiceLanguage: voiceLanguage };
  document.addEventListener("DOMContentLoaded", function () {
    enhance(document);
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    enhance(event.target);
  });
})();
