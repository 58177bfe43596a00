/* Virtual keyboard: the letters of the document's script plus its own characters, inserted at the caret of the active
   line. */
(function () {
  "use strict";

  function create(container, characters, onInsert) {
    container.replaceChildren();
    characters.forEach(function (char) {
      const key = document.createElement("button");
      key.type = "button";
      key.className = "vkey";
      key.textContent = /^\p{M}$/u.test(char) ? "\u25CC" + char : char; // a combining accent shown on a dotted circle
      key.dataset.char = char;
      key.title = interpolate(gettext("Insert %s (hold Shift for the capital)"), [char]);
      key.tabIndex = -1;
      // Keep the focus (and caret) in the line field.
      key.addEventListener("mousedown", function (event) { event.preventDefault(); });
      key.addEventListener("click", function (event) {
        onInsert(event.shiftKey ? char.toLocaleUpperCase() : char);
      });
      container.appendChild(key);
    });
  }

  window.SkoropisKeyboard = { create: create };
})();
