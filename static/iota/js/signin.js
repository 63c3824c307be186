// The picture keypad without a page load per tap. Without this script every tap is
// a plain form submission and the server counts the pictures; with it the taps are
// counted here and the form is sent once, when the last picture is tapped. The
// picture names are never spoken aloud, so classmates nearby cannot hear them.
(function () {
  "use strict";

  function setUp(form) {
    var length = parseInt(form.getAttribute("data-length"), 10) || 3;
    var picked = form.querySelector("[data-picked]");
    var dots = form.querySelectorAll("[data-dot]");
    var dotsLabel = form.querySelector("[data-dots-label]");
    var erase = form.querySelector("[data-erase]");
    var pictureButtons = form.querySelectorAll("[data-picture]");
    var keys = picked.value ? picked.value.split(",") : [];
    var sending = false;

    function render() {
      picked.value = keys.join(",");
      dots.forEach(function (dot, index) {
        dot.classList.toggle("filled", index < keys.length);
      });
      if (dotsLabel) {
        dotsLabel.textContent = dotsLabel
          .getAttribute("data-template")
          .replace("%(count)s", String(keys.length));
      }
      if (erase) {
        erase.disabled = keys.length === 0 || sending;
      }
    }

    function setEnabled(enabled) {
      pictureButtons.forEach(function (button) {
        button.disabled = !enabled;
      });
      if (erase) {
        erase.disabled = !enabled || keys.length === 0;
      }
    }

    pictureButtons.forEach(function (button) {
      button.addEventListener("click", function (event) {
        event.preventDefault();
        if (sending || keys.length >= length) {
          return;
        }
        keys.push(button.getAttribute("data-picture"));
        button.classList.add("tapped");
        window.setTimeout(function () {
          button.classList.remove("tapped");
        }, 250);
        render();
        if (keys.length === length) {
          sending = true;
          setEnabled(false);
          form.submit();
        }
      });
    });

    if (erase) {
      erase.addEventListener("click", function (event) {
        event.preventDefault();
        keys.pop();
        render();
      });
    }

    var wait = parseInt(form.getAttribute("data-wait-seconds"), 10) || 0;
    if (wait > 0) {
      setEnabled(false);
      window.setTimeout(function () {
        setEnabled(true);
        var message = document.querySelector("[data-wait-message]");
        if (message) {
          message.textContent = message.getAttribute("data-ready-message");
        }
      }, wait * 1000);
    }
    render();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-picture-keypad]").forEach(setUp);
  });
})();
