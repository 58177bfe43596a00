/* Document page: drag-and-drop upload with progress, live page states over ws/documents/<id>/, cancel, re-run. */
(function () {
  "use strict";
  const api = window.SkoropisApi;
  const config = JSON.parse(document.getElementById("document-config").textContent);
  const grid = document.getElementById("pages");
  const socketStatus = document.getElementById("socket-status");
  const jobsBox = document.getElementById("document-jobs");

  function pageCard(pageId) {
    return grid ? grid.querySelector('[data-page-id="' + pageId + '"]') : null;
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
    bar.querySelector(".job-message").textContent = job.message || "";
    if (!active) setTimeout(function () { bar.remove(); }, 3000);
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

  function applyPage(page) {
    const card = pageCard(page.id);
    if (!card) return;
    setPageState(card, page.state);
    if (page.lines !== undefined) {
      const count = card.querySelector(".page-info .muted");
      count.textContent = interpolate(ngettext("%s line", "%s lines", page.lines), [page.lines.toLocaleString()]);
    }
  }

  function onMessage(message) {
    if (message.type === "document.state") {
      message.pages.forEach(applyPage);
      message.jobs.forEach(applyJob);
      if (message.pages.length !== (grid ? grid.children.length : 0)) location.reload();
    } else if (message.type === "job") {
      applyJob(message);
    } else if (message.type === "page") {
      applyPage(message);
    }
  }

  api.socket("/ws/documents/" + config.documentId + "/", {
    open: function () { socketStatus.hidden = true; document.body.dataset.socket = "open"; },
    message: onMessage,
    close: function () {
      document.body.dataset.socket = "closed";
      socketStatus.textContent = gettext("Live updates interrupted; reconnecting…");
      socketStatus.hidden = false;
    },
  });

  function report(error, element) {
    element.textContent = error.message;
    element.classList.add("error");
  }

  if (grid) {
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
        event.target.disabled = true;
        api.post("/api/pages/" + card.dataset.pageId + "/process/").then(function (job) {
          const event_ = job && job.type === "job" ? job : Object.assign({ status: "queued", percent: 0 }, job);
          showJobOnCard(card, event_);
        }).catch(function (error) { report(error, message); })
          .finally(function () { event.target.disabled = false; });
      }
    });
  }

  const processAll = document.getElementById("process-document");
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
      const count = result && result.pages ? result.pages.length : files.length;
      status.textContent = interpolate(ngettext("%s page uploaded; reading it now.", "%s pages uploaded; reading them now.", count), [count]);
      setTimeout(function () { location.reload(); }, 600);
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
