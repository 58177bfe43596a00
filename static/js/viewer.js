/* The page image (OpenSeadragon, Deep Zoom tiles from the permission-checked API) with the line polygons over it. */
(function () {
  "use strict";
  const SVG = "http://www.w3.org/2000/svg";

  /** Reads the DZI descriptor ourselves: OpenSeadragon would guess the tiles at "<url>_files/", ours are at tiles/. */
  async function tileSource(pageId) {
    const base = "/api/pages/" + pageId + "/";
    try {
      const response = await fetch(base + "dzi/", { credentials: "same-origin" });
      if (!response.ok) throw new Error("dzi " + response.status);
      const xml = new DOMParser().parseFromString(await response.text(), "application/xml");
      const image = xml.getElementsByTagName("Image")[0];
      const size = xml.getElementsByTagName("Size")[0];
      if (!image || !size) throw new Error("not a Deep Zoom descriptor");
      return new OpenSeadragon.DziTileSource({
        width: parseInt(size.getAttribute("Width"), 10),
        height: parseInt(size.getAttribute("Height"), 10),
        tileSize: parseInt(image.getAttribute("TileSize"), 10),
        tileOverlap: parseInt(image.getAttribute("Overlap"), 10),
        tilesUrl: base + "tiles/",
        fileFormat: image.getAttribute("Format") || "jpg",
      });
    } catch (error) {
      console.warn("Deep Zoom tiles unavailable, showing the whole image", error);
      return { type: "image", url: base + "image/" };
    }
  }

  function bounds(polygon) {
    const xs = polygon.map(function (p) { return p[0]; });
    const ys = polygon.map(function (p) { return p[1]; });
    const x = Math.min.apply(null, xs), y = Math.min.apply(null, ys);
    return { x: x, y: y, w: Math.max.apply(null, xs) - x, h: Math.max.apply(null, ys) - y };
  }

  function contains(polygon, x, y) {
    let inside = false;
    for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i++) {
      const xi = polygon[i][0], yi = polygon[i][1], xj = polygon[j][0], yj = polygon[j][1];
      if ((yi > y) !== (yj > y) && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
    }
    return inside;
  }

  function create(element, options) {
    const viewer = OpenSeadragon({
      element: element,
      prefixUrl: options.prefixUrl,
      drawer: "canvas",
      // The minimap lives in its own box beside the scan (options.navigatorId), never over it.
      showNavigator: !!options.navigatorId,
      navigatorId: options.navigatorId,
      navigatorAutoFade: false,
      showRotationControl: false,
      gestureSettingsMouse: { clickToZoom: false, dblClickToZoom: true },
      maxZoomPixelRatio: 3,
      visibilityRatio: 0.3,
      animationTime: 0.5,
    });
    const svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("class", "line-overlay");
    const group = document.createElementNS(SVG, "g");
    svg.appendChild(group);
    const handles = document.createElementNS(SVG, "g"); // the active line's points, to drag (editors)
    handles.setAttribute("class", "line-handles");
    let pixel = 1; // one screen pixel in page units
    viewer.canvas.appendChild(svg);
    const shapes = new Map();
    let lines = [];
    let activeId = null;
    let mode = null; // null | {kind: "draw", done} | {kind: "pick", done}
    let draft = null;
    const listeners = { click: [] };
    const pageWidth = options.width;

    function item() { return viewer.world.getItemAt(0); }
    function ratio() {
      const tiled = item();
      return tiled && pageWidth ? tiled.source.dimensions.x / pageWidth : 1;
    }

    function place() {
      const tiled = item();
      if (!tiled) return;
      const r = ratio();
      const origin = viewer.viewport.pixelFromPoint(tiled.imageToViewportCoordinates(0, 0), true);
      const unit = viewer.viewport.pixelFromPoint(tiled.imageToViewportCoordinates(1000 * r, 0), true);
      const scale = ((unit.x - origin.x) / 1000);
      group.setAttribute("transform", "translate(" + origin.x + "," + origin.y + ") scale(" + scale + ")");
      pixel = 1 / (scale || 1);
      handles.querySelectorAll("circle").forEach(function (c) {
        c.setAttribute("r", (c.classList.contains("handle-midpoint") ? 4 : 6) * pixel);
      });
    }
    ["animation", "update-viewport", "resize", "open", "viewport-change"].forEach(function (name) {
      viewer.addHandler(name, place);
    });

    function toPage(position) {
      const tiled = item();
      if (!tiled) return null;
      const point = tiled.viewerElementToImageCoordinates(position);
      const r = ratio();
      return { x: point.x / r, y: point.y / r };
    }

    function setLines(newLines) {
      lines = newLines;
      shapes.clear();
      group.replaceChildren(regionGroup);
      lines.forEach(function (line) {
        if (!line.polygon || line.polygon.length < 3) return;
        const shape = document.createElementNS(SVG, "polygon");
        shape.setAttribute("points", line.polygon.map(function (p) { return p[0] + "," + p[1]; }).join(" "));
        shape.setAttribute("class", "line-shape" + (line.id === activeId ? " active" : ""));
        shape.dataset.lineId = line.id;
        group.appendChild(shape);
        shapes.set(line.id, shape);
      });
      if (draft) group.appendChild(draft);
      showHandles();
    }

    /* Editing a line's shape: its outline points and its baseline points are handles; dragging one moves it, and
       the line's new shape is handed to options.onShape(id, {polygon} | {baseline}) when the drag ends. */
    function showHandles() {
      handles.replaceChildren();
      group.appendChild(handles);
      const line = lines.find(function (l) { return l.id === activeId; });
      if (!line || !options.onShape) return;
      const base = document.createElementNS(SVG, "polyline");
      base.setAttribute("class", "line-baseline");
      base.setAttribute("points", (line.baseline || []).map(function (p) { return p[0] + "," + p[1]; }).join(" "));
      handles.appendChild(base);
      function handle(className, kind, point, data) {
        const c = document.createElementNS(SVG, "circle");
        c.setAttribute("class", "handle " + className);
        c.setAttribute("cx", point[0]);
        c.setAttribute("cy", point[1]);
        c.setAttribute("r", (className.includes("midpoint") ? 4 : 6) * pixel);
        c.dataset.kind = kind;
        Object.assign(c.dataset, data);
        handles.appendChild(c);
      }
      // A point of each; between two points, a smaller one that adds a point where it is dragged (a double click
      // on a point removes it).
      [["polygon", "handle-outline"], ["baseline", "handle-baseline"]].forEach(function (kind) {
        const points = line[kind[0]] || [];
        const closed = kind[0] === "polygon";
        points.forEach(function (point, index) {
          const next = points[index + 1] || (closed ? points[0] : null);
          if (next && points.length > 1) {
            handle("handle-midpoint " + kind[1], kind[0], [(point[0] + next[0]) / 2, (point[1] + next[1]) / 2],
              { insert: index + 1 });
          }
        });
        points.forEach(function (point, index) { handle(kind[1], kind[0], point, { index: index }); });
      });
    }

    function pointAt(event) {
      const rect = element.getBoundingClientRect();
      return toPage(new OpenSeadragon.Point(event.clientX - rect.left, event.clientY - rect.top));
    }

    let dragging = null;
    handles.addEventListener("pointerdown", function (event) {
      if (!event.target.classList.contains("handle") || mode) return;
      event.stopPropagation();
      event.preventDefault();
      event.target.setPointerCapture(event.pointerId);
      const line = lines.find(function (l) { return l.id === activeId; });
      const data = event.target.dataset;
      const points = line[data.kind].map(function (p) { return p.slice(); });
      let index = parseInt(data.index, 10);
      if (data.insert !== undefined) { // a new point between two
        index = parseInt(data.insert, 10);
        points.splice(index, 0, [Math.round(Number(event.target.getAttribute("cx"))), Math.round(Number(event.target.getAttribute("cy")))]);
      }
      dragging = { line: line, handle: event.target, kind: data.kind, index: index, points: points, moved: false };
    });
    handles.addEventListener("dblclick", function (event) {
      const data = event.target.dataset;
      if (!event.target.classList.contains("handle") || data.index === undefined || mode) return;
      event.stopPropagation();
      const line = lines.find(function (l) { return l.id === activeId; });
      const points = line[data.kind].filter(function (p, i) { return i !== parseInt(data.index, 10); });
      if (points.length < (data.kind === "polygon" ? 3 : 2)) return;
      const change = {};
      change[data.kind] = points;
      options.onShape(line.id, change);
    });
    handles.addEventListener("pointermove", function (event) {
      if (!dragging) return;
      event.stopPropagation();
      const point = pointAt(event);
      if (!point) return;
      dragging.points[dragging.index] = [Math.round(point.x), Math.round(point.y)];
      dragging.moved = true;
      dragging.handle.setAttribute("cx", point.x);
      dragging.handle.setAttribute("cy", point.y);
      const flat = dragging.points.map(function (p) { return p[0] + "," + p[1]; }).join(" ");
      if (dragging.kind === "polygon" && shapes.has(activeId)) shapes.get(activeId).setAttribute("points", flat);
      else handles.querySelector(".line-baseline").setAttribute("points", flat);
    });
    handles.addEventListener("pointerup", function (event) {
      if (!dragging) return;
      event.stopPropagation();
      const done = dragging;
      dragging = null;
      if (!done.moved) return; // a click (or half a double click): nothing changed
      const change = {};
      change[done.kind] = done.points;
      options.onShape(done.line.id, change);
    });
    ["pointerdown", "pointerup", "click", "dblclick"].forEach(function (name) {
      // OpenSeadragon's own trackers must not see a handle's press (it would pan the image).
      handles.addEventListener(name, function (event) {
        if (!mode && event.target.classList.contains("handle")) event.stopPropagation();
      });
    });

    const regionGroup = document.createElementNS(SVG, "g");
    regionGroup.setAttribute("class", "regions");
    group.insertBefore(regionGroup, group.firstChild);

    /** The page's regions, outlined under the lines, each named by its type. */
    function setRegions(regions) {
      regionGroup.replaceChildren();
      regions.forEach(function (region) {
        if (!region.polygon || region.polygon.length < 3) return;
        const shape = document.createElementNS(SVG, "polygon");
        shape.setAttribute("class", "region-shape");
        shape.setAttribute("points", region.polygon.map(function (p) { return p[0] + "," + p[1]; }).join(" "));
        shape.dataset.regionId = region.id;
        shape.dataset.kind = region.kind;
        const title = document.createElementNS(SVG, "title");
        title.textContent = region.kind;
        shape.appendChild(title);
        regionGroup.appendChild(shape);
      });
      group.insertBefore(regionGroup, group.firstChild);
    }

    function highlight(id) {
      if (activeId !== null && shapes.has(activeId)) shapes.get(activeId).classList.remove("active");
      activeId = id;
      if (shapes.has(id)) {
        shapes.get(id).classList.add("active");
        group.appendChild(shapes.get(id)); // on top of its neighbours
      }
      showHandles();
    }

    function zoomTo(id, immediately) {
      const line = lines.find(function (l) { return l.id === id; });
      const tiled = item();
      if (!line || !tiled || !line.polygon || line.polygon.length < 2) return;
      const b = bounds(line.polygon);
      // A short line (a fragment, a signature) is shown with the width of the page's usual line around it.
      const widths = lines.filter(function (l) { return l.polygon && l.polygon.length > 2; })
        .map(function (l) { return bounds(l.polygon).w; }).sort(function (a, b) { return a - b; });
      const usual = widths.length ? widths[Math.floor(widths.length / 2)] : b.w;
      if (b.w < usual * 0.6) { b.x = Math.max(0, b.x + b.w / 2 - usual * 0.3); b.w = usual * 0.6; }
      const r = ratio();
      const padX = Math.max(b.w * 0.08, 40), padY = Math.max(b.h * 1.5, 60);
      const rect = tiled.imageToViewportRectangle((b.x - padX) * r, (b.y - padY) * r, (b.w + 2 * padX) * r, (b.h + 2 * padY) * r);
      viewer.viewport.fitBoundsWithConstraints(rect, immediately);
    }

    viewer.addHandler("canvas-click", function (event) {
      if (!event.quick) return;
      const point = toPage(event.position);
      if (!point) return;
      if (mode && mode.kind === "trace") {
        // A baseline drawn point by point: each click adds one; Enter (or a double click) ends it.
        event.preventDefaultAction = true;
        mode.points.push([Math.round(point.x), Math.round(point.y)]);
        draft.setAttribute("points", mode.points.map(function (p) { return p[0] + "," + p[1]; }).join(" "));
        return;
      }
      if (mode && mode.kind === "pick") {
        event.preventDefaultAction = true;
        const done = mode.done;
        setMode(null);
        done(point);
        return;
      }
      if (mode) return;
      const hits = lines.filter(function (l) { return l.polygon && l.polygon.length > 2 && contains(l.polygon, point.x, point.y); });
      if (!hits.length) return;
      hits.sort(function (a, b) { const p = bounds(a.polygon), q = bounds(b.polygon); return p.w * p.h - q.w * q.h; });
      listeners.click.forEach(function (fn) { fn(hits[0].id); });
    });

    let start = null;
    viewer.addHandler("canvas-press", function (event) {
      if (!mode || mode.kind !== "draw") return;
      start = toPage(event.position);
      draft = document.createElementNS(SVG, "rect");
      draft.setAttribute("class", "line-draft");
      group.appendChild(draft);
    });
    viewer.addHandler("canvas-drag", function (event) {
      if (!mode || mode.kind !== "draw" || !start) return;
      event.preventDefaultAction = true;
      const now = toPage(event.position);
      draft.setAttribute("x", Math.min(start.x, now.x));
      draft.setAttribute("y", Math.min(start.y, now.y));
      draft.setAttribute("width", Math.abs(now.x - start.x));
      draft.setAttribute("height", Math.abs(now.y - start.y));
    });
    viewer.addHandler("canvas-release", function (event) {
      if (!mode || mode.kind !== "draw" || !start) return;
      const end = toPage(event.position);
      const box = { x: Math.min(start.x, end.x), y: Math.min(start.y, end.y), w: Math.abs(end.x - start.x), h: Math.abs(end.y - start.y) };
      start = null;
      if (draft) { draft.remove(); draft = null; }
      if (box.w < 5 || box.h < 5) return;
      const done = mode.done;
      setMode(null);
      done(box);
    });

    viewer.addHandler("canvas-double-click", function (event) {
      if (mode && mode.kind === "trace") { event.preventDefaultAction = true; finishTrace(); }
    });

    function finishTrace() {
      if (!mode || mode.kind !== "trace") return false;
      const points = mode.points.filter(function (p, i, all) {
        return i === 0 || p[0] !== all[i - 1][0] || p[1] !== all[i - 1][1]; // a double click's repeated point
      });
      if (points.length < 2) return false;
      const done = mode.done;
      setMode(null);
      done(points);
      return true;
    }

    function setMode(newMode) {
      if (mode && mode.kind === "trace" && draft) { draft.remove(); draft = null; }
      mode = newMode;
      if (mode && mode.kind === "trace") {
        draft = document.createElementNS(SVG, "polyline");
        draft.setAttribute("class", "line-baseline line-draft-baseline");
        group.appendChild(draft);
      }
      element.classList.toggle("drawing", !!mode && mode.kind === "draw");
      element.classList.toggle("picking", !!mode && (mode.kind === "pick" || mode.kind === "trace"));
      if (!mode && draft) { draft.remove(); draft = null; start = null; }
    }

    tileSource(options.pageId).then(function (source) { viewer.open(source); });
    viewer.addHandler("open", function () { element.dataset.ready = "1"; if (options.onOpen) options.onOpen(); });
    viewer.addHandler("open-failed", function (event) {
      element.dataset.ready = "failed";
      element.insertAdjacentHTML("beforeend", '<p class="viewer-error"></p>');
      element.querySelector(".viewer-error").textContent = gettext("The page image could not be loaded.") + " " + (event.message || "");
    });

    return {
      osd: viewer,
      setLines: setLines,
      setRegions: setRegions,
      highlight: highlight,
      zoomTo: zoomTo,
      onLineClick: function (fn) { listeners.click.push(fn); },
      drawBox: function (done) { setMode({ kind: "draw", done: done }); },
      pickPoint: function (done) { setMode({ kind: "pick", done: done }); },
      tracePoints: function (done) { setMode({ kind: "trace", points: [], done: done }); },
      finishTrace: finishTrace,
      cancelMode: function () { setMode(null); },
      get mode() { return mode && mode.kind; },
    };
  }

  window.SkoropisViewer = { create: create, bounds: bounds };
})();
