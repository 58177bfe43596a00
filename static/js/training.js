/* Training panels (.training-panel) of the document page (recognition and segmentation) and the project page:
   train from the corrections with live progress and curve, cancel, use the new model. The document page's jobs
   come from its socket through document.js's "skoropis:job" events; the project page follows its training's own
   socket. Use a model for the document or project, re-read the pages nobody corrected. SkoropisCurve.draw also
   draws a model page's curve. */
(function () {
  "use strict";
  const LANG = document.documentElement.lang || undefined;
  const SVG = "http://www.w3.org/2000/svg";

  function el(name, attrs, text) {
    const node = document.createElementNS(SVG, name);
    Object.keys(attrs).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  /** The validation figure (red, left scale: CER by epoch for recognition, line F1 by step for segmentation,
      `metric` "cer" or "f1") and training loss (blue, right scale), in an inline SVG; the base model's figure on the
      same held-out lines, if known, is the figure at epoch (step) 0. */
  function draw(svg, points, baseValue, metric) {
    metric = metric === "f1" ? "f1" : "cer";
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    const count = points.length;
    const xKey = metric === "f1" ? "step" : "epoch";
    if (typeof baseValue === "number") {
      const zero = { loss: null };
      zero[xKey] = 0;
      zero[metric] = baseValue;
      points = [zero].concat(points);
    }
    const W = 400, H = 160, L = 34, R = 34, T = 10, B = 22;
    const xs = points.map(function (p, i) { return typeof p[xKey] === "number" ? p[xKey] : i + 1; });
    const maxX = Math.max(1, Math.max.apply(null, xs.concat([1])));
    const values = points.map(function (p) { return p[metric]; }).filter(function (v) { return typeof v === "number"; });
    const losses = points.map(function (p) { return p.loss; }).filter(function (v) { return typeof v === "number"; });
    const maxValue = Math.min(100, Math.max(1, Math.ceil(Math.max.apply(null, values.concat([0])) / 10) * 10));
    const maxLoss = Math.max(0.1, Math.max.apply(null, losses.concat([0])));
    const x = function (v) { return L + ((W - L - R) * v) / maxX; };
    svg.appendChild(el("line", { x1: L, y1: H - B, x2: W - R, y2: H - B, class: "axis" }));
    svg.appendChild(el("line", { x1: L, y1: T, x2: L, y2: H - B, class: "axis" }));
    svg.appendChild(el("text", { x: 2, y: T + 8, class: "cer-label" }, maxValue.toLocaleString(LANG) + "%"));
    svg.appendChild(el("text", { x: 2, y: H - B, class: "cer-label" }, "0"));
    svg.appendChild(el("text", { x: L + 4, y: T + 8, class: "axis-title" },
      metric === "f1" ? gettext("validation line F1") : gettext("validation CER")));
    if (losses.length) svg.appendChild(el("text", { x: W - R + 2, y: T + 8, class: "loss-label" }, maxLoss.toFixed(2)));
    svg.appendChild(el("text", { x: W / 2 - 20, y: H - 4, class: "axis-label" },
      interpolate(metric === "f1" ? gettext("step %s") : gettext("epoch %s"), [maxX.toLocaleString(LANG)])));
    [[metric, maxValue, "curve-" + metric], ["loss", maxLoss, "curve-loss"]].forEach(function (series) {
      const pts = [];
      points.forEach(function (p, i) {
        if (typeof p[series[0]] !== "number") return;
        pts.push(x(xs[i]).toFixed(1) + "," + (H - B - ((H - B - T) * Math.min(p[series[0]], series[1])) / series[1]).toFixed(1));
      });
      if (!pts.length) return;
      svg.appendChild(el("polyline", { points: pts.join(" "), class: series[2], fill: "none" }));
      pts.forEach(function (pt) {
        const [cx, cy] = pt.split(",");
        svg.appendChild(el("circle", { cx: cx, cy: cy, r: 2.5, class: series[2] }));
      });
    });
    svg.dataset.points = String(count);
    svg.dataset.metric = metric;
  }

  window.SkoropisCurve = { draw: draw };

  const modelCurve = document.getElementById("model-curve");
  if (modelCurve) {
    const data = JSON.parse(document.getElementById("model-curve-data").textContent);
    draw(modelCurve, data.curve, data.metric === "f1" ? data.base_f1 : data.base_cer, data.metric);
  }

  const api = window.SkoropisApi;
  const documentNode = document.getElementById("document-config");
  const projectNode = document.getElementById("project-training-config");
  if (!api || !(documentNode || projectNode) || !document.querySelector(".training-panel")) return;
  const config = documentNode ? JSON.parse(documentNode.textContent) : {};
  const settings = documentNode ? config.training || {} : JSON.parse(projectNode.textContent);
  const status = document.getElementById("model-status");
  const reread = document.getElementById("reread-uncorrected");
  let uncorrected = settings.uncorrected || [];

  /** A training job's message (English on the job, as the API says it) in the reader's language: the page gives
      each message's English template and its translation (training_words.py says it the same way). */
  const templates = Object.keys(settings.messages || {}).sort(function (a, b) { return b.length - a.length; })
    .map(function (english) {
      const names = [];
      const source = english.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/%\\\(([a-z_]+)\\\)s/g, function (_, name) {
        names.push(name);
        return "(.+?)";
      });
      return { pattern: new RegExp("^" + source + "$"), names: names, words: settings.messages[english] };
    });

  function words(text) {
    for (const template of templates) {
      const found = template.pattern.exec(text || "");
      if (!found) continue;
      const values = {};
      template.names.forEach(function (name, i) { values[name] = found[i + 1]; });
      return interpolate(template.words, values, true);
    }
    return text;
  }

  function summary(job) {
    const result = job.result || {};
    if (job.kind === "segmentation_training") {
      return interpolate(ngettext("base %s → new %s line F1 on %s held-out page",
        "base %s → new %s line F1 on %s held-out pages", result.held_out_pages), [
        Number(result.base_f1).toFixed(1), Number(result.f1).toFixed(1), result.held_out_pages,
      ]);
    }
    return interpolate(gettext("base %s → new %s CER on %s held-out corrected lines"), [
      Number(result.base_cer).toFixed(1), Number(result.cer).toFixed(1), result.held_out_lines,
    ]);
  }

  /** What an automatic training did (training.outcome_words says the same on the server). */
  function outcome(result) {
    const lines = result.held_out_lines || 0;
    if (result.kept) {
      const pages = (result.reread_pages || []).length;
      return interpolate(ngettext("model %(model)s: %(base)s → %(new)s CER, %(pages)s page re-read",
        "model %(model)s: %(base)s → %(new)s CER, %(pages)s pages re-read", pages), {
        model: result.model_name, base: Number(result.base_cer).toFixed(1), new: Number(result.cer).toFixed(1), pages: pages,
      }, true);
    }
    if (result.reason === "too_few_held_out") {
      return interpolate(ngettext("kept %(model)s: only %(lines)s held-out corrected line, %(needed)s needed",
        "kept %(model)s: only %(lines)s held-out corrected lines, %(needed)s needed", lines), {
        model: result.base_name, lines: lines, needed: result.held_out_needed,
      }, true);
    }
    return interpolate(ngettext("kept %(model)s: the new model read the %(lines)s held-out corrected line at %(new)s CER, no better than %(base)s",
      "kept %(model)s: the new model read the %(lines)s held-out corrected lines at %(new)s CER, no better than %(base)s", lines), {
      model: result.base_name, lines: lines, new: Number(result.cer).toFixed(1), base: Number(result.base_cer).toFixed(1),
    }, true);
  }

  function showReread(pages) {
    uncorrected = pages || [];
    if (!reread) return;
    reread.hidden = !uncorrected.length;
    reread.textContent = interpolate(ngettext("Re-read the %s page nobody corrected", "Re-read the %s pages nobody corrected",
      uncorrected.length), [uncorrected.length]);
  }

  /** One panel: its form (pages chosen, base, minutes; on the project page, the kind too), the job it shows (of its
      kind, or of either kind on the project page), its cancel button. */
  function panel(root) {
    const kinds = root.dataset.kind.split(" ");
    const box = root.querySelector(".training");
    const message = root.querySelector(".training-message");
    const details = root.querySelector(".training-error");
    const curve = root.querySelector(".training-curve");
    const resultLine = root.querySelector(".training-result");
    const form = root.querySelector(".train-form");
    const start = root.querySelector(".train-start");
    const cancel = root.querySelector(".train-cancel");
    const count = root.querySelector(".train-count");
    let current = null; // the training job shown
    let socket = null; // the project page follows its job's own socket

    function follow(job) {
      if (documentNode || socket || !(job.status === "queued" || job.status === "running")) return;
      socket = api.socket("/ws/jobs/" + job.id + "/", {
        message: function (event) {
          show(event);
          if (!(event.status === "queued" || event.status === "running") && socket) {
            socket.close();
            socket = null;
          }
        },
      });
    }

    /** The kind the form trains: its own choice on the project page, else the panel's. */
    function formSegmentation() {
      const choice = form && form.querySelector("input[name=kind]:checked");
      return choice ? choice.value === "segmentation" : kinds[0] === "segmentation_training";
    }

    function show(job) {
      if (!job || !kinds.includes(job.kind)) return;
      if (current && job.id < current.id) return;
      const segmentation = job.kind === "segmentation_training";
      current = job;
      box.hidden = false;
      box.dataset.status = job.status;
      const active = job.status === "queued" || job.status === "running";
      const result = job.result || {};
      if (start) start.disabled = active;
      if (cancel) cancel.hidden = !active;
      message.classList.toggle("error", job.status === "failed");
      const base = segmentation ? result.base_f1 : result.base_cer;
      details.hidden = job.status !== "failed";
      if (job.status === "failed") {
        message.textContent = gettext("The training failed; no model was kept.");
        details.querySelector("pre").textContent = job.error || "";
      } else if (job.status === "cancelled") {
        message.textContent = gettext("The training was cancelled; no model was kept.");
      } else if (active) {
        let known = "";
        if (typeof base === "number") {
          known = " · " + (segmentation
            ? interpolate(gettext("base model: line F1 %s on %s held-out pages"), [Number(base).toFixed(1), result.held_out_pages])
            : interpolate(gettext("base model: CER %s on %s held-out lines"), [Number(base).toFixed(1), result.held_out_lines]));
        }
        message.textContent = (words(job.message) || gettext("Waiting for a training worker…")) + known;
      } else if (typeof result.kept === "boolean") {
        message.textContent = outcome(result);  // an automatic training says what it did
      } else {
        message.textContent = gettext("Training done.");  // its figures: the result line
      }
      draw(curve, result.curve || [], base, segmentation ? "f1" : "cer");
      if (job.status === "done" && result.model) {
        resultLine.hidden = false;
        resultLine.textContent = "";
        const link = document.createElement("a");
        link.href = "/models/" + result.model + "/";
        link.textContent = result.model_name;
        resultLine.append(link, ": " + summary(job) + " ");
      }
      if (job.status === "done" && result.model && settings.canChooseModels) {  // viewers see the figures only
        const use = document.createElement("button");
        use.type = "button";
        use.className = "use-model";
        use.dataset.scope = documentNode ? "document" : "project";
        use.dataset.modelId = result.model;
        use.dataset.modelName = result.model_name;
        use.dataset.field = segmentation ? "segmentation_model" : "recognition_model";
        use.textContent = documentNode ? gettext("Use for this document") : gettext("Use for this project");
        resultLine.append(use);
        if (documentNode) {
          const useProject = use.cloneNode(true);
          useProject.dataset.scope = "project";
          useProject.textContent = gettext("Use for the project");
          resultLine.append(" ", useProject);
        }
      }
      if (job.status === "done" && result.model) {
        if (!segmentation && documentNode) uncorrected = result.uncorrected_pages || [];
      } else {
        resultLine.hidden = true;
      }
      follow(job);
    }

    function checkedPages() {
      return form ? Array.from(form.querySelectorAll("input[name=pages]:checked")) : [];
    }

    /** The project form's kind chooses the bases of that kind, and what it counts. */
    function showKind() {
      if (!form || !form.querySelector("input[name=kind]")) return;
      const kind = formSegmentation() ? "segmentation" : "recognition";
      form.querySelectorAll("[data-kind]").forEach(function (node) {
        node.hidden = node.dataset.kind !== kind;
        if (node.tagName === "OPTION") node.disabled = node.hidden;
      });
      const select = form.elements.base;
      if (select.selectedOptions.length && !select.selectedOptions[0].disabled) return;
      const fallback = select.querySelector('option[data-kind="' + kind + '"][data-default]') ||
        select.querySelector('option[data-kind="' + kind + '"]');
      if (fallback) fallback.selected = true;
    }

    function showCount() {
      if (!count) return;
      if (formSegmentation()) {
        const needed = Number(root.dataset.minPages || root.dataset.min) || 0;
        const boxes = form.querySelectorAll("input[name=pages]");
        const pages = boxes.length || !form.dataset.pages ? checkedPages().length : Number(form.dataset.pages);
        count.classList.toggle("error", pages < needed);
        count.textContent = interpolate(ngettext("%s edited page chosen", "%s edited pages chosen", pages), [pages]) +
          " · " + (pages < needed
          ? interpolate(gettext("a segmentation training needs at least %s: edit the lines of %s more."), [needed, needed - pages])
          : gettext("about one in five of them is held back to measure the new model against the base."));
        return;
      }
      const needed = Number(root.dataset.min) || 0;
      const boxes = form.querySelectorAll("input[name=pages]");
      const lines = boxes.length || !form.dataset.lines
        ? checkedPages().reduce(function (sum, box_) { return sum + Number(box_.dataset.lines); }, 0)
        : Number(form.dataset.lines);
      count.classList.toggle("error", lines < needed);
      count.textContent = interpolate(ngettext("%s corrected line chosen", "%s corrected lines chosen", lines),
        [lines.toLocaleString(LANG)]) + " · " + (lines < needed
        ? interpolate(gettext("a training needs at least %s: correct %s more."), [needed, needed - lines])
        : gettext("about one in seven of them is held back to measure the new model against the base."));
    }

    if (form) {
      form.addEventListener("change", function () { showKind(); showCount(); });
      showKind();
      showCount();
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        const body = {
          base: Number(form.elements.base.value) || null,
          minutes: Number(form.elements.minutes.value) || null,
        };
        if (documentNode) body.pages = checkedPages().map(function (b) { return Number(b.value); });
        if (formSegmentation()) body.kind = "segmentation";
        start.disabled = true;
        message.classList.remove("error");
        api.post(root.dataset.url, body).then(function (job) {
          show(Object.assign({ type: "job", percent: 0 }, job));
        }).catch(function (error) {
          box.hidden = false;
          message.textContent = error.message;
          message.classList.add("error");
          start.disabled = false;
        });
      });
    }

    if (cancel) {
      cancel.addEventListener("click", function () {
        if (!current) return;
        cancel.disabled = true;
        api.post("/api/jobs/" + current.id + "/cancel/").then(function (job) { show(job); })
          .catch(function (error) { message.textContent = error.message; })
          .finally(function () { cancel.disabled = false; });
      });
    }
    return { show: show, current: function () { return current; } };
  }

  const panels = Array.from(document.querySelectorAll(".training-panel")).map(panel);
  document.addEventListener("skoropis:job", function (event) {
    panels.forEach(function (p) { p.show(event.detail); });
  });
  [settings.latest, settings.latestSegmentation].forEach(function (job) {
    if (job) panels.forEach(function (p) { p.show(job); });
  });

  const MESSAGES = {
    "document recognition_model": gettext("This document now reads with this model."),
    "project recognition_model": gettext("The project's documents now read with this model (those that name no model of their own)."),
    "document segmentation_model": gettext("This document now segments with this model."),
    "project segmentation_model": gettext("The project's documents now segment with this model (those that name no model of their own)."),
  };

  document.addEventListener("click", function (event) {
    const button = event.target.closest(".use-model");
    if (!button) return;
    const item = button.closest("li[data-model-id]");
    const id = Number(button.dataset.modelId || item.dataset.modelId);
    const field = button.dataset.field || (item && item.dataset.field) || "recognition_model";
    const scope = button.dataset.scope;
    const url = scope === "project" ? "/api/projects/" + settings.projectId + "/" : "/api/documents/" + config.documentId + "/";
    const body = {};
    body[field] = id;
    button.disabled = true;
    api.patch(url, body).then(function () {
      status.classList.remove("error");
      status.textContent = MESSAGES[scope + " " + field];
      const name = item ? item.querySelector("a").textContent : button.dataset.modelName || "";
      if (field === "recognition_model" && documentNode) {
        document.getElementById("reading-model").textContent = name;
        showReread(uncorrected);
      } else if (field === "recognition_model" && projectNode && scope === "project") {
        document.getElementById("project-reading-model").textContent = name;
        if (projectReread) projectReread.hidden = false;
      }
    }).catch(function (error) {
      status.textContent = error.message;
      status.classList.add("error");
    }).finally(function () { button.disabled = false; });
  });

  const projectReread = document.getElementById("project-reread");
  if (projectReread) {
    projectReread.addEventListener("click", function () {
      projectReread.disabled = true;
      api.post("/api/projects/" + settings.projectId + "/reread/").then(function (answer) {
        const started = answer.jobs.length;
        status.classList.remove("error");
        status.textContent = interpolate(ngettext("%s page is being read again; corrected lines keep their text.",
          "%s pages are being read again; corrected lines keep their text.", started), [started]);
      }).catch(function (error) {
        status.textContent = error.message;
        status.classList.add("error");
      }).finally(function () { projectReread.disabled = false; });
    });
  }

  if (reread) {
    reread.addEventListener("click", function () {
      reread.disabled = true;
      Promise.all(uncorrected.map(function (pk) {
        return api.post("/api/pages/" + pk + "/process/?steps=recognition").catch(function (error) { return error; });
      })).then(function (answers) {
        const started = answers.filter(function (a) { return a && a.id && !(a instanceof Error); }).length;
        status.textContent = interpolate(ngettext("%s page is being read again; corrected lines keep their text.",
          "%s pages are being read again; corrected lines keep their text.", started), [started]);
        reread.hidden = true;
      }).finally(function () { reread.disabled = false; });
    });
  }
})();
