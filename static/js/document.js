/* Document page: drag-and-drop upload with progress, live page states over ws/documents/<id>/, cancel, re-run. */
(function () {
  "use strict";
  const LANG = document.documentElement.lang || undefined; // numbers and dates as the page's language writes them
  const api = window.SkoropisApi;
  const config = JSON.parse(document.getElementById("document-config").textContent);
  const grid = document.getElementById("pages");
  const socketStatus = document.getElementById("socket-status");
  const jobsBox = document.getElementById("document-jobs");
  const processAll = document.getElementById("process-document");
  const uploadStatus = document.getElementById("upload-status");
  const drawing = new Set(); // the PDF jobs of this page's uploads still drawing pages

  /** The "N pages uploaded; reading them now." banner goes once every page is read (or failed) and every PDF drawn. */
  function settleUploads() {
    if (!uploadStatus || !uploadStatus.dataset.reading || drawing.size) return;
    const busy = Array.from(grid.children).some(function (card) {
      return !["done", "failed"].includes(card.dataset.state) || ["queued", "running"].includes(card.dataset.jobStatus);
    });
    if (busy) return;
    delete uploadStatus.dataset.reading;
    uploadStatus.textContent = "";
    document.getElementById("upload-progress").hidden = true;
  }

  function pageCard(pageId) {
    return grid.querySelector('[data-page-id="' + pageId + '"]');
  }

  /** What a card says about its page's job: the step in words, unless its state already says it (same rule as
      views.page_job_words). */
  function jobWords(job, state) {
    if (job.status === "queued") return gettext("Waiting for a worker…");
    const message = job.message || "";
    const step = message.split(" ")[0];
    if (!(step in config.stepStates)) return message;
    if (message !== step) return gettext("Started again: the worker had stopped.");
    return config.stepStates[step] === config.stateLabels[state] ? "" : config.stepStates[step];
  }

  function setPageState(card, state) {
    card.dataset.state = state;
    card.className = card.className.replace(/\bstate-\S+/, "state-" + state);
    card.querySelector(".state").textContent = config.stateLabels[state] || state;
  }

  function showJobOnCard(card, job) {
    const bar = card.querySelector(".page-progress");
    const message = card.querySelector(".job-message");
    const cancel = card.querySelector(".cancel-job");
    const rerun = card.querySelector(".rerun-page");
    const active = job.status === "queued" || job.status === "running";
    bar.value = job.percent;
    bar.hidden = !active && job.status !== "done";
    card.dataset.jobId = active ? job.id : "";
    card.dataset.jobStatus = job.status;
    const details = card.querySelector(".job-error");
    details.hidden = job.status !== "failed";
    if (job.status === "failed") {  // which step failed, in words; the error (as the API gives it) behind them
      const words = config.failureWords;
      message.textContent = words[(job.message || "").split(" ")[0]] || words[""];
      details.querySelector("pre").textContent = job.error || "";
      message.classList.add("error");
    } else if (job.status === "cancelled") {
      message.textContent = gettext("Cancelled.");
    } else {
      message.textContent = active ? jobWords(job, card.dataset.state) : "";
      message.classList.remove("error");
    }
    if (cancel) cancel.hidden = !active;
    if (rerun) rerun.hidden = active;
    settleUploads();
  }

  /** The words of a document's job: a PDF being drawn is counted in the reader's language. */
  function documentJobWords(job) {
    if (job.status === "failed") return gettext("Failed:") + " " + (job.error || "");
    if (job.kind === "iiif_import" && job.total && job.status !== "done") {
      return interpolate(gettext("Fetching the IIIF pages: %(done)s of %(total)s"),
        { done: job.done.toLocaleString(LANG), total: job.total.toLocaleString(LANG) }, true);
    }
    if (job.kind === "pdf_render" && job.total) {
      return interpolate(gettext("Drawing the PDF pages: %(done)s of %(total)s"),
        { done: job.done.toLocaleString(LANG), total: job.total.toLocaleString(LANG) }, true);
    }
    if (job.kind === "model_training" || job.kind === "segmentation_training") {
      return gettext("A model is being trained: see Models below.");
    }
    return job.message || "";
  }

  function showDocumentJob(job) {
    if (job.kind === "pdf_render" && drawing.has(job.id) && job.status !== "queued" && job.status !== "running") {
      drawing.delete(job.id);
      settleUploads();
    }
    let bar = jobsBox.querySelector('[data-job-id="' + job.id + '"]');
    const active = job.status === "queued" || job.status === "running";
    if (!bar && !active) return;
    if (!bar) {
      bar = document.createElement("div");
      bar.className = "job-bar";
      bar.dataset.jobId = job.id;
      bar.innerHTML = '<progress max="100"></progress> <span class="job-message"></span>';
      jobsBox.appendChild(bar);
    }
    bar.querySelector("progress").value = job.percent;
    const message = bar.querySelector(".job-message");
    message.textContent = documentJobWords(job);
    message.classList.toggle("error", job.status === "failed");
    if (!active && job.status !== "failed") setTimeout(function () { bar.remove(); }, 3000);
  }

  /* A quick worker can read an uploaded page before the upload's answer reaches this page: its socket events then
     come before the page has a card (kept in `early` until it has one), and the answer's snapshot of the job
     ("queued") comes after its "done" (a job never goes back: `jobRanks`). */
  const early = new Map(); // page id -> {page: the latest page fields, job: the latest job}
  const jobRanks = new Map();
  const RANKS = { queued: 0, running: 1 };

  function earlyFor(pageId) {
    if (!early.has(String(pageId))) early.set(String(pageId), { page: {}, job: null });
    return early.get(String(pageId));
  }

  function applyJob(job) {
    const rank = job.status in RANKS ? RANKS[job.status] : 2;
    if (rank < (jobRanks.get(job.id) || 0)) return;
    jobRanks.set(job.id, rank);
    const [kind, id] = (job.target || "").split(":");
    if (kind === "archive.page") {
      const card = pageCard(id);
      if (card) showJobOnCard(card, job); else earlyFor(id).job = job;
    } else if (kind === "archive.document") {
      showDocumentJob(job);
    }
  }

  /* Thumbnails: a placeholder until the image has loaded; one that failed (not made yet) is asked again when the
     page's state moves on. */
  function thumbReady(img) {
    const card = img.closest(".page-card");
    if (card) card.classList.toggle("thumb-ready", img.complete && img.naturalWidth > 0);
  }
  grid.addEventListener("load", function (event) { if (event.target.matches(".thumb")) thumbReady(event.target); }, true);
  grid.addEventListener("error", function (event) {
    if (!event.target.matches(".thumb")) return;
    event.target.dataset.failed = "1";
    thumbReady(event.target);
  }, true);
  grid.querySelectorAll(".thumb").forEach(function (img) {
    if (img.complete && img.getAttribute("src")) {
      if (img.naturalWidth > 0) thumbReady(img); else img.dataset.failed = "1";
    }
  });

  function showThumbnail(card, state) {
    const img = card.querySelector(".thumb");
    if (state === "uploaded" || state === "preparing") return;
    if (img.dataset.src) {
      img.src = img.dataset.src;
      delete img.dataset.src;
    } else if (img.dataset.failed) {
      delete img.dataset.failed;
      img.src = img.getAttribute("src").split("?")[0] + "?t=" + Date.now();
    }
  }

  function showLineCount(card, count) {
    card.dataset.lines = count;
    card.querySelector(".line-count").textContent =
      interpolate(ngettext("%s line", "%s lines", count), [count.toLocaleString(LANG)]);
  }

  /** A card for a page the server did not render (just uploaded, here or by someone else). */
  function addPage(page) {
    const card = document.getElementById("page-card-template").content.firstElementChild.cloneNode(true);
    const url = location.pathname.replace(/\/?$/, "/") + "pages/" + page.number + "/";
    card.dataset.pageId = page.id;
    card.querySelectorAll("a").forEach(function (a) { a.href = url; });
    card.querySelector(".page-title").textContent = page.original_name || interpolate(gettext("Page %s"), [page.number.toLocaleString(LANG)]);
    card.querySelector(".page-number").textContent = interpolate(gettext("page %s"), [page.number.toLocaleString(LANG)]);
    card.querySelector(".thumb").dataset.src = page.thumbnail_url || "/api/pages/" + page.id + "/thumbnail/";
    grid.appendChild(card);
    document.getElementById("no-pages").hidden = true;
    document.getElementById("page-count").textContent = "(" + grid.children.length.toLocaleString(LANG) + ")";
    if (processAll) processAll.disabled = false;
    document.querySelectorAll("a.export[aria-disabled]").forEach(function (a) {
      a.href = a.dataset.href;
      if (a.dataset.href.includes("/export/")) {
        a.setAttribute("download", "");
        a.removeAttribute("title");
      }
      a.removeAttribute("aria-disabled");
    });
    applyPage({ id: page.id, state: page.state, lines: page.line_count !== undefined ? page.line_count : page.lines });
    const missed = early.get(String(page.id));
    if (missed) {
      early.delete(String(page.id));
      applyPage(Object.assign({ id: page.id }, missed.page));
      if (missed.job) showJobOnCard(card, missed.job);
    }
    return card;
  }

  function applyPage(page) {
    const card = pageCard(page.id);
    if (!card) {
      Object.assign(earlyFor(page.id).page, page);
      return;
    }
    if (page.state) {
      setPageState(card, page.state);
      showThumbnail(card, page.state);
    }
    if (typeof page.lines === "number") showLineCount(card, page.lines);
    settleUploads();
  }

  function onMessage(message) {
    // Other panels of the page (training.js) follow their own jobs from the same socket.
    (message.type === "document.state" ? message.jobs : message.type === "job" ? [message] : []).forEach(function (job) {
      document.dispatchEvent(new CustomEvent("skoropis:job", { detail: job }));
    });
    if (message.type === "document.state") {
      message.pages.forEach(function (page) { if (!pageCard(page.id)) addPage(page); applyPage(page); });
      message.jobs.forEach(applyJob);
    } else if (message.type === "job") {
      applyJob(message);
    } else if (message.type === "page") {
      applyPage(message);
    }
  }

  // A dropped socket reconnects at once and re-reads the states: only a gap that lasts is worth telling.
  let gapTimer = null;
  api.socket("/ws/documents/" + config.documentId + "/", {
    open: function () {
      clearTimeout(gapTimer);
      socketStatus.hidden = true;
      document.body.dataset.socket = "open";
    },
    message: onMessage,
    close: function () {
      document.body.dataset.socket = "closed";
      clearTimeout(gapTimer);
      gapTimer = setTimeout(function () {
        socketStatus.textContent = gettext("Live updates interrupted; reconnecting…");
        socketStatus.hidden = false;
      }, 3000);
    },
  });

  function report(error, element) {
    element.textContent = error.message;
    element.classList.add("error");
  }

  {
    grid.addEventListener("click", function (event) {
      const card = event.target.closest(".page-card");
      if (!card) return;
      const message = card.querySelector(".job-message");
      if (event.target.classList.contains("cancel-job") && card.dataset.jobId) {
        event.target.disabled = true;
        api.post("/api/jobs/" + card.dataset.jobId + "/cancel/").then(function (job) {
          if (job && job.status) showJobOnCard(card, Object.assign({ percent: 0 }, job));
        }).catch(function (error) { report(error, message); })
          .finally(function () { event.target.disabled = false; });
      } else if (event.target.classList.contains("rerun-page")) {
        // Nothing to confirm: the lines people corrected, and their text, survive a new reading.
        event.target.disabled = true;
        api.post("/api/pages/" + card.dataset.pageId + "/process/").then(function (job) {
          const event_ = job && job.type === "job" ? job : Object.assign({ status: "queued", percent: 0 }, job);
          showJobOnCard(card, event_);
        }).catch(function (error) { report(error, message); })
          .finally(function () { event.target.disabled = false; });
      }
    });
  }

  if (processAll) {
    processAll.addEventListener("click", function () {
      processAll.disabled = true;
      api.post("/api/documents/" + config.documentId + "/process/").then(function (result) {
        const jobs = (result && result.jobs) || (Array.isArray(result) ? result : [result]);
        jobs.forEach(function (job) { if (job && job.id) applyJob(Object.assign({ status: "queued", percent: 0 }, job)); });
      }).catch(function (error) { alert(error.message); })
        .finally(function () { processAll.disabled = false; });
    });
  }

  /* Publishing asks first, saying what becomes public (the dialog's Publish button submits the form). */
  const publishDialog = document.getElementById("publish-dialog");
  if (publishDialog) {
    const opener = document.getElementById("publish-open");
    opener.addEventListener("click", function () { publishDialog.showModal(); });
    document.getElementById("publish-cancel").addEventListener("click", function () { publishDialog.close(); });
    publishDialog.addEventListener("close", function () { opener.focus(); });
  }

  /* Upload: several files in one multipart POST, progress from XHR. */
  const dropzone = document.getElementById("dropzone");
  if (!dropzone) return;
  const input = document.getElementById("upload-input");
  const progress = document.getElementById("upload-progress");
  const status = document.getElementById("upload-status");

  function send(files) {
    if (!files.length) return;
    const form = new FormData();
    let bytes = 0;
    Array.from(files).forEach(function (file) { form.append("files", file, file.name); bytes += file.size; });
    progress.hidden = false;
    progress.value = 0;
    status.classList.remove("error");
    status.textContent = interpolate(ngettext("Uploading %s file…", "Uploading %s files…", files.length), [files.length]);
    dropzone.classList.add("busy");
    api.upload("/api/documents/" + config.documentId + "/upload/", form, function (loaded, total) {
      progress.value = Math.round((100 * loaded) / (total || bytes || 1));
    }).then(function (result) {
      progress.value = 100;
      const pages = (result && result.pages) || [];
      pages.forEach(function (page) { if (!pageCard(page.id)) addPage(page); });
      const jobs = (result && result.jobs) || [];
      jobs.forEach(applyJob);
      status.textContent = interpolate(ngettext("%s page uploaded; reading it now.", "%s pages uploaded; reading them now.", pages.length), [pages.length]);
      const pdfs = jobs.filter(function (job) { return job.kind === "pdf_render"; });
      const pdfPages = pdfs.reduce(function (sum, job) { return sum + (job.params && job.params.pages || job.total || 0); }, 0);
      if (pdfPages) status.textContent += " " + interpolate(gettext("PDF pages being drawn: %s."), [pdfPages]);
      pdfs.forEach(function (job) { if (job.status === "queued" || job.status === "running") drawing.add(job.id); });
      status.dataset.reading = "1";
      settleUploads();
    }).catch(function (error) {
      progress.hidden = true;
      delete status.dataset.reading;
      report(error, status);
    }).finally(function () {
      dropzone.classList.remove("busy");
      input.value = "";
    });
  }

  input.addEventListener("change", function () { send(input.files); });
  ["dragenter", "dragover"].forEach(function (name) {
    dropzone.addEventListener(name, function (event) { event.preventDefault(); dropzone.classList.add("over"); });
  });
  ["dragleave", "drop"].forEach(function (name) {
    dropzone.addEventListener(name, function (event) { event.preventDefault(); dropzone.classList.remove("over"); });
  });
  dropzone.addEventListener("drop", function (event) { send(event.dataTransfer.files); });
})();
