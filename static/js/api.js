/* Skoropis: the one place that talks to the JSON API (CSRF, JSON, errors with the server's message). */
(function () {
  "use strict";

  function cookie(name) {
    const match = document.cookie.match(new RegExp("(?:^|; )" + name + "=([^;]*)"));
    return match ? decodeURIComponent(match[1]) : "";
  }

  function csrfToken() {
    const input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return cookie("csrftoken") || (input ? input.value : "");
  }

  class ApiError extends Error {
    constructor(status, body) {
      const detail = body && (body.error || body.detail);
      super(typeof detail === "string" ? detail : gettext("The server answered with an error.") + " (" + status + ")");
      this.status = status;
      this.body = body;
    }
  }

  async function request(method, url, body) {
    const options = { method: method, credentials: "same-origin", headers: { Accept: "application/json" } };
    if (method !== "GET") {
      options.headers["X-CSRFToken"] = csrfToken();
      options.keepalive = !(body instanceof FormData); // a save on leaving the page still reaches the server
    }
    if (body instanceof FormData) {
      options.body = body;
    } else if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(url, options);
    } catch (error) {
      throw new ApiError(0, { error: gettext("The server cannot be reached. Check your connection.") });
    }
    const text = await response.text();
    let data = null;
    if (text) {
      try { data = JSON.parse(text); } catch (error) { data = { error: text.slice(0, 200) }; }
    }
    if (!response.ok) throw new ApiError(response.status, data);
    return data;
  }

  /** XHR upload: fetch() has no upload progress. Resolves with the parsed JSON body. */
  function upload(url, formData, onProgress) {
    return new Promise(function (resolve, reject) {
      const xhr = new XMLHttpRequest();
      xhr.open("POST", url);
      xhr.setRequestHeader("X-CSRFToken", csrfToken());
      xhr.setRequestHeader("Accept", "application/json");
      xhr.upload.addEventListener("progress", function (event) {
        if (event.lengthComputable) onProgress(event.loaded, event.total);
      });
      xhr.addEventListener("load", function () {
        let data = null;
        try { data = JSON.parse(xhr.responseText); } catch (error) { data = { error: xhr.responseText.slice(0, 200) }; }
        if (xhr.status >= 200 && xhr.status < 300) resolve(data);
        else reject(new ApiError(xhr.status, data));
      });
      xhr.addEventListener("error", function () {
        reject(new ApiError(0, { error: gettext("The upload failed: the server cannot be reached.") }));
      });
      xhr.send(formData);
    });
  }

  /** A websocket that reconnects with a growing delay; onOpen lets the page re-read the truth after a gap. */
  function socket(path, handlers) {
    let delay = 1000;
    let closed = false;
    let ws = null;
    function connect() {
      const scheme = location.protocol === "https:" ? "wss://" : "ws://";
      ws = new WebSocket(scheme + location.host + path);
      ws.addEventListener("open", function () { delay = 1000; if (handlers.open) handlers.open(); });
      ws.addEventListener("message", function (event) { handlers.message(JSON.parse(event.data)); });
      ws.addEventListener("close", function (event) {
        if (handlers.close) handlers.close(event);
        if (closed || event.code === 4403) return;
        setTimeout(connect, delay);
        delay = Math.min(delay * 2, 30000);
      });
    }
    connect();
    return { close: function () { closed = true; if (ws) ws.close(); } };
  }

  window.SkoropisApi = {
    get: function (url) { return request("GET", url); },
    post: function (url, body) { return request("POST", url, body === undefined ? {} : body); },
    patch: function (url, body) { return request("PATCH", url, body); },
    del: function (url) { return request("DELETE", url); },
    upload: upload,
    socket: socket,
    ApiError: ApiError,
  };
})();
