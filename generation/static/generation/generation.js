/* Generation demo: submit a feature's form, follow its job over ws/jobs/<id>/, show results, paint inpainting masks. */
(function () {
  "use strict";
  const api = window.SkoropisApi;
  const panel = document.getElementById("current-job");
  let following = null;

  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(function ([k, v]) { node.setAttribute(k, v); });
    (children || []).forEach(function (c) { node.append(c); });
    return node;
  }

  function renderResults(container, job) {
    container.replaceChildren();
    const files = job.files || [];
    const poster = files.find(function (f) { return f.type === "poster"; });
    files.forEach(function (file) {
      let media = null;
      if (file.type === "image") {
        media = el("img", { src: file.url, alt: job.params && job.params.prompt || job.kind, class: "result",
                            width: file.width, height: file.height });
      } else if (file.type === "video") {
        media = el("video", { src: file.url, controls: "", loop: "", muted: "", autoplay: "", playsinline: "",
                              class: "result", width: file.width, height: file.height });
        if (poster) media.setAttribute("poster", poster.url);
        media.muted = true;
      } else {
        return;
      }
      const link = el("a", { href: file.download, download: file.name, class: "button" }, [gettext("Download")]);
      container.append(el("figure", { class: "result-figure" }, [media, el("figcaption", {}, [link])]));
    });
    if (job.result && job.result.seed !== undefined) {
      container.append(el("p", { class: "muted" }, [gettext("Seed") + ": " + job.result.seed]));
    }
    if (job.result && job.result.blocked) {
      container.append(el("p", { class: "error" }, [interpolate(gettext("%s pictures were blocked by the safety check."), [job.result.blocked])]));
    }
  }

  function show(job) {
    panel.hidden = false;
    panel.dataset.job = job.id;
    panel.querySelector("progress").value = job.percent || 0;
    const text = job.status + (job.message ? " — " + job.message : "") + (job.error ? " — " + job.error : "");
    panel.querySelector(".job-message").textContent = text;
    panel.querySelector(".job-cancel").hidden = !(job.status === "queued" || job.status === "running");
    panel.classList.toggle("failed", job.status === "failed");
  }

  async function refresh(jobId) {
    const job = await api.get(panel.dataset.url || ("jobs/" + jobId + "/"));
    show(job);
    renderResults(panel.querySelector(".job-results"), job);
    addToGallery(job);
    return job;
  }

  function follow(job) {
    if (following) following.close();
    panel.dataset.url = job.url;
    show(job);
    renderResults(panel.querySelector(".job-results"), job);
    if (job.status !== "queued" && job.status !== "running") return;
    following = api.socket(job.ws, {
      open: function () { refresh(job.id).catch(function () {}); },
      message: function (event) {
        show(event);
        if (event.status === "done" || event.status === "failed" || event.status === "cancelled") {
          following.close();
          refresh(job.id).catch(function () {});
        }
      },
    });
  }

  function addToGallery(job) {
    const gallery = document.getElementById("gallery");
    if (!gallery || job.status !== "done") return;
    if (gallery.querySelector('[data-job="' + job.id + '"] img')) return;
    const old = gallery.querySelector('[data-job="' + job.id + '"]');
    if (old) old.remove();
    const empty = gallery.querySelector(".gallery-empty");
    if (empty) empty.remove();
    const link = el("a", { href: job.url, class: "gallery-link" });
    job.files.filter(function (f) { return f.type === "image" || f.type === "poster"; }).forEach(function (f) {
      link.append(el("img", { src: f.url, alt: job.params && job.params.prompt || job.kind }));
    });
    gallery.prepend(el("li", { class: "gallery-item state-done", "data-job": job.id }, [link,
      el("span", { class: "gallery-caption" }, [job.kind.replace("generation.", "") + " · " + ((job.params && job.params.prompt) || "")])]));
  }

  /* Inpainting: the picture drawn on a canvas, the mask painted on an offscreen canvas at the picture's own size. */
  function maskPainter(form) {
    const painter = form.querySelector(".mask-painter");
    if (!painter) return null;
    const canvas = painter.querySelector(".mask-canvas");
    const ctx = canvas.getContext("2d");
    const mask = document.createElement("canvas");
    const mctx = mask.getContext("2d");
    let picture = null;
    let drawing = false;
    let painted = false;

    function redraw() {
      if (!picture) return;
      ctx.clearRect(0, 0, canvas.width, canvas.height);
      ctx.drawImage(picture, 0, 0, canvas.width, canvas.height);
      ctx.globalAlpha = 0.55;
      ctx.drawImage(mask, 0, 0, canvas.width, canvas.height);
      ctx.globalAlpha = 1;
    }
    function clear() {
      mctx.fillStyle = "#000";
      mctx.fillRect(0, 0, mask.width, mask.height);
      painted = false;
      redraw();
    }
    let last = null;
    function paint(event) {
      const box = canvas.getBoundingClientRect();
      const scale = mask.width / box.width;
      const point = [(event.clientX - box.left) * scale, (event.clientY - box.top) * scale];
      const from = last || point;
      mctx.strokeStyle = "#fff";
      mctx.lineCap = "round";
      mctx.lineWidth = Number(painter.querySelector(".brush-size").value) * scale;
      mctx.beginPath();
      mctx.moveTo(from[0], from[1]);
      mctx.lineTo(point[0], point[1]);
      mctx.stroke();
      last = point;
      painted = true;
      redraw();
    }
    form.querySelector("input[name=image]").addEventListener("change", function (event) {
      const file = event.target.files[0];
      if (!file) return;
      const image = new Image();
      image.onload = function () {
        picture = image;
        mask.width = image.naturalWidth; mask.height = image.naturalHeight;
        const display = Math.min(1, 512 / Math.max(image.naturalWidth, image.naturalHeight)) ;
        const grow = Math.max(1, Math.floor(256 / Math.max(image.naturalWidth, image.naturalHeight)));
        canvas.width = Math.round(image.naturalWidth * display * grow);
        canvas.height = Math.round(image.naturalHeight * display * grow);
        painter.hidden = false;
        clear();
      };
      image.src = URL.createObjectURL(file);
    });
    canvas.addEventListener("pointerdown", function (e) { drawing = true; canvas.setPointerCapture(e.pointerId); paint(e); });
    canvas.addEventListener("pointermove", function (e) { if (drawing) paint(e); });
    canvas.addEventListener("pointerup", function () { drawing = false; last = null; });
    painter.querySelector(".mask-clear").addEventListener("click", clear);
    return {
      blob: function () {
        return new Promise(function (resolve) { mask.toBlob(resolve, "image/png"); });
      },
      painted: function () { return painted; },
    };
  }

  document.querySelectorAll(".gen-form").forEach(function (form) {
    const painter = form.dataset.kind === "inpaint" ? maskPainter(form) : null;
    if (painter) {
      const maskInput = form.querySelector("input[name=mask]");
      if (maskInput) maskInput.required = false;
    }
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      const error = form.querySelector(".form-error");
      error.textContent = "";
      const data = new FormData(form);
      if (painter) {
        if (!painter.painted()) { error.textContent = gettext("Paint the part of the picture to repaint first."); return; }
        data.set("mask", await painter.blob(), "mask.png");
      }
      const button = form.querySelector("button[type=submit]");
      button.disabled = true;
      try {
        const job = await api.upload(form.action, data, function () {});
        follow(job);
      } catch (failure) {
        error.textContent = failure.message;
      } finally {
        button.disabled = false;
      }
    });
  });

  /* The feature tabs, as the WAI-ARIA tabs pattern: click or arrow keys / Home / End select a tab and show its panel;
     only the selected tab is in the Tab order. */
  const tabs = Array.from(document.querySelectorAll(".gen-tab"));
  function selectTab(tab, focus) {
    tabs.forEach(function (t) {
      const selected = t === tab;
      t.classList.toggle("current", selected);
      t.setAttribute("aria-selected", selected ? "true" : "false");
      t.tabIndex = selected ? 0 : -1;
      document.getElementById(t.getAttribute("aria-controls")).hidden = !selected;
    });
    if (focus) tab.focus();
    history.replaceState(null, "", "?tab=" + tab.dataset.tab);
  }
  tabs.forEach(function (tab, index) {
    tab.addEventListener("click", function (event) {
      event.preventDefault();
      selectTab(tab, false);
    });
    tab.addEventListener("keydown", function (event) {
      const next = {
        ArrowRight: (index + 1) % tabs.length,
        ArrowLeft: (index - 1 + tabs.length) % tabs.length,
        Home: 0,
        End: tabs.length - 1,
      }[event.key];
      if (next === undefined) return;
      event.preventDefault();
      selectTab(tabs[next], true);
    });
  });

  document.querySelectorAll(".example-prompt").forEach(function (button) {
    button.addEventListener("click", function () {
      document.querySelectorAll(".gen-form textarea[name=prompt]").forEach(function (t) { t.value = button.textContent; });
    });
  });

  if (panel) {
    panel.querySelector(".job-cancel").addEventListener("click", async function () {
      try { show(await api.post(panel.dataset.url.replace(/\/$/, "/cancel/"))); } catch (failure) {
        panel.querySelector(".job-message").textContent = failure.message;
      }
    });
    const initial = document.getElementById("job-data");
    if (initial) follow(JSON.parse(initial.textContent));
  }
})();
