// pmfit's Gantt gestures. The server draws (the SVG and every date come from the engine); this file
// only selects bars, opens the side panel, and follows the zoom links on + / - / F.
"use strict";
(function () {
  function bars() {
    return Array.prototype.slice.call(document.querySelectorAll("#gantt g.bar[data-task]"));
  }

  function showPanel(taskId, focusForm) {
    var panels = document.querySelectorAll("#panel .task-panel");
    var shown = null;
    panels.forEach(function (panel) {
      var match = panel.getAttribute("data-panel") === taskId;
      panel.hidden = !match;
      if (match) { shown = panel; }
    });
    var empty = document.querySelector("#panel [data-empty]");
    if (empty) { empty.hidden = shown !== null; }
    bars().forEach(function (bar) {
      bar.classList.toggle("selected", bar.getAttribute("data-task") === taskId);
    });
    if (shown && focusForm) {
      var field = shown.querySelector("input:not([type=hidden])");
      (field || shown).focus();
      shown.scrollIntoView({ block: "nearest" });
    }
    return shown;
  }

  function select(bar) {
    if (!bar) { return; }
    bar.focus();
    showPanel(bar.getAttribute("data-task"), false);
  }

  function barAbove(all, index, step) {
    var next = index + step;
    return next >= 0 && next < all.length ? all[next] : null;
  }

  function onBarKey(event) {
    var all = bars();
    var index = all.indexOf(event.currentTarget);
    if (event.key === "ArrowDown" || event.key === "ArrowRight") {
      select(barAbove(all, index, 1)); event.preventDefault();
    } else if (event.key === "ArrowUp" || event.key === "ArrowLeft") {
      select(barAbove(all, index, -1)); event.preventDefault();
    } else if (event.key === "Enter" || event.key === " ") {
      showPanel(event.currentTarget.getAttribute("data-task"), true); event.preventDefault();
    }
  }

  function onPageKey(event) {
    var target = event.target;
    if (target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" || target.isContentEditable)) {
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    var key = event.key === "=" ? "+" : event.key.toLowerCase();
    var link = document.querySelector('.toolbar a[data-key="' + (key === "+" || key === "-" || key === "f" ? key : "none") + '"]');
    if (link) { window.location.assign(link.getAttribute("href") + "#gantt"); event.preventDefault(); }
  }

  function start() {
    if (!document.getElementById("gantt")) { return; }
    bars().forEach(function (bar) {
      bar.addEventListener("keydown", onBarKey);
      bar.addEventListener("click", function () { select(bar); });
      bar.addEventListener("focus", function () { showPanel(bar.getAttribute("data-task"), false); });
    });
    document.addEventListener("keydown", onPageKey);
    var open = document.querySelector("#panel .task-panel:not([hidden])");
    if (open) {
      var id = open.getAttribute("data-panel");
      var bar = bars().filter(function (b) { return b.getAttribute("data-task") === id; })[0];
      if (bar) { bar.classList.add("selected"); }
      var empty = document.querySelector("#panel [data-empty]");
      if (empty) { empty.hidden = true; }
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
