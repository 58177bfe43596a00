/* Search page: asks /api/search/ with the form's words and filters; each hit shows its line cut from the scan and
   links to the editor, zoomed on its line; a "did you mean" link when words were found only misspelt. */
(function () {
  "use strict";
  const LANG = document.documentElement.lang || undefined; // numbers and dates as the page's language writes them
  const params = new URLSearchParams(location.search);
  const query = params.get("q");
  const box = document.getElementById("search-results");
  const list = document.getElementById("results");
  const summary = document.getElementById("search-summary");
  const suggestion = document.getElementById("search-suggestion");
  const projectSelect = document.getElementById("search-project");
  const documentSelect = document.getElementById("search-document");

  // A chosen project narrows the documents offered to its own.
  function narrowDocuments() {
    if (!projectSelect || !documentSelect) return;
    documentSelect.querySelectorAll("optgroup").forEach(function (group) {
      const other = projectSelect.value && group.dataset.project !== projectSelect.value;
      group.hidden = other;
      group.disabled = other;
      if (other && group.contains(documentSelect.selectedOptions[0])) documentSelect.value = "";
    });
  }
  if (projectSelect) {
    projectSelect.addEventListener("change", narrowDocuments);
    narrowDocuments();
  }
  if (!query || !query.trim() || box.dataset.invalid) return; // a malformed date: the page has said why

  const FILTERS = ["project", "document", "text", "person", "place", "organisation", "date_from", "date_to"];
  const ask = new URLSearchParams({ q: query.trim() });
  FILTERS.forEach(function (key) { if (params.get(key)) ask.set(key, params.get(key)); });
  window.SkoropisApi.get("/api/search/?" + ask.toString()).then(function (data) {
    box.hidden = false;
    summary.textContent = data.count
      ? interpolate(ngettext("%s line found.", "%s lines found.", data.count), [data.count.toLocaleString(LANG)])
      : gettext("Nothing found. Try fewer or shorter words.");
    if (data.suggestion) {
      const again = new URLSearchParams(location.search);
      again.set("q", data.suggestion);
      const link = document.createElement("a");
      link.href = location.pathname + "?" + again.toString();
      link.textContent = data.suggestion;
      link.id = "suggestion-link";
      suggestion.append(gettext("Did you mean:") + " ", link, "?");
      suggestion.hidden = false;
    }
    showFacets(data.facets || {});
    const prefix = document.documentElement.lang === "ru" && location.pathname.startsWith("/ru/") ? "/ru" : "";
    data.results.forEach(function (hit) {
      const item = document.createElement("li");
      item.className = "result";
      const link = document.createElement("a");
      link.href = prefix + "/documents/" + hit.document + "/pages/" + hit.page_number + "/?line=" + hit.line;
      link.className = "result-link";
      link.textContent = interpolate(gettext("%(title)s, page %(page)s"),
        { title: hit.document_title, page: hit.page_number.toLocaleString(LANG) }, true);
      const kind = document.createElement("span");
      kind.className = "badge text-kind";
      kind.textContent = hit.corrected ? gettext("corrected") : gettext("machine");
      const image = document.createElement("img");
      image.className = "line-image";
      image.src = hit.image;
      image.loading = "lazy";
      image.alt = gettext("The line on the scan");
      image.addEventListener("error", function () { image.remove(); }); // a line with no shape: its text suffices
      const text = document.createElement("div");
      text.className = "snippet";
      text.innerHTML = hit.snippet; // escaped by the server, matches in <mark>
      item.append(link, " ", kind, image, text);
      list.appendChild(item);
    });
  }).catch(function (error) {
    box.hidden = false;
    summary.textContent = error.message;
    summary.classList.add("error");
  });

  // The people, places, organisations and dates of the pages found, most mentioned first; each is a plain link
  // to this page with its filter added (a date sets both ends of the range), so the filters stay in the address.
  function showFacets(facets) {
    const panel = document.getElementById("search-facets");
    const groups = [
      ["person", gettext("People")], ["place", gettext("Places")],
      ["organisation", gettext("Organisations")], ["date", gettext("Dates")],
    ];
    groups.forEach(function (group) {
      const kind = group[0];
      const values = (facets[kind] || []).filter(function (value) { return !value.key.startsWith("--"); }); // no year: no range
      if (!values.length) return;
      const heading = document.createElement("h3");
      heading.id = "facet-" + kind;
      heading.textContent = group[1];
      const items = document.createElement("ul");
      items.className = "facet-list";
      items.dataset.kind = kind;
      items.setAttribute("aria-labelledby", heading.id);
      values.forEach(function (value) {
        const again = new URLSearchParams(location.search);
        if (kind === "date") {
          again.set("date_from", value.key);
          again.set("date_to", value.key);
        } else {
          again.set(kind, value.name);
        }
        const link = document.createElement("a");
        link.href = location.pathname + "?" + again.toString();
        link.className = "facet-link";
        link.textContent = value.name;
        const count = document.createElement("span");
        count.className = "facet-count";
        count.textContent = value.pages.toLocaleString(LANG);
        const said = document.createElement("span");
        said.className = "visually-hidden";
        said.textContent = " " + ngettext("page", "pages", value.pages);
        count.append(said);
        const item = document.createElement("li");
        item.append(link, " ", count);
        items.appendChild(item);
      });
      panel.append(heading, items);
      panel.hidden = false;
    });
  }
})();
