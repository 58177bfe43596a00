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

  function pageCard(pageId) {
    return grid.querySelector('[data-page-id="' + pageId + '"]');
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
    if (job.status === "failed") {
      message.textContent = gettext("Failed:") + " " + (job.error || "").split("\n")[0];
      message.classList.add("error");
    } else if (job.status === "cancelled") {
      message.textContent = gettext("Cancelled.");
    } else {
      message.textContent = job.message || (job.status === "queued" ? gettext("Waiting for a worker…") : "");
      message.classList.remove("error");
    }
    if (cancel) cancel.hidden = !active;
    if (rerun) rerun.hidden = active;
  }

  function showDocumentJob(job) {
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
    message.textContent = job.status === "failed" ? gettext("Failed:") + " " + (job.error || "") : job.message || "";
    message.classList.toggle("error", job.status === "failed");
    if (!active && job.status !== "failed") setTimeout(function () { bar.remove(); }, 3000);
  }

  function applyJob(job) {
    const [kind, id] = (job.target || "").split(":");
    if (kind === "archive.page") {
      const card = pageCard(id);
      if (card) showJobOnCard(card, job);
    } else if (kind === "archive.document") {
      showDocumentJob(job);
    }
  }

  function showThumbnail(card, state) {
    const img = card.querySelector(".thumb");
    if (img.dataset.src && state !== "uploaded" && state !== "preparing") {
      img.src = img.dataset.src;
      delete img.dataset.src;
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
    card.querySelector(".page-title").textContent = interpolate(gettext("Page %s"), [page.number.toLocaleString(LANG)]);
    card.querySelector(".thumb").dataset.src = page.thumbnail_url || "/api/pages/" + page.id + "/thumbnail/";
    grid.appendChild(card);
    document.getElementById("no-pages").hidden = true;
    document.getElementById("page-count").textContent = "(" + grid.children.length.toLocaleString(LANG) + ")";
    if (processAll) processAll.disabled = false;
    applyPage({ id: page.id, state: page.state, lines: page.line_count !== undefined ? page.line_count : page.lines });
    return card;
  }

  function applyPage(page) {
    const card = pageCard(page.id);
    if (!card) return;
    if (page.state) {
      setPageState(card, page.state);
      showThumbnail(card, page.state);
    }
    if (typeof page.lines === "number") showLineCount(card, page.lines);
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
      const drawing = jobs.filter(function (job) { return job.kind === "pdf_render"; })
        .reduce(function (sum, job) { return sum + job.total; }, 0);
      if (drawing) status.textContent += " " + interpolate(gettext("PDF pages being drawn: %s."), [drawing]);
    }).catch(function (error) {
      progress.hidden = true;
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
