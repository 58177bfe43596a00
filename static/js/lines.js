/* The list of lines beside the image: one field per line, keyboard-only flow, save on leave, undo, conflicts. */
(function () {
  "use strict";
  const LANG = document.documentElement.lang || undefined; // numbers and dates as the page's language writes them
  const api = window.SkoropisApi;
  const LOW = 0.5;

  function create(list, options) {
    const entries = new Map(); // id → {line, li, input, reading, conflict, saved, version, undo, redo}
    let order = []; // ids in display order
    let activeId = null;

    function el(tag, className, text) {
      const node = document.createElement(tag);
      if (className) node.className = className;
      if (text !== undefined) node.textContent = text;
      return node;
    }

    /** The machine's confidence, once, on the line: a percentage beside the field (the mean over its characters),
        marked when some characters are unsure; shown while the field still holds the machine's reading. */
    function renderReading(entry) {
      const line = entry.line;
      const confidences = (line.confidences || []).filter(function (c) { return typeof c === "number"; });
      const badge = entry.reading;
      if (!confidences.length || entry.input.value !== line.text) {
        badge.hidden = true;
        entry.li.classList.remove("has-low");
        return;
      }
      const mean = confidences.reduce(function (a, b) { return a + b; }, 0) / confidences.length;
      const low = confidences.filter(function (c) { return c < LOW; }).length;
      const percent = mean.toLocaleString(LANG, { style: "percent", maximumFractionDigits: 0 });
      badge.textContent = percent;
      badge.dataset.confidence = mean.toFixed(3);
      badge.title = interpolate(gettext("Machine reading: %(percent)s sure on average"), { percent: percent }, true) +
        (low ? " · " + interpolate(ngettext("%s unsure character", "%s unsure characters", low), [low]) : "");
      badge.setAttribute("aria-label", badge.title);
      badge.classList.toggle("low", low > 0);
      badge.hidden = false;
      entry.li.classList.toggle("has-low", low > 0);
    }

    function build(line, index) {
      const li = el("li", "line");
      li.dataset.lineId = line.id;
      const number = el("span", "line-number", String(index + 1));
      if (options.canEdit && options.onReorder) {
        number.draggable = true; // the number is the handle that moves the line in reading order
        number.title = gettext("Drag to move the line in reading order");
      }
      const body = el("div", "line-body");
      const input = el("input", "line-text");
      input.type = "text";
      input.value = line.text || "";
      input.dir = options.direction === "rtl" ? "rtl" : "ltr";
      input.lang = "";
      input.spellcheck = false;
      input.autocomplete = "off";
      input.setAttribute("aria-label", interpolate(gettext("Line %s"), [index + 1]));
      if (!options.canEdit) input.readOnly = true;
      const reading = el("span", "line-confidence");
      reading.hidden = true;
      const conflict = el("div", "line-conflict");
      conflict.hidden = true;
      conflict.setAttribute("role", "alert");
      const field = el("div", "line-field");
      field.append(input, reading);
      body.append(field, conflict);
      const history = el("button", "line-history", "⟲");
      history.type = "button";
      history.title = gettext("History of this line");
      history.setAttribute("aria-label", interpolate(gettext("History of line %s"), [index + 1]));
      li.append(number, body, history);
      const entry = { line: line, li: li, input: input, reading: reading, conflict: conflict,
        saved: input.value, version: line.version, undo: [], redo: [], last: input.value, lastAt: 0 };
      wire(entry);
      renderReading(entry);
      return entry;
    }

    function wire(entry) {
      const input = entry.input;
      input.addEventListener("focus", function () { activate(entry.line.id); });
      input.addEventListener("blur", function () { save(entry); });
      input.addEventListener("input", function () { recordUndo(entry); });
      input.addEventListener("keydown", function (event) { onKey(entry, event); });
      entry.li.addEventListener("click", function (event) {
        if (event.target.classList.contains("line-history")) {
          activate(entry.line.id);
          if (options.onHistory) options.onHistory(entry.line.id);
        } else if (event.target === entry.li || event.target.classList.contains("line-number")) {
          input.focus();
        }
      });
    }

    /* Reading order by dragging a line's number onto another line: above its middle goes before it, else after. */
    let dragged = null;
    list.addEventListener("dragstart", function (event) {
      const li = event.target.closest && event.target.closest(".line");
      if (!li || !event.target.classList.contains("line-number")) return;
      dragged = Number(li.dataset.lineId);
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", String(dragged));
      li.classList.add("dragging");
    });
    function dropPlace(event) {
      const li = event.target.closest && event.target.closest(".line");
      if (!li || dragged === null || Number(li.dataset.lineId) === dragged) return null;
      const box = li.getBoundingClientRect();
      return { li: li, after: event.clientY > box.top + box.height / 2 };
    }
    list.addEventListener("dragover", function (event) {
      const place = dropPlace(event);
      list.querySelectorAll(".drop-before, .drop-after").forEach(function (n) { n.classList.remove("drop-before", "drop-after"); });
      if (!place) return;
      event.preventDefault();
      place.li.classList.add(place.after ? "drop-after" : "drop-before");
    });
    list.addEventListener("drop", function (event) {
      const place = dropPlace(event);
      if (!place) return;
      event.preventDefault();
      const reading = Array.from(entries.values()).sort(function (a, b) { return a.line.order - b.line.order; })
        .map(function (e) { return e.line.id; }).filter(function (id) { return id !== dragged; });
      const target = reading.indexOf(Number(place.li.dataset.lineId));
      reading.splice(target + (place.after ? 1 : 0), 0, dragged);
      options.onReorder(reading);
    });
    list.addEventListener("dragend", function () {
      dragged = null;
      list.querySelectorAll(".dragging, .drop-before, .drop-after").forEach(function (n) {
        n.classList.remove("dragging", "drop-before", "drop-after");
      });
    });

    function recordUndo(entry) {
      const now = Date.now();
      // Typing in one burst is one undo step; a pause or an inserted character starts a new one.
      if (now - entry.lastAt > 1000 || entry.undo.length === 0) entry.undo.push(entry.last);
      entry.lastAt = now;
      entry.last = entry.input.value;
      entry.redo = [];
      entry.li.classList.toggle("dirty", entry.input.value !== entry.saved);
      renderReading(entry);
    }

    function restoreValue(entry, value) {
      entry.input.value = value;
      entry.last = value;
      entry.lastAt = 0;
      entry.li.classList.toggle("dirty", value !== entry.saved);
      renderReading(entry);
    }

    function onKey(entry, event) {
      const key = event.key;
      const mod = event.ctrlKey || event.metaKey;
      if (mod && (key === "z" || key === "Z") && !event.shiftKey) {
        event.preventDefault();
        if (entry.undo.length) { entry.redo.push(entry.input.value); restoreValue(entry, entry.undo.pop()); }
      } else if (mod && (key === "y" || ((key === "z" || key === "Z") && event.shiftKey))) {
        event.preventDefault();
        if (entry.redo.length) { entry.undo.push(entry.input.value); restoreValue(entry, entry.redo.pop()); }
      } else if (mod && (key === "s" || key === "S")) {
        event.preventDefault();
        save(entry);
      } else if ((key === "Enter" && !event.shiftKey) || key === "ArrowDown") {
        event.preventDefault();
        if (!move(entry.line.id, 1)) save(entry); // the last line: nowhere to go, so save here
      } else if (key === "ArrowUp" || (key === "Enter" && event.shiftKey)) {
        event.preventDefault();
        if (!move(entry.line.id, -1)) save(entry);
      } else if (key === "Escape" && entry.input.value !== entry.saved) {
        event.preventDefault();
        entry.undo.push(entry.input.value);
        restoreValue(entry, entry.saved);
      }
    }

    function move(id, step) {
      const index = order.indexOf(id) + step;
      if (index < 0 || index >= order.length) return false;
      focus(order[index]);
      return true;
    }

    function activate(id) {
      if (activeId === id) return;
      if (activeId !== null && entries.has(activeId)) entries.get(activeId).li.classList.remove("active");
      activeId = id;
      const entry = entries.get(id);
      if (!entry) return;
      entry.li.classList.add("active");
      entry.li.scrollIntoView({ block: "nearest" });
      if (options.onActivate) options.onActivate(id);
    }

    function focus(id) {
      const entry = entries.get(id);
      if (!entry) return;
      activate(id);
      entry.input.focus();
      const end = entry.input.value.length;
      entry.input.setSelectionRange(end, end);
    }

    async function save(entry, force) {
      if (!options.canEdit) return;
      const text = entry.input.value;
      if (text === entry.saved && !force) return;
      if (entry.saving) { await entry.saving; return save(entry, force); }
      entry.li.classList.add("saving");
      options.onStatus(gettext("Saving…"), "busy");
      entry.saving = api.patch("/api/lines/" + entry.line.id + "/text/", { text: text, version: entry.version })
        .then(function (result) {
          entry.version = result.version;
          entry.saved = text;
          entry.line.text = text;
          entry.line.version = result.version;
          entry.line.confidences = result.confidences || [];
          entry.conflict.hidden = true;
          entry.li.classList.remove("conflict");
          entry.li.classList.toggle("dirty", entry.input.value !== entry.saved);
          entry.li.classList.add("saved");
          entry.li.dataset.version = result.version;
          renderReading(entry);
          options.onStatus(gettext("Saved."), "ok");
        })
        .catch(function (error) {
          if (error.status === 409 && error.body && error.body.current) {
            showConflict(entry, text, error.body.current);
            options.onStatus(gettext("Not saved: someone else changed this line."), "error");
          } else {
            options.onStatus(gettext("Not saved:") + " " + error.message, "error");
          }
        })
        .finally(function () { entry.li.classList.remove("saving"); entry.saving = null; });
      return entry.saving;
    }

    function showConflict(entry, mine, current) {
      const box = entry.conflict;
      box.replaceChildren();
      const when = current.updated ? new Date(current.updated).toLocaleString(LANG) : "";
      const who = current.author || gettext("someone else");
      box.append(el("p", "", interpolate(gettext("%(who)s saved another version (%(when)s). Nothing was overwritten."),
        { who: who, when: when }, true)));
      const theirs = el("p", "theirs");
      theirs.append(el("span", "muted", gettext("Their text:") + " "), el("q", "", current.text));
      theirs.querySelector("q").dir = entry.input.dir;
      box.append(theirs);
      const keep = el("button", "keep-mine", gettext("Keep mine"));
      const take = el("button", "take-theirs", gettext("Take theirs"));
      keep.type = take.type = "button";
      keep.addEventListener("mousedown", function (e) { e.preventDefault(); });
      take.addEventListener("mousedown", function (e) { e.preventDefault(); });
      keep.addEventListener("click", function () {
        entry.version = current.version;
        entry.input.value = mine;
        save(entry, true);
      });
      take.addEventListener("click", function () {
        entry.version = current.version;
        entry.saved = current.text;
        entry.line.text = current.text;
        entry.line.confidences = [];
        entry.undo.push(entry.input.value);
        restoreValue(entry, current.text);
        box.hidden = true;
        entry.li.classList.remove("conflict");
        options.onStatus(gettext("Their version is shown."), "ok");
      });
      box.append(keep, " ", take);
      box.hidden = false;
      entry.li.classList.add("conflict");
    }

    function render(lines, keepOrder) {
      const previous = keepOrder ? order.slice() : null;
      entries.clear();
      list.replaceChildren();
      lines.forEach(function (line, index) { entries.set(line.id, build(line, index)); });
      order = lines.map(function (line) { return line.id; });
      if (previous) setOrder(previous);
      else order.forEach(function (id) { list.appendChild(entries.get(id).li); });
      const active = activeId;
      activeId = null;
      if (active !== null && entries.has(active)) activate(active);
    }

    /** Shows the lines in the given order (review: worst first); ids missing from `ids` follow in reading order. */
    function setOrder(ids) {
      const wanted = (ids || []).filter(function (id) { return entries.has(id); });
      const rest = Array.from(entries.keys()).filter(function (id) { return wanted.indexOf(id) < 0; });
      order = wanted.concat(rest);
      order.forEach(function (id) { list.appendChild(entries.get(id).li); });
    }

    function insertText(text) {
      const entry = entries.get(activeId);
      if (!entry || !options.canEdit) return;
      const input = entry.input;
      const start = input.selectionStart ?? input.value.length;
      const end = input.selectionEnd ?? start;
      entry.undo.push(input.value);
      entry.lastAt = 0;
      input.setRangeText(text, start, end, "end");
      entry.last = input.value;
      entry.redo = [];
      entry.li.classList.toggle("dirty", input.value !== entry.saved);
      renderReading(entry);
      input.focus();
    }

    function replaceLine(id, text, version) {
      const entry = entries.get(id);
      if (!entry) return;
      entry.undo.push(entry.input.value);
      entry.saved = text;
      entry.version = version;
      entry.line.text = text;
      entry.line.version = version;
      entry.line.confidences = [];
      restoreValue(entry, text);
      entry.conflict.hidden = true;
    }

    return {
      render: render,
      focus: focus,
      activate: activate,
      setOrder: setOrder,
      insertText: insertText,
      replaceLine: replaceLine,
      saveActive: function () { return activeId !== null && entries.has(activeId) ? save(entries.get(activeId)) : Promise.resolve(); },
      get activeId() { return activeId; },
      get order() { return order.slice(); },
    };
  }

  window.SkoropisLines = { create: create };
})();
