/* History of one line: every revision with its character diff, and a button to bring an earlier text back. */
(function () {
  "use strict";
  const LANG = document.documentElement.lang || undefined; // numbers and dates as the page's language writes them
  const api = window.SkoropisApi;

  function renderDiff(ops) {
    const box = document.createElement("span");
    box.className = "diff";
    (ops || []).forEach(function (op) {
      if (op.op === "equal") {
        box.appendChild(document.createTextNode(op.old));
        return;
      }
      if (op.old) {
        const del = document.createElement("del");
        del.textContent = op.old;
        box.appendChild(del);
      }
      if (op.new) {
        const ins = document.createElement("ins");
        ins.textContent = op.new;
        box.appendChild(ins);
      }
    });
    return box;
  }

  function create(panel, options) {
    const list = panel.querySelector(".history-list");
    const title = panel.querySelector(".history-title");
    let lineId = null;

    /** `moveFocus`: asked for from the keyboard or a click, the panel takes the focus (Esc or Close gives it back). */
    async function show(id, moveFocus) {
      lineId = id;
      panel.hidden = false;
      title.textContent = interpolate(gettext("History of line %s"), [options.lineNumber(id)]);
      if (moveFocus) title.focus();
      list.replaceChildren();
      list.setAttribute("aria-busy", "true");
      let revisions;
      try {
        const data = await api.get("/api/lines/" + id + "/history/");
        revisions = Array.isArray(data) ? data : data.revisions || data.history || data.results || [];
      } catch (error) {
        list.textContent = error.message;
        return;
      } finally {
        list.removeAttribute("aria-busy");
      }
      if (lineId !== id) return;
      if (!revisions.length) {
        list.textContent = gettext("No text has been saved for this line yet.");
        return;
      }
      const newest = revisions.reduce(function (a, b) { return a.version > b.version ? a : b; });
      revisions.slice().reverse().forEach(function (revision) {
        const item = document.createElement("li");
        item.className = "revision";
        item.dataset.version = revision.version;
        const meta = document.createElement("div");
        meta.className = "muted";
        const who = revision.author || (revision.model ? interpolate(gettext("model %s"), [revision.model]) : gettext("unknown"));
        meta.textContent = interpolate(gettext("version %(version)s · %(who)s · %(when)s"),
          { version: revision.version.toLocaleString(LANG), who: who, when: new Date(revision.created).toLocaleString(LANG) }, true);
        const text = renderDiff(revision.diff);
        text.dir = options.direction;
        item.append(meta, text);
        if (options.canEdit && revision !== newest) {
          const restore = document.createElement("button");
          restore.type = "button";
          restore.className = "restore";
          restore.textContent = gettext("Restore");
          restore.addEventListener("click", function () { restoreRevision(id, revision, restore); });
          item.appendChild(restore);
        } else if (revision === newest) {
          item.appendChild(Object.assign(document.createElement("span"), { className: "badge", textContent: gettext("current") }));
        }
        list.appendChild(item);
      });
    }

    async function restoreRevision(id, revision, button) {
      button.disabled = true;
      try {
        const result = await api.post("/api/lines/" + id + "/restore/", { revision: revision.id });
        options.onRestored(id, result.text !== undefined ? result.text : revision.text, result.version);
        options.onStatus(interpolate(gettext("Version %s restored."), [revision.version]), "ok");
        show(id, true);
      } catch (error) {
        options.onStatus(gettext("Not restored:") + " " + error.message, "error");
        button.disabled = false;
      }
    }

    function close() {
      const id = lineId;
      panel.hidden = true;
      lineId = null;
      if (options.onClose) options.onClose(id);
    }
    title.tabIndex = -1;
    panel.querySelector(".history-close").addEventListener("click", close);
    panel.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { event.preventDefault(); close(); }
    });

    return {
      show: show,
      follow: function (id) { if (!panel.hidden && id !== lineId) show(id); },
      get open() { return !panel.hidden; },
    };
  }

  window.SkoropisHistory = { create: create };
})();
