/* Search page: asks /api/search/ and links each hit to the editor, zoomed on its line. */
(function () {
  "use strict";
  const LANG = document.documentElement.lang || undefined; // numbers and dates as the page's language writes them
  const query = new URLSearchParams(location.search).get("q");
  const box = document.getElementById("search-results");
  const list = document.getElementById("results");
  const summary = document.getElementById("search-summary");
  if (!query || !query.trim()) return;

  window.SkoropisApi.get("/api/search/?q=" + encodeURIComponent(query.trim())).then(function (data) {
    box.hidden = false;
    summary.textContent = data.count
      ? interpolate(ngettext("%s line found.", "%s lines found.", data.count), [data.count.toLocaleString(LANG)])
      : gettext("Nothing found. Try fewer or shorter words.");
    const prefix = document.documentElement.lang === "ru" && location.pathname.startsWith("/ru/") ? "/ru" : "";
    data.results.forEach(function (hit) {
      const item = document.createElement("li");
      const link = document.createElement("a");
      link.href = prefix + "/documents/" + hit.document + "/pages/" + hit.page_number + "/?line=" + hit.line;
      link.className = "result-link";
      link.textContent = interpolate(gettext("%(title)s, page %(page)s"),
        { title: hit.document_title, page: hit.page_number.toLocaleString(LANG) }, true);
      const text = document.createElement("div");
      text.className = "snippet";
      text.innerHTML = hit.snippet; // escaped by the server, matches in <mark>
      item.append(link, text);
      list.appendChild(item);
    });
  }).catch(function (error) {
    box.hidden = false;
    summary.textContent = error.message;
    summary.classList.add("error");
  });
})();
