// The explorer's one script: the search box on every page, and the graph of pages that draw one.
// Every string from the catalog reaches the page through textContent or vis-network's text
// tooltips, never as HTML; links are only those the server or the export computed.
(function () {
  "use strict";
  var form = document.getElementById("search-form");
  if (form) search(form);
  var element = document.getElementById("graph-data");
  if (element) draw(JSON.parse(element.textContent));
})();

function draw(data) {
  var container = document.getElementById("graph");
  var nodes = new vis.DataSet(data.nodes);
  var edges = new vis.DataSet(data.edges);
  var network = new vis.Network(container, {nodes: nodes, edges: edges}, data.options);
  window.network = network;
  if (data.labels) network.on("beforeDrawing", function (ctx) {
    // Group names are painted on the canvas, not added as nodes: the node data stays the graph's.
    ctx.save();
    ctx.textAlign = "center";
    ctx.textBaseline = "middle";
    ctx.fillStyle = "#57606a";
    for (var i = 0; i < data.labels.length; i++) {
      var label = data.labels[i];
      ctx.font = "600 " + (label.size || 28) + "px system-ui, sans-serif";
      ctx.fillText(label.text, label.x, label.y);
    }
    ctx.restore();
  });
  network.once("afterDrawing", function () {
    window.firstDrawMs = performance.now();
    if (data.labels) network.moveTo({scale: network.getScale() * 0.8});
    document.body.setAttribute("data-drawn", String(nodes.length));
  });
  network.on("click", function (params) {
    if (!params.nodes.length) return;
    var node = nodes.get(params.nodes[0]);
    if (node && node.href) window.location.href = node.href;
  });
  network.on("hoverNode", function (params) {
    var node = nodes.get(params.node);
    container.style.cursor = node && node.href ? "pointer" : "default";
  });
  network.on("blurNode", function () { container.style.cursor = "default"; });
}

function search(form) {
  var input = form.querySelector("input[name=q]");
  var results = document.getElementById("results");
  var api = form.getAttribute("data-api");
  var root = form.getAttribute("data-root") || "";
  var asked = 0;

  function show(found) {
    results.textContent = "";
    for (var i = 0; i < found.length; i++) {
      var item = document.createElement("li"), link = document.createElement("a");
      var kind = document.createElement("span");
      link.setAttribute("href", found[i].href);
      link.textContent = found[i].name;
      kind.className = "kind";
      kind.textContent = found[i].kind;
      link.appendChild(kind);
      item.appendChild(link);
      results.appendChild(item);
    }
  }

  function offline(text) {
    // An exported folder has no server: its pages are listed in search-index.js, loaded once.
    var pages = window.CATALOG_PAGES || [], words = text.toLowerCase().split(/\s+/).filter(Boolean);
    var found = [];
    for (var i = 0; i < pages.length && found.length < 30 && words.length; i++) {
      var key = (pages[i][0] + " " + pages[i][1]).toLowerCase(), hit = true;
      for (var j = 0; j < words.length; j++) if (key.indexOf(words[j]) < 0) { hit = false; break; }
      if (hit) found.push({name: pages[i][0], kind: pages[i][1], href: root + pages[i][2]});
    }
    return found;
  }

  function update() {
    var text = input.value.trim();
    if (!text) { show([]); return; }
    if (!api) { show(offline(text)); return; }
    var ticket = ++asked;
    fetch(api + "?q=" + encodeURIComponent(text), {headers: {Accept: "application/json"}})
      .then(function (response) { return response.ok ? response.json() : []; })
      .then(function (found) { if (ticket === asked) show(found); })
      .catch(function () {});
  }

  input.addEventListener("input", update);
  input.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { input.value = ""; show([]); }
    if (event.key === "Enter" && !api) {
      var first = results.querySelector("a");
      if (first) window.location.href = first.getAttribute("href");
      event.preventDefault();
    }
  });
}
