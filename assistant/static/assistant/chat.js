// The assistant's chat: asks through the API, streams answers over the conversation's websocket, highlights the
// quoted lines on the scan (a plain <img> with an SVG overlay) and zooms to a line when its quote is clicked.
// The database is the truth: while an answer is pending the page also polls the API, so a lost message never hangs it.
// Requests and the websocket go through static/js/api.js (CSRF, errors with the server's message, reconnect backoff).
(function () {
  "use strict";
  const Api = window.SkoropisApi;
  const state = JSON.parse(document.getElementById("conversation-state").textContent);
  const api = `/api/assistant/conversations/${state.id}/`;
  const list = document.getElementById("messages");
  const form = document.getElementById("ask");
  const question = document.getElementById("question");
  const askError = document.getElementById("ask-error");
  const viewer = document.getElementById("viewer");
  const inner = document.getElementById("viewer-inner");
  const scan = document.getElementById("scan");
  const overlay = document.getElementById("overlay");
  const reading = document.getElementById("reading");
  const messages = new Map();
  let image = null;
  let pollTimer = null;

  // Viewer -------------------------------------------------------------------------------------------------------
  function showImage(info) {
    if (!info || !info.url) return Promise.resolve();
    if (image && image.url === info.url) return Promise.resolve();
    image = info;
    return new Promise((resolve) => {
      scan.onload = () => {
        const w = info.width || scan.naturalWidth, h = info.height || scan.naturalHeight;
        scan.width = w; scan.height = h;
        overlay.setAttribute("viewBox", `0 0 ${w} ${h}`);
        overlay.setAttribute("width", w); overlay.setAttribute("height", h);
        fitPage();
        resolve();
      };
      scan.onerror = () => resolve();
      scan.src = info.url;
    });
  }

  function setTransform(scale, x, y) {
    inner.style.transform = `translate(${x}px, ${y}px) scale(${scale})`;
    inner.dataset.scale = String(scale);
  }

  function fitPage() {
    if (!image) return;
    const w = scan.width, h = scan.height;
    const scale = Math.min(viewer.clientWidth / w, viewer.clientHeight / h);
    setTransform(scale, (viewer.clientWidth - w * scale) / 2, (viewer.clientHeight - h * scale) / 2);
  }

  function bbox(points) {
    const xs = points.map((p) => p[0]), ys = points.map((p) => p[1]);
    return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
  }

  function zoomTo(points) {
    const [x0, y0, x1, y1] = bbox(points);
    const bw = Math.max(x1 - x0, 1), bh = Math.max(y1 - y0, 1);
    const scale = Math.min(viewer.clientWidth / (bw * 1.15), viewer.clientHeight / (bh * 4));
    const cx = (x0 + x1) / 2, cy = (y0 + y1) / 2;
    setTransform(scale, viewer.clientWidth / 2 - cx * scale, viewer.clientHeight / 2 - cy * scale);
  }

  function drawEvidence(evidence) {
    overlay.replaceChildren();
    for (const item of evidence) {
      if (!item.polygon || !item.polygon.length || !image || item.image.url !== image.url) continue;
      const poly = document.createElementNS("http://www.w3.org/2000/svg", "polygon");
      poly.setAttribute("points", item.polygon.map((p) => p.join(",")).join(" "));
      poly.setAttribute("class", "evidence");
      poly.dataset.key = item.key;
      const title = document.createElementNS("http://www.w3.org/2000/svg", "title");
      title.textContent = item.text;
      poly.appendChild(title);
      poly.addEventListener("click", () => focusEvidence(item, evidence));
      overlay.appendChild(poly);
    }
  }

  async function focusEvidence(item, evidence) {
    await showImage(item.image);
    drawEvidence(evidence);
    for (const poly of overlay.querySelectorAll("polygon")) {
      poly.classList.toggle("active", poly.dataset.key === item.key);
    }
    if (item.polygon && item.polygon.length) zoomTo(item.polygon);
  }

  // Messages -----------------------------------------------------------------------------------------------------
  function render(message) {
    let li = messages.get(message.id);
    if (!li) {
      li = document.createElement("li");
      li.dataset.id = message.id;
      list.appendChild(li);
      messages.set(message.id, li);
    }
    li.className = `${message.role} ${message.status}`;
    li.dataset.status = message.status;
    li.replaceChildren();
    const text = document.createElement("div");
    text.className = "text";
    text.textContent = message.text || (message.status === "pending" ? gettext("Thinking…") : "");
    li.appendChild(text);
    if (message.role === "assistant") {
      const meta = document.createElement("div");
      meta.className = "meta";
      const by = { archive: gettext("archive reader"), vlm: gettext("vision-language model"), none: "—" }[message.backend] || "";
      meta.textContent = by + (message.status === "failed" ? ` · ${gettext("failed")}` : "");
      li.appendChild(meta);
    }
    if (message.evidence && message.evidence.length) {
      const ol = document.createElement("ol");
      ol.className = "evidence-list";
      for (const item of message.evidence) {
        const entry = document.createElement("li");
        const button = document.createElement("button");
        button.type = "button";
        button.className = "quote";
        button.dataset.key = item.key;
        const where = (item.document ? `${item.document}, ` : "") +
          (item.page ? `${gettext("p.")} ${item.page}, ` : "") + `${gettext("line")} ${item.number}`;
        button.textContent = `${where}: ${item.text}`;
        button.addEventListener("click", () => focusEvidence(item, message.evidence));
        entry.appendChild(button);
        ol.appendChild(entry);
      }
      li.appendChild(ol);
    }
    list.scrollTop = list.scrollHeight;
    return li;
  }

  function received(message) {
    render(message);
    if (message.role === "assistant" && message.status === "done" && message.evidence && message.evidence.length) {
      const first = message.evidence[0];
      showImage(first.image).then(() => drawEvidence(message.evidence));
    }
  }

  function appendToken(id, piece) {
    const li = messages.get(id);
    if (!li) return;
    const text = li.querySelector(".text");
    if (li.dataset.status === "pending") { text.textContent = ""; li.dataset.status = "streaming"; }
    text.textContent += piece;
  }

  function pending() {
    return [...messages.values()].some((li) => li.dataset.status === "pending" || li.dataset.status === "streaming");
  }

  async function refresh() {
    let data;
    try { data = await Api.get(api); } catch (error) { return; }
    for (const m of data.messages) {
      const li = messages.get(m.id);
      if (!li || li.dataset.status !== m.status) received(m);
    }
    showReading(data.reading);
  }

  function poll() {
    clearTimeout(pollTimer);
    if (!pending() && !(state.reading && ["queued", "running"].includes(state.reading.status))) return;
    pollTimer = setTimeout(async () => { await refresh(); poll(); }, 1500);
  }

  function showReading(job) {
    state.reading = job;
    if (!job) { reading.textContent = ""; return; }
    if (job.status === "done") reading.textContent = job.message;
    else if (job.status === "failed") reading.textContent = `${gettext("Reading failed:")} ${job.error}`;
    else reading.textContent = `${job.message} (${job.percent}%)`;
    form.querySelector("button[type=submit]").disabled = ["queued", "running"].includes(job.status);
  }

  // Asking -------------------------------------------------------------------------------------------------------
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    askError.textContent = "";
    let data;
    try {
      data = await Api.post(`${api}messages/`, { question: question.value });
    } catch (error) {
      askError.textContent = error.message;
      return;
    }
    question.value = "";
    received(data.question);
    received(data.answer);
    poll();
  });

  const indexButton = document.getElementById("index-document");
  if (indexButton) {
    indexButton.addEventListener("click", async () => {
      try {
        reading.textContent = (await Api.post(`${api}index/`)).message;
      } catch (error) {
        reading.textContent = error.message;
      }
    });
  }

  // Live updates -------------------------------------------------------------------------------------------------
  function connect() {
    Api.socket(`/ws/assistant/conversations/${state.id}/`, {
      message: (data) => {
        if (data.type === "token") appendToken(data.message, data.text);
        else if (data.type === "message") received(data);
        else if (data.type === "job") {
          showReading(data);
          if (data.status === "done" || data.status === "failed") refresh();
        }
      },
    });
  }

  document.getElementById("zoom-reset").addEventListener("click", fitPage);
  window.addEventListener("resize", fitPage);
  showImage(state.image);
  state.messages.forEach(received);
  showReading(state.reading);
  connect();
  poll();
})();
