/* The correction editor: image and lines side by side, review order, segmentation tools. Wires the modules. */
(function () {
  "use strict";
  const LANG = document.documentElement.lang || undefined; // numbers and dates as the page's language writes them
  const api = window.SkoropisApi;
  const config = JSON.parse(document.getElementById("editor-config").textContent);
  const status = document.getElementById("editor-status");
  const pageUrl = "/api/pages/" + config.pageId + "/";
  let page = null;
  let reviewIds = null;

  function say(message, kind) {
    status.textContent = message;
    status.dataset.kind = kind || "";
  }

  const viewer = window.SkoropisViewer.create(document.getElementById("viewer"), {
    pageId: config.pageId,
    width: config.width,
    prefixUrl: config.osdImages,
    navigatorId: "viewer-navigator",
    onShape: config.canEdit ? function (id, change) {
      edit(async function () {
        await api.patch("/api/lines/" + id + "/shape/", change);
        say(change.baseline ? gettext("Baseline saved.") : gettext("Line outline saved."), "ok");
        return id;
      });
    } : null,
    onOpen: function () {
      if (lines.activeId !== null) viewer.zoomTo(lines.activeId, true);
    },
  });

  const lines = window.SkoropisLines.create(document.getElementById("lines"), {
    canEdit: config.canEdit,
    direction: config.direction,
    onStatus: say,
    onActivate: function (id) {
      viewer.highlight(id);
      showRegionOf(id);
      viewer.zoomTo(id);
      history.follow(id);
      const url = new URL(location.href);
      url.searchParams.set("line", id);
      window.history.replaceState(null, "", url);
    },
    onHistory: function (id) { history.show(id, true); },
    onReorder: function (order) {
      if (reviewIds) { say(gettext("Switch off “Worst lines first” to change the reading order."), "error"); return false; }
      const id = lines.activeId;
      edit(async function () { await api.post(pageUrl + "reorder/", { order: order }); say(gettext("Line moved."), "ok"); return id; });
      return true;
    },
  });

  const history = window.SkoropisHistory.create(document.getElementById("history"), {
    canEdit: config.canEdit,
    direction: config.direction,
    lineNumber: function (id) {
      const index = page ? page.lines.findIndex(function (l) { return l.id === id; }) : -1;
      return index + 1;
    },
    onRestored: function (id, text, version) { lines.replaceLine(id, text, version); },
    onClose: function (id) { if (id !== null) lines.focus(id); },
    onStatus: say,
  });

  viewer.onLineClick(function (id) { lines.focus(id); });

  /** The type of the active line's region, in the region type menu (to change it: "Set its region's type"). */
  function showRegionOf(id) {
    const select = document.getElementById("region-kind");
    const setter = document.getElementById("region-kind-set");
    const remover = document.getElementById("region-delete");
    if (!select || !page) return;
    const line = page.lines.find(function (l) { return l.id === id; });
    const region = line && line.region !== null && (page.regions || []).find(function (r) { return r.id === line.region; });
    if (setter) setter.disabled = !region;
    if (remover) remover.disabled = !region;
    if (region) select.value = region.kind;
  }

  if (config.canEdit) {
    window.SkoropisKeyboard.create(document.getElementById("keyboard"), config.keyboard, function (char) {
      if (lines.activeId === null) { say(gettext("Choose a line first."), "error"); return; }
      lines.insertText(char);
    });
  }

  async function load(focusId) {
    try {
      page = await api.get(pageUrl);
    } catch (error) {
      say(gettext("The page could not be loaded:") + " " + error.message, "error");
      return;
    }
    page.lines.sort(function (a, b) { return a.order - b.order; });
    document.getElementById("line-count").textContent = interpolate(ngettext("%s line", "%s lines", page.lines.length),
      [page.lines.length.toLocaleString(LANG)]);
    document.getElementById("no-lines").hidden = page.lines.length > 0;
    lines.render(page.lines);
    viewer.setLines(page.lines);
    viewer.setRegions(page.regions || []);
    if (reviewIds) await applyReview();
    if (focusId !== undefined && focusId !== null && page.lines.some(function (l) { return l.id === focusId; })) {
      lines.focus(focusId);
    }
    document.body.dataset.loaded = "1";
  }

  /* Review order: the lines the machine was least sure of come first. */
  const reviewToggle = document.getElementById("review-order");
  async function applyReview() {
    const data = await api.get(pageUrl + "review/");
    const items = Array.isArray(data) ? data : data.lines || data.results || [];
    reviewIds = items.map(function (item) { return typeof item === "number" ? item : item.id !== undefined ? item.id : item.line; });
    lines.setOrder(reviewIds);
  }
  reviewToggle.addEventListener("change", async function () {
    try {
      if (reviewToggle.checked) {
        await applyReview();
        say(gettext("Worst lines first."), "ok");
      } else {
        reviewIds = null;
        lines.setOrder(page.lines.map(function (l) { return l.id; }));
        say(gettext("Reading order."), "ok");
      }
    } catch (error) {
      reviewToggle.checked = false;
      say(gettext("The review order is not available:") + " " + error.message, "error");
    }
  });

  /* Segmentation editing: each tool saves the line being typed first, then asks the server, then reloads. */
  async function edit(action) {
    await lines.saveActive();
    try {
      const focus = await action();
      await load(focus);
    } catch (error) {
      say(error.message, "error");
    }
  }

  function active() {
    if (lines.activeId === null) { say(gettext("Choose a line first."), "error"); return null; }
    return lines.activeId;
  }

  function readingOrder() { return page.lines.map(function (l) { return l.id; }); }

  const tools = {
    "line-add": function () {
      say(gettext("Drag a box around the new line on the image (Esc cancels)."), "busy");
      viewer.drawBox(function (box) {
        const y = Math.round(box.y + box.h * 0.8);
        edit(async function () {
          const created = await api.post(pageUrl + "lines/", {
            polygon: [[box.x, box.y], [box.x + box.w, box.y], [box.x + box.w, box.y + box.h], [box.x, box.y + box.h]]
              .map(function (p) { return [Math.round(p[0]), Math.round(p[1])]; }),
            baseline: [[Math.round(box.x), y], [Math.round(box.x + box.w), y]],
          });
          say(gettext("Line added; it is being read."), "ok");
          return created && created.id;
        });
      });
    },
    "line-delete": function () {
      const id = active();
      if (id === null || !confirm(gettext("Delete this line and its text?"))) return;
      const order = readingOrder();
      const next = order[order.indexOf(id) + 1] ?? order[order.indexOf(id) - 1];
      edit(async function () { await api.del("/api/lines/" + id + "/"); say(gettext("Line deleted."), "ok"); return next; });
    },
    "line-merge": function () {
      const id = active();
      if (id === null) return;
      const order = readingOrder();
      const next = order[order.indexOf(id) + 1];
      if (next === undefined) { say(gettext("This is the last line: there is nothing to merge it with."), "error"); return; }
      edit(async function () {
        const merged = await api.post("/api/lines/merge/", { ids: [id, next] });
        say(gettext("Lines merged."), "ok");
        return merged && merged.id !== undefined ? merged.id : id;
      });
    },
    "line-split": function () {
      const id = active();
      if (id === null) return;
      say(gettext("Click on the image where the line should be split (Esc cancels)."), "busy");
      viewer.pickPoint(function (point) {
        edit(async function () {
          await api.post("/api/lines/" + id + "/split/", { x: Math.round(point.x) });
          say(gettext("Line split."), "ok");
          return id;
        });
      });
    },
    "baseline-draw": function () {
      const id = active();
      if (id === null) return;
      say(gettext("Click along the line's baseline, from its start to its end; Enter or a double click ends it (Esc cancels)."), "busy");
      viewer.tracePoints(function (points) {
        edit(async function () {
          await api.patch("/api/lines/" + id + "/shape/", { baseline: points });
          say(gettext("Baseline saved."), "ok");
          return id;
        });
      });
    },
    "region-kind-set": function () {
      const line = page && page.lines.find(function (l) { return l.id === lines.activeId; });
      if (!line || line.region === null) { say(gettext("The selected line is in no region."), "error"); return; }
      const kind = document.getElementById("region-kind").value;
      edit(async function () {
        await api.patch("/api/regions/" + line.region + "/", { kind: kind });
        say(gettext("Region type changed."), "ok");
        return line.id;
      });
    },
    "region-delete": function () {
      const line = page && page.lines.find(function (l) { return l.id === lines.activeId; });
      if (!line || line.region === null) { say(gettext("The selected line is in no region."), "error"); return; }
      if (!confirm(gettext("Remove this region? Its lines stay, in no region."))) return;
      edit(async function () {
        await api.del("/api/regions/" + line.region + "/");
        say(gettext("Region removed."), "ok");
        return line.id;
      });
    },
    "order-by-regions": function () {
      const id = lines.activeId;
      edit(async function () {
        await api.post(pageUrl + "order-by-regions/");
        say(gettext("Lines ordered region by region."), "ok");
        return id;
      });
    },
    "region-add": function () {
      const kind = document.getElementById("region-kind").value;
      say(gettext("Drag a box around the new region on the image (Esc cancels)."), "busy");
      viewer.drawBox(function (box) {
        edit(async function () {
          const region = await api.post("/api/regions/", {
            page: config.pageId, kind: kind,
            polygon: [[box.x, box.y], [box.x + box.w, box.y], [box.x + box.w, box.y + box.h], [box.x, box.y + box.h]]
              .map(function (p) { return [Math.round(p[0]), Math.round(p[1])]; }),
          });
          say(interpolate(ngettext("Region added with %s line.", "Region added with %s lines.", region.lines.length),
            [region.lines.length]), "ok");
          return lines.activeId;
        });
      });
    },
    "line-up": function () { moveLine(-1); },
    "line-down": function () { moveLine(1); },
  };

  function moveLine(step) {
    const id = active();
    if (id === null) return;
    const order = readingOrder();
    const index = order.indexOf(id);
    const target = index + step;
    if (target < 0 || target >= order.length) return;
    order.splice(index, 1);
    order.splice(target, 0, id);
    edit(async function () { await api.post(pageUrl + "reorder/", { order: order }); say(gettext("Line moved."), "ok"); return id; });
  }

  Object.keys(tools).forEach(function (name) {
    const button = document.getElementById(name);
    if (!button) return;
    button.addEventListener("mousedown", function (event) { event.preventDefault(); });
    button.addEventListener("click", tools[name]);
  });

  document.addEventListener("keydown", function (event) {
    // Before the line field sees it (Enter there moves to the next line).
    if (event.key === "Enter" && viewer.mode === "trace" && viewer.finishTrace()) {
      event.preventDefault();
      event.stopPropagation();
    }
  }, true);
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && viewer.mode) {
      viewer.cancelMode();
      say(gettext("Cancelled."), "");
    }
  });

  window.addEventListener("beforeunload", function () { lines.saveActive(); });

  /* The page may be read again meanwhile (from the document page, or by a colleague): show its state, and take the
     new lines when its job is done. */
  let pageState = null;
  api.socket("/ws/documents/" + config.documentId + "/", {
    message: function (message) {
      if (message.type === "job" && message.target === "archive.page:" + config.pageId) {
        if (message.status === "done") {
          say(gettext("The page was read again; its lines are reloaded."), "ok");
          lines.saveActive().then(function () { load(lines.activeId); });
        } else if (message.status === "failed") {
          say(gettext("Reading this page again failed; its lines are unchanged."), "error");
        }
        return;
      }
      const pages = message.type === "document.state" ? message.pages : message.type === "page" ? [message] : [];
      pages.filter(function (p) { return p.id === config.pageId; }).forEach(function (p) {
        if (p.state !== pageState && p.state !== "done" && p.state !== "failed") {
          say(interpolate(gettext("This page is being processed: %s…"), [config.stateLabels[p.state] || p.state]), "busy");
        }
        pageState = p.state;
        document.body.dataset.pageState = p.state;
      });
    },
  });

  /** The line the editor opens on: the first in reading order that is a real line, not a fragment (a letter, a
      flourish) much narrower than the page's lines. */
  function firstRealLine(all) {
    const widths = all.filter(function (l) { return l.polygon && l.polygon.length > 2; })
      .map(function (l) { return window.SkoropisViewer.bounds(l.polygon).w; }).sort(function (a, b) { return a - b; });
    if (!widths.length) return all[0];
    const median = widths[Math.floor(widths.length / 2)];
    return all.find(function (l) {
      return l.polygon && l.polygon.length > 2 && window.SkoropisViewer.bounds(l.polygon).w >= median / 2;
    }) || all[0];
  }

  load(config.focusLine).then(function () {
    if (config.focusLine === null && page && page.lines.length && config.canEdit) lines.focus(firstRealLine(page.lines).id);
  });
})();
