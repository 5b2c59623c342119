// pmfit's side panel on demand. The server computes a task's "why" (its driving chain) only when the
// task is selected, and on large plans sends the selected task's panel only: this file fetches the
// rest (GET /projects/{id}/tasks/{task}/panel, in the version the page shows) when a bar is selected.
// gantt.js still selects bars and shows panels; this only fills them in.
"use strict";
(function () {
  var aside = null;
  var asked = {};

  function panelOf(taskId) {
    var found = null;
    aside.querySelectorAll(".task-panel").forEach(function (panel) {
      if (panel.getAttribute("data-panel") === taskId) { found = panel; }
    });
    return found;
  }

  function address(taskId) {
    return aside.getAttribute("data-panels") + encodeURIComponent(taskId) + "/panel" +
      "?version=" + encodeURIComponent(aside.getAttribute("data-version") || "") +
      "&zoom=" + encodeURIComponent(aside.getAttribute("data-zoom") || "") +
      "&fold=" + encodeURIComponent(aside.getAttribute("data-fold") || "");
  }

  function fetched(taskId) {
    if (!asked[taskId]) {
      asked[taskId] = fetch(address(taskId), { credentials: "same-origin", headers: { Accept: "text/html" } })
        .then(function (answer) {
          if (!answer.ok) { throw new Error("panel " + answer.status); }
          return answer.text();
        })
        .then(function (html) {
          var holder = document.createElement("template");
          holder.innerHTML = html;  // the server's escaped markup, parsed inert
          return holder.content.querySelector(".task-panel");
        })
        .catch(function () { delete asked[taskId]; return null; });
    }
    return asked[taskId];
  }

  function selectedTask() {
    var bar = document.querySelector("#gantt g.bar.selected[data-task]");
    return bar ? bar.getAttribute("data-task") : null;
  }

  function focusFirstField(panel) {
    var field = panel.querySelector("input:not([type=hidden])");
    (field || panel).focus();
    panel.scrollIntoView({ block: "nearest" });
  }

  function fill(taskId, focusForm) {
    var panel = panelOf(taskId);
    if (panel && !panel.querySelector("[data-why-pending]")) { return; }
    fetched(taskId).then(function (fresh) {
      if (!fresh) { return; }
      var current = panelOf(taskId);
      if (current) {  // the panel is in the page: add its "why" only, so nothing typed in it is lost
        var slot = current.querySelector("[data-why-pending]");
        var why = fresh.querySelector(".why-here");
        if (slot && why) { slot.replaceWith(why.cloneNode(true)); }
      } else {
        current = fresh;
        current.hidden = true;
        aside.appendChild(current);
      }
      if (selectedTask() !== taskId) { return; }  // another bar was selected meanwhile
      aside.querySelectorAll(".task-panel").forEach(function (other) { other.hidden = other !== current; });
      var empty = aside.querySelector("[data-empty]");
      if (empty) { empty.hidden = true; }
      if (focusForm) { focusFirstField(current); }
    });
  }

  function barOf(event) {
    var target = event.target;
    return target && target.closest ? target.closest("#gantt g.bar[data-task]") : null;
  }

  function start() {
    aside = document.getElementById("panel");
    if (!aside || !aside.getAttribute("data-panels")) { return; }
    document.addEventListener("focusin", function (event) {
      var bar = barOf(event);
      if (bar) { fill(bar.getAttribute("data-task"), false); }
    });
    document.addEventListener("click", function (event) {
      var bar = barOf(event);
      if (bar) { fill(bar.getAttribute("data-task"), false); }
    });
    document.addEventListener("keydown", function (event) {
      var bar = barOf(event);
      if (bar && (event.key === "Enter" || event.key === " ")) { fill(bar.getAttribute("data-task"), true); }
    });
    var open = aside.querySelector(".task-panel:not([hidden])");
    if (open) { fill(open.getAttribute("data-panel"), false); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
