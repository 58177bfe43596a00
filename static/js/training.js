/* Models panel of the document page: train from the corrections (live curve from the document's socket, through
   document.js's "skoropis:job" events), cancel, use a model for the document or project, re-read the pages nobody
   corrected. SkoropisCurve.draw also draws a model page's curve. */
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

  /** Validation CER (red, left scale) and training loss (blue, right scale) by epoch, in an inline SVG; the base
      model's CER on the same held-out lines, if known, is the CER at epoch 0. */
  function draw(svg, points, baseCer) {
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    const count = points.length;
    if (typeof baseCer === "number") points = [{ epoch: 0, cer: baseCer }].concat(points);
    const W = 400, H = 160, L = 34, R = 34, T = 10, B = 22;
    const xs = points.map(function (p, i) { return typeof p.epoch === "number" ? p.epoch : i + 1; });
    const maxX = Math.max(1, Math.max.apply(null, xs.concat([1])));
    const cers = points.map(function (p) { return p.cer; }).filter(function (v) { return typeof v === "number"; });
    const losses = points.map(function (p) { return p.loss; }).filter(function (v) { return typeof v === "number"; });
    const maxCer = Math.max(1, Math.ceil(Math.max.apply(null, cers.concat([0])) / 10) * 10);
    const maxLoss = Math.max(0.1, Math.max.apply(null, losses.concat([0])));
    const x = function (v) { return L + ((W - L - R) * v) / maxX; };
    svg.appendChild(el("line", { x1: L, y1: H - B, x2: W - R, y2: H - B, class: "axis" }));
    svg.appendChild(el("line", { x1: L, y1: T, x2: L, y2: H - B, class: "axis" }));
    svg.appendChild(el("text", { x: 2, y: T + 8, class: "cer-label" }, maxCer.toLocaleString(LANG) + "%"));
    svg.appendChild(el("text", { x: 2, y: H - B, class: "cer-label" }, "0"));
    svg.appendChild(el("text", { x: W - R + 2, y: T + 8, class: "loss-label" }, maxLoss.toFixed(2)));
    svg.appendChild(el("text", { x: W / 2 - 20, y: H - 4, class: "axis-label" },
      interpolate(gettext("epoch %s"), [maxX.toLocaleString(LANG)])));
    [["cer", maxCer, "curve-cer"], ["loss", maxLoss, "curve-loss"]].forEach(function (series) {
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
  }

  window.SkoropisCurve = { draw: draw };

  const modelCurve = document.getElementById("model-curve");
  if (modelCurve) {
    const data = JSON.parse(document.getElementById("model-curve-data").textContent);
    draw(modelCurve, data.curve, data.base_cer);
  }

  const configNode = document.getElementById("document-config");
  if (!configNode || !document.getElementById("training")) return;
  const config = JSON.parse(configNode.textContent);
  const settings = config.training || {};
  const api = window.SkoropisApi;
  const box = document.getElementById("training");
  const message = document.getElementById("training-message");
  const curve = document.getElementById("training-curve");
  const resultLine = document.getElementById("training-result");
  const form = document.getElementById("train-form");
  const start = document.getElementById("train-start");
  const cancel = document.getElementById("train-cancel");
  const count = document.getElementById("train-count");
  const status = document.getElementById("model-status");
  const reread = document.getElementById("reread-uncorrected");
  let current = null; // the training job shown
  let uncorrected = settings.uncorrected || [];

  function summary(result) {
    return interpolate(gettext("base %s → new %s CER on %s held-out corrected lines"), [
      Number(result.base_cer).toFixed(1), Number(result.cer).toFixed(1), result.held_out_lines,
    ]);
  }

  function showReread(pages) {
    uncorrected = pages || [];
    if (!reread) return;
    reread.hidden = !uncorrected.length;
    reread.textContent = interpolate(ngettext("Re-read the %s page nobody corrected", "Re-read the %s pages nobody corrected",
      uncorrected.length), [uncorrected.length]);
  }

  function showJob(job) {
    if (!job || job.kind !== "model_training") return;
    if (current && job.id < current.id) return;
    current = job;
    box.hidden = false;
    box.dataset.status = job.status;
    const active = job.status === "queued" || job.status === "running";
    const result = job.result || {};
    if (start) start.disabled = active;
    if (cancel) cancel.hidden = !active;
    message.classList.toggle("error", job.status === "failed");
    if (job.status === "failed") {
      message.textContent = gettext("The training failed:") + " " + (job.error || "");
    } else if (job.status === "cancelled") {
      message.textContent = gettext("The training was cancelled; no model was kept.");
    } else if (active) {
      message.textContent = (job.message || gettext("Waiting for a training worker…")) +
        (typeof result.base_cer === "number" ? " · " + interpolate(gettext("base model: CER %s on %s held-out lines"),
          [Number(result.base_cer).toFixed(1), result.held_out_lines]) : "");
    } else {
      message.textContent = job.message || gettext("Training done.");  // an automatic training says what it did
    }
    draw(curve, result.curve || [], result.base_cer);
    if (job.status === "done" && result.model) {
      resultLine.hidden = false;
      resultLine.textContent = "";
      const link = document.createElement("a");
      link.href = "/models/" + result.model + "/";
      link.textContent = result.model_name;
      resultLine.append(link, ": " + summary(result) + " ");
      const use = document.createElement("button");
      use.type = "button";
      use.className = "use-model";
      use.dataset.scope = "document";
      use.dataset.modelId = result.model;
      use.textContent = gettext("Use for this document");
      resultLine.append(use);
      if (settings.canManage) {
        const useProject = use.cloneNode(true);
        useProject.dataset.scope = "project";
        useProject.textContent = gettext("Use for the project");
        resultLine.append(" ", useProject);
      }
      uncorrected = result.uncorrected_pages || [];
    } else {
      resultLine.hidden = true;
    }
  }

  document.addEventListener("skoropis:job", function (event) { showJob(event.detail); });
  if (settings.latest) showJob(settings.latest);

  function checkedPages() {
    return Array.from(form.querySelectorAll("input[name=pages]:checked"));
  }

  function showCount() {
    const lines = checkedPages().reduce(function (sum, box_) { return sum + Number(box_.dataset.lines); }, 0);
    const needed = settings.minLines || 0;
    count.classList.toggle("error", lines < needed);
    count.textContent = interpolate(ngettext("%s corrected line chosen", "%s corrected lines chosen", lines),
      [lines.toLocaleString(LANG)]) + " · " + (lines < needed
      ? interpolate(gettext("a training needs at least %s: correct %s more."), [needed, needed - lines])
      : gettext("about one in seven of them is held back to measure the new model against the base."));
  }

  if (form) {
    form.addEventListener("change", showCount);
    showCount();
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      const body = {
        pages: checkedPages().map(function (b) { return Number(b.value); }),
        base: Number(form.elements.base.value) || null,
        minutes: Number(form.elements.minutes.value) || null,
      };
      start.disabled = true;
      message.classList.remove("error");
      api.post("/api/documents/" + config.documentId + "/train/", body).then(function (job) {
        showJob(Object.assign({ type: "job", percent: 0 }, job));
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
      api.post("/api/jobs/" + current.id + "/cancel/").then(function (job) { showJob(job); })
        .catch(function (error) { message.textContent = error.message; })
        .finally(function () { cancel.disabled = false; });
    });
  }

  document.getElementById("models-card").addEventListener("click", function (event) {
    const button = event.target.closest(".use-model");
    if (!button) return;
    const item = button.closest("li[data-model-id]");
    const id = Number(button.dataset.modelId || item.dataset.modelId);
    const url = button.dataset.scope === "project" ? "/api/projects/" + settings.projectId + "/"
      : "/api/documents/" + config.documentId + "/";
    button.disabled = true;
    api.patch(url, { recognition_model: id }).then(function () {
      status.classList.remove("error");
      status.textContent = button.dataset.scope === "project"
        ? gettext("The project's documents now read with this model (those that name no model of their own).")
        : gettext("This document now reads with this model.");
      const name = item ? item.querySelector("a").textContent : (current && current.result.model_name) || "";
      document.getElementById("reading-model").textContent = name;
      showReread(uncorrected);
    }).catch(function (error) {
      status.textContent = error.message;
      status.classList.add("error");
    }).finally(function () { button.disabled = false; });
  });

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
