// pmfit's interactive Gantt. The server draws (the SVG and every date come from the engine); this file
// turns gestures into ONE JSON API call each (naming the version shown, If-Match), then swaps in the
// redrawn Gantt from GET /projects/{id}/gantt. Big plans: only the rows in view are drawn; scrolling
// fetches the window of rows around the view. A selected bar's side panel and its "why" (computed on
// demand) come from GET /projects/{id}/panel/{task}. No inline script or style (the CSP forbids them).
// Keys and gestures are documented in docs/web-gantt.md.
"use strict";
(function () {
  var wrap, state;
  var WINDOW_MARGIN = 60; // rows drawn above and below the view
  var ZOOM_DAYS = { day: 1, week: 7, month: 30, quarter: 91, year: 365 };
  var ZOOM_WORKDAYS = { day: 1, week: 5, month: 20, quarter: 60, year: 250 };
  var ZOOM_ORDER = ["day", "week", "month", "quarter", "year"];

  // ---- small helpers ---------------------------------------------------------------------
  function $(sel, root) { return (root || document).querySelector(sel); }
  function $$(sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); }
  function esc(text) { return String(text).replace(/[&<>"']/g, function (c) { return "&#" + c.charCodeAt(0) + ";"; }); }
  function day(iso) { return (iso || "").slice(0, 10); }
  function dateOf(iso) { var p = day(iso).split("-"); return new Date(Date.UTC(+p[0], +p[1] - 1, +p[2])); }
  function isoDay(d) { return d.toISOString().slice(0, 10); }
  function addDays(iso, n) { var d = dateOf(iso); d.setUTCDate(d.getUTCDate() + n); return isoDay(d); }
  function addMonths(iso, n) { var d = dateOf(iso); d.setUTCMonth(d.getUTCMonth() + n); return isoDay(d); }
  // working days (Monday to Friday) from a to b, signed; the browser does not know the plan's holidays
  function workdaysBetween(a, b) {
    var from = dateOf(a), to = dateOf(b), sign = 1, n = 0;
    if (to < from) { var t = from; from = to; to = t; sign = -1; }
    for (var d = new Date(from); d < to; d.setUTCDate(d.getUTCDate() + 1)) {
      var w = d.getUTCDay(); if (w !== 0 && w !== 6) { n++; }
    }
    return sign * n;
  }
  function say(text) { var s = $("#gantt-status"); if (s) { s.textContent = text; } }

  function svg() { return $("svg", wrap); }
  function chart() { return $("g.gantt", wrap); }
  function num(el, name) { return parseFloat(el.getAttribute(name)); }
  function bars() { return $$("g.bar[data-task]", wrap); }
  function barOf(id) { return bars().filter(function (b) { return b.getAttribute("data-task") === id; })[0] || null; }
  function rowOf(bar) { return parseInt(bar.parentNode.parentNode.getAttribute("data-row"), 10); }
  function realZoom() { return chart().getAttribute("data-zoom"); }
  function scale() { var s = svg(); return s.getBoundingClientRect().width / s.viewBox.baseVal.width; }

  // ---- the server: JSON API calls, the Gantt fragment -----------------------------------
  function call(method, url, body) {
    var headers = { "Accept": "application/json", "If-Match": '"' + state.version + '"', "X-CSRF-Token": state.csrf };
    if (body !== undefined) { headers["Content-Type"] = "application/json"; }
    return fetch(url, { method: method, headers: headers, credentials: "same-origin",
                        body: body === undefined ? undefined : JSON.stringify(body) })
      .then(function (answer) {
        return answer.json().catch(function () { return {}; }).then(function (data) {
          return { status: answer.status, data: data, etag: (answer.headers.get("ETag") || "").replace(/"/g, "") };
        });
      });
  }

  function api(path) { return "/api/v1/projects/" + encodeURIComponent(state.project) + path; }

  function fragmentUrl(first, last, version) {
    var q = "?zoom=" + encodeURIComponent(state.zoom) + "&fold=" + encodeURIComponent(state.fold) +
      "&first=" + first + "&last=" + last + "&baselines=" + state.baselines + "&leveled=" + state.leveled;
    if (version) { q += "&version=" + encodeURIComponent(version); }
    return "/projects/" + encodeURIComponent(state.project) + "/gantt" + q;
  }

  function wantedWindow() {
    var g = chart(), rowH = num(g, "data-row-height"), header = num(g, "data-header"), k = scale() || 1;
    var top = Math.max(0, Math.floor((wrap.scrollTop / k - header) / rowH));
    var shown = Math.ceil(wrap.clientHeight / k / rowH) + 1;
    return { top: top, bottom: top + shown };
  }

  // draw the rows around the view of `version` (the one shown unless an edit made a new one)
  function redraw(version, keepFocus) {
    var want = wantedWindow();
    var first = Math.max(0, want.top - WINDOW_MARGIN), last = want.bottom + WINDOW_MARGIN;
    var ticket = ++state.ticket;
    var focused = document.activeElement && document.activeElement.closest &&
      document.activeElement.closest("#gantt g.bar") ? document.activeElement.getAttribute("data-task") : null;
    return fetch(fragmentUrl(first, last, version || state.version), { credentials: "same-origin",
                                                                      headers: { "Accept": "application/json" } })
      .then(function (answer) { if (!answer.ok) { throw new Error("the Gantt did not load (" + answer.status + ")"); } return answer.json(); })
      .then(function (frag) {
        if (ticket !== state.ticket) { return frag; } // a newer request is on its way
        var top = wrap.scrollTop, left = wrap.scrollLeft;
        wrap.innerHTML = frag.svg;
        wrap.scrollTop = top; wrap.scrollLeft = left;
        state.version = frag.version; state.zoom = frag.zoom; state.rows = frag.rows;
        wrap.setAttribute("data-version", frag.version);
        var finish = $("#finish");
        if (finish) { finish.setAttribute("data-finish", frag.finish); finish.textContent = day(frag.finish); }
        var count = $("#critical-count");
        if (count) { count.textContent = frag.critical_count; }
        markSelected();
        if (keepFocus || focused) {
          var bar = barOf(keepFocus || focused);
          if (bar) { bar.focus({ preventScroll: true }); }
        }
        return frag;
      })
      .catch(function (err) { say(String(err.message || err)); });
  }

  function onScroll() {
    if (state.scrollPending) { return; }
    state.scrollPending = true;
    window.setTimeout(function () {
      state.scrollPending = false;
      var g = chart(); if (!g) { return; }
      var want = wantedWindow();
      var first = parseInt(g.getAttribute("data-first-row"), 10), last = parseInt(g.getAttribute("data-last-row"), 10);
      if (want.top < first || Math.min(want.bottom, state.rows) > last) { redraw(null); }
    }, 60);
  }

  // ---- after a change: redraw, say what moved; a conflict shows who changed what ----------
  // a value as the plan file writes it (and as the store's own description does), not as JSON
  function shown(v) {
    if (v === null || v === undefined) { return "(none)"; }
    if (Array.isArray(v)) { return "[" + v.map(shown).join(", ") + "]"; }
    if (typeof v === "object") {
      return "{" + Object.keys(v).map(function (k) { return k + ": " + shown(v[k]); }).join(", ") + "}";
    }
    return String(v);
  }

  function describeChange(c) {
    var what = c.entity + (c.id ? " '" + c.id + "'" : "");
    var field = c.field === "(exists)" ? (c.new === null ? " removed" : " added") : " " + c.field + " " + shown(c.old) + " → " + shown(c.new);
    return what + field + " (" + (c.author || "someone") + ", " + (c.at || "").slice(0, 16).replace("T", " ") + " UTC)";
  }

  function showConflict(data) {
    var box = $("#gantt-conflict");
    if (!box) { return; }
    var conflict = data.conflict || {};
    var messages = conflict.messages || (data.diagnostics || []).map(function (d) { return d.message; });
    $("[data-messages]", box).innerHTML = messages.map(function (m) { return "<li>" + esc(m) + "</li>"; }).join("");
    var since = (conflict.changes_since || []).map(describeChange);
    $("[data-since]", box).innerHTML = since.map(function (m) { return "<li>" + esc(m) + "</li>"; }).join("");
    $("[data-since-title]", box).hidden = since.length === 0;
    box.hidden = false;
    box.focus && box.setAttribute("tabindex", "-1");
    box.scrollIntoView({ block: "nearest" });
  }

  function done(answer, what, taskId) {
    if (answer.status === 409) {
      showConflict(answer.data);
      say("Not saved: " + what + " conflicts with a change saved since.");
      return redraw(state.version, taskId);
    }
    if (answer.status >= 400) {
      var d = (answer.data.diagnostics || [])[0];
      say("Not saved: " + (d ? d.message : "the server answered " + answer.status));
      return redraw(state.version, taskId);
    }
    var before = ($("#finish") || { getAttribute: function () { return ""; } }).getAttribute("data-finish");
    var label = answer.data.version && answer.data.version.label ? answer.data.version.label : "";
    return redraw(answer.etag || null, taskId).then(function (frag) {
      if (!frag) { return; }
      var moved = frag.finish === before ? "finish unchanged (" + day(frag.finish) + ")"
        : "finish " + day(before) + " → " + day(frag.finish);
      say("Saved " + what + (label ? " as " + label : "") + "; " + moved + ".");
      if (state.selected) { showPanel(state.selected, false, true); }
    });
  }

  function patchTask(taskId, patch, what) {
    return call("PATCH", api("/tasks/" + encodeURIComponent(taskId)), patch)
      .then(function (answer) { return done(answer, what, taskId); });
  }

  // ---- gestures on one bar ----------------------------------------------------------------
  // Moving a bar (drag or Shift+arrow) sets "start no earlier than" the new start date, as MS Project
  // does; the engine still starts it later when a predecessor or a resource says so.
  function moveTo(bar, newStart) {
    var id = bar.getAttribute("data-task");
    return patchTask(id, { constraint: { type: "SNET", date: newStart } }, id + " to start no earlier than " + newStart);
  }

  function resizeBy(bar, workdays) {
    var id = bar.getAttribute("data-task");
    var mpd = num(chart(), "data-minutes-per-day") || 480;
    var old = num(bar, "data-duration") / mpd;
    var next = Math.max(old >= 1 ? 1 : old, Math.round((old + workdays) * 100) / 100);
    if (next === old) { return Promise.resolve(); }
    return patchTask(id, { duration: next + "d", estimate: null }, id + " duration " + next + "d");
  }

  function shiftStart(iso, zoom, steps) {
    if (zoom === "month") { return addMonths(iso, steps); }
    if (zoom === "quarter") { return addMonths(iso, 3 * steps); }
    if (zoom === "year") { return addMonths(iso, 12 * steps); }
    return addDays(iso, ZOOM_DAYS[zoom] * steps);
  }

  function link(predId, succId, type, lag) {
    var body = { task: predId, type: type };
    if (lag) { body.lag = lag; }
    return call("POST", api("/tasks/" + encodeURIComponent(succId) + "/links"), body)
      .then(function (answer) {
        if (answer.status === 422) { return answer; }
        return done(answer, succId + " after " + predId + " " + type + (lag ? " " + lag : ""), succId).then(function () { return answer; });
      });
  }

  function nameOf(id) {  // the task's name, from its bar's accessible name ("Name (task): dates, ...")
    var bar = barOf(id), label = bar ? bar.getAttribute("aria-label") || "" : "";
    var cut = label.lastIndexOf(" (", label.indexOf("):") >= 0 ? label.indexOf("):") : label.length);
    return cut > 0 ? label.slice(0, cut) + " [" + id + "]" : id;
  }

  function openLinkDialog(predId, succId) {
    var dialog = $("#link-dialog");
    if (!dialog) { return; }
    var form = $("#link-form");
    $("[data-link-text]", dialog).textContent = "“" + nameOf(predId) + "” before “" + nameOf(succId) + "”";
    $("[data-link-error]", dialog).hidden = true;
    form.elements.type.value = "FS"; form.elements.lag.value = "";
    dialog.setAttribute("data-pred", predId); dialog.setAttribute("data-succ", succId);
    dialog.showModal();
    form.elements.type.focus();
  }

  function onLinkSubmit(event) {
    var dialog = $("#link-dialog"), form = event.target;
    if (event.submitter && event.submitter.value === "cancel") { return; }
    event.preventDefault();
    var lag = form.elements.lag.value.trim();
    link(dialog.getAttribute("data-pred"), dialog.getAttribute("data-succ"), form.elements.type.value, lag)
      .then(function (answer) {
        if (answer && answer.status === 422) {
          var d = (answer.data.diagnostics || [])[0], err = $("[data-link-error]", dialog);
          err.textContent = d ? d.message : "not a valid link"; err.hidden = false;
          return;
        }
        dialog.close();
      });
  }

  // ---- dragging ---------------------------------------------------------------------------
  function bodyOf(bar) { return $(".body", bar); }

  function onPointerDown(event) {
    var bar = event.target.closest && event.target.closest("g.bar[data-task]");
    if (!bar || event.button !== 0) { return; }
    select(bar, true);
    if (!state.canEdit || bar.getAttribute("data-summary") === "true") { return; }
    var k = scale(), body = bodyOf(bar), box = body.getBoundingClientRect();
    var resize = bar.getAttribute("data-milestone") !== "true" && event.clientX > box.right - 7 * Math.max(k, 0.5);
    state.drag = { bar: bar, x: event.clientX, y: event.clientY, k: k, mode: resize ? "resize" : "move",
                   started: false, width: body.getAttribute("width"), target: null, line: null };
    event.preventDefault();
  }

  function toSvg(event) {
    var box = svg().getBoundingClientRect(), k = scale() || 1;
    return { x: (event.clientX - box.left) / k, y: (event.clientY - box.top) / k };
  }

  function barAtRow(event) {
    var g = chart(), local = toSvg(event);
    if (local.x < num(g, "data-label-width")) { return null; }
    var row = Math.floor((local.y - num(g, "data-header")) / num(g, "data-row-height"));
    return $('g.row[data-row="' + row + '"] g.bar', wrap);
  }

  function linkLine(drag, event) {
    var s = svg(), local = toSvg(event);
    var box = bodyOf(drag.bar).getBBox();
    if (!drag.line) {
      drag.line = document.createElementNS("http://www.w3.org/2000/svg", "line");
      drag.line.setAttribute("class", "link-drag");
      s.appendChild(drag.line);
    }
    drag.line.setAttribute("x1", box.x + box.width); drag.line.setAttribute("y1", box.y + box.height / 2);
    drag.line.setAttribute("x2", local.x); drag.line.setAttribute("y2", local.y);
  }

  function onPointerMove(event) {
    var drag = state.drag;
    if (!drag) { return; }
    var dx = (event.clientX - drag.x) / drag.k, dy = (event.clientY - drag.y) / drag.k;
    if (!drag.started && Math.abs(dx) < 3 && Math.abs(dy) < 3) { return; }
    drag.started = true;
    var rowH = num(chart(), "data-row-height");
    if (drag.mode === "move" && Math.abs(dy) > rowH * 0.75) {
      drag.mode = "link"; drag.bar.removeAttribute("transform");
    }
    var perDay = num(chart(), "data-pixels-per-day");
    var days = Math.round(dx / perDay);
    if (drag.mode === "move") {
      drag.bar.setAttribute("transform", "translate(" + (days * perDay) + " 0)");
      say("Move " + drag.bar.getAttribute("data-task") + " to start " + addDays(drag.bar.getAttribute("data-start"), days));
    } else if (drag.mode === "resize") {
      var body = bodyOf(drag.bar);
      body.setAttribute("width", Math.max(2, parseFloat(drag.width) + days * perDay));
      say("Finish " + drag.bar.getAttribute("data-task") + " on " + addDays(drag.bar.getAttribute("data-finish"), days));
    } else {
      linkLine(drag, event);
      var target = barAtRow(event);  // the row under the pointer (arrows drawn over bars would hide them)
      if (drag.target && drag.target !== target) { drag.target.classList.remove("link-target"); }
      drag.target = target && target !== drag.bar ? target : null;
      if (drag.target) { drag.target.classList.add("link-target"); }
      say(drag.target ? "Link " + drag.bar.getAttribute("data-task") + " → " + drag.target.getAttribute("data-task")
        : "Drop on another bar to link");
    }
  }

  function endDrag(cancel) {
    var drag = state.drag;
    state.drag = null;
    if (!drag) { return null; }
    drag.bar.removeAttribute("transform");
    if (drag.width !== null) { bodyOf(drag.bar).setAttribute("width", drag.width); }
    if (drag.line) { drag.line.remove(); }
    if (drag.target) { drag.target.classList.remove("link-target"); }
    return cancel ? null : drag;
  }

  function onPointerUp(event) {
    var drag = state.drag;
    if (!drag) { return; }
    var dx = (event.clientX - drag.x) / drag.k;
    var days = Math.round(dx / num(chart(), "data-pixels-per-day"));
    endDrag(false);
    if (!drag.started) { return; }
    if (drag.mode === "move" && days !== 0) {
      moveTo(drag.bar, addDays(drag.bar.getAttribute("data-start"), days));
    } else if (drag.mode === "resize" && days !== 0) {
      var finish = drag.bar.getAttribute("data-finish");
      resizeBy(drag.bar, workdaysBetween(finish, addDays(finish, days)));
    } else if (drag.mode === "link" && drag.target) {
      openLinkDialog(drag.bar.getAttribute("data-task"), drag.target.getAttribute("data-task"));
    } else {
      say("");
    }
  }

  // ---- selection, the side panel -----------------------------------------------------------
  // one tab stop for the whole Gantt (the selected bar, else the first): Tab passes the chart in one
  // step and the arrows move inside it
  function markSelected() {
    var all = bars(), keep = null;
    all.forEach(function (bar) {
      var on = bar.getAttribute("data-task") === state.selected;
      bar.classList.toggle("selected", on);
      if (on) { keep = bar; }
    });
    keep = keep || all[0];
    all.forEach(function (bar) { bar.setAttribute("tabindex", bar === keep ? "0" : "-1"); });
  }

  function panelQuery() {
    return "?version=" + encodeURIComponent(state.version) + "&zoom=" + encodeURIComponent(state.zoom) +
      "&fold=" + encodeURIComponent(state.fold);
  }

  // one task's panel with its "why" from the server, in the version shown (parsed inert), or null
  function fetchPanel(taskId) {
    return fetch("/projects/" + encodeURIComponent(state.project) + "/panel/" + encodeURIComponent(taskId) + panelQuery(),
                 { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (answer) { return answer.ok ? answer.text() : ""; })
      .then(function (html) {
        if (!html) { return null; }
        var holder = document.createElement("template");
        holder.innerHTML = html;  // the server's escaped markup
        return $(".task-panel", holder.content);
      })
      .catch(function () { return null; });
  }

  // the page's panels come without their "why" (the engine explains one task in time proportional
  // to the plan): fill it in when the task is selected, leaving the forms (and anything typed) alone
  function fillWhy(panel, taskId) {
    var slot = $("[data-why-pending]", panel);
    if (!slot || slot.getAttribute("data-why-pending") === "asked") { return; }
    slot.setAttribute("data-why-pending", "asked");
    fetchPanel(taskId).then(function (fresh) {
      var why = fresh && $(".why-here", fresh);
      if (why && slot.isConnected) { slot.replaceWith(why); } else { slot.setAttribute("data-why-pending", ""); }
    });
  }

  function showPanel(taskId, focusForm, reload) {
    state.selected = taskId;
    markSelected();
    var panel = $('#panel .task-panel[data-panel="' + CSS.escape(taskId) + '"]');
    var fresh = panel && panel.getAttribute("data-version") === state.version && !reload;
    var ready = fresh ? Promise.resolve(panel)
      : fetchPanel(taskId).then(function (made) {
          if (!made || state.selected !== taskId) { return null; }
          var old = $('#panel .task-panel[data-panel="' + CSS.escape(taskId) + '"]');
          if (old) { old.replaceWith(made); } else { $("#panel").appendChild(made); }
          return made;
        });
    if (fresh) { fillWhy(panel, taskId); }
    return ready.then(function (shown) {
      if (!shown || state.selected !== taskId) { return; }
      $$("#panel .task-panel").forEach(function (p) { p.hidden = p !== shown; });
      var empty = $("#panel [data-empty]");
      if (empty) { empty.hidden = true; }
      if (focusForm) {
        var field = $("input:not([type=hidden]), select", shown);
        (field || shown).focus();
        shown.scrollIntoView({ block: "nearest" });
      }
    });
  }

  function select(bar, keepScroll) {
    if (!bar) { return; }
    bar.focus({ preventScroll: !!keepScroll });  // a pointer gesture must not scroll the bar away under it
    showPanel(bar.getAttribute("data-task"), false);
  }

  function changedValue(input) {
    if (input.tagName === "SELECT") {
      var initial = $$("option", input).filter(function (o) { return o.defaultSelected; })[0];
      return input.value !== (initial ? initial.value : "");
    }
    return input.value !== input.defaultValue;
  }

  function needsOf(text) {
    var needs = {};
    text.split(",").forEach(function (part) {
      part = part.trim(); if (!part) { return; }
      var bits = part.split(":");
      needs[bits[0].trim()] = bits.length > 1 && bits[1].trim() ? parseFloat(bits[1]) : 1;
    });
    return needs;
  }

  // the side panel's forms: the same merge patch the form would post, as one JSON call
  function onPanelSubmit(event) {
    var form = event.target;
    var kind = form.getAttribute("data-edit");
    if (!kind) { return; }
    event.preventDefault();
    var id = form.getAttribute("data-task"), f = form.elements;
    if (kind === "task") {
      var patch = {};
      if (changedValue(f.name) && f.name.value.trim()) { patch.name = f.name.value.trim(); }
      if (changedValue(f.duration) && f.duration.value.trim()) { patch.duration = f.duration.value.trim(); patch.estimate = null; }
      if (changedValue(f.constraint_type) || changedValue(f.constraint_date)) {
        var type = f.constraint_type.value;
        patch.constraint = !type ? null : { type: type, date: f.constraint_date.value || null };
      }
      if (changedValue(f.resources)) {
        var before = needsOf(f.resources.defaultValue), after = needsOf(f.resources.value), needs = {};
        Object.keys(before).forEach(function (r) { if (!(r in after)) { needs[r] = null; } });
        Object.keys(after).forEach(function (r) { needs[r] = after[r]; });
        patch.needs = needs;
      }
      if (!Object.keys(patch).length) { say("Nothing changed."); return; }
      patchTask(id, patch, id + ": " + Object.keys(patch).filter(function (k) { return k !== "estimate"; }).join(", "));
    } else {
      var percent = f.percent.value === "" ? null : parseFloat(f.percent.value);
      var when = f.status_date.value;
      // the actual dates a percent implies are filled in by the one progress path (parts.patch_progress)
      var record = { percent_complete: percent };
      var body = { tasks: {} };
      body.tasks[id] = record;
      if (when) { body.status_date = when; }
      call("PATCH", api("/progress"), body).then(function (answer) {
        return done(answer, id + " " + (percent === null ? "no" : percent + "%") + " complete", id);
      });
    }
  }

  // ---- keyboard ----------------------------------------------------------------------------
  function focusRow(row) {
    if (row < 0 || row >= state.rows) { return; }
    var g = chart(), rowH = num(g, "data-row-height"), header = num(g, "data-header"), k = scale();
    var top = (header + row * rowH) * k, bottom = top + rowH * k;
    if (top < wrap.scrollTop + header * k) { wrap.scrollTop = Math.max(0, top - header * k); }
    if (bottom > wrap.scrollTop + wrap.clientHeight) { wrap.scrollTop = bottom - wrap.clientHeight; }
    var found = $('g.row[data-row="' + row + '"] g.bar', wrap);
    if (found) { select(found); return; }
    redraw(null).then(function () {  // the row was outside the drawn window
      var bar = $('g.row[data-row="' + row + '"] g.bar', wrap);
      if (bar) { select(bar); }
    });
  }

  function followLink(bar, forward) {
    var id = bar.getAttribute("data-task");
    var lines = $$("polyline.link", wrap).filter(function (l) {
      return l.getAttribute(forward ? "data-pred" : "data-succ") === id;
    });
    if (!lines.length) { say(forward ? "No successor drawn." : "No predecessor drawn."); return; }
    var other = lines[0].getAttribute(forward ? "data-succ" : "data-pred");
    var next = barOf(other);
    if (next) { select(next); next.scrollIntoView({ block: "nearest", inline: "nearest" }); }
  }

  function onBarKey(event) {
    var bar = event.target.closest && event.target.closest("g.bar[data-task]");
    if (!bar) { return; }
    var key = event.key, editable = state.canEdit && bar.getAttribute("data-summary") !== "true";
    if (key === "ArrowDown" || key === "ArrowUp") {
      focusRow(rowOf(bar) + (key === "ArrowDown" ? 1 : -1)); event.preventDefault();
    } else if ((key === "ArrowRight" || key === "ArrowLeft") && event.shiftKey) {
      if (editable) { moveTo(bar, shiftStart(bar.getAttribute("data-start"), realZoom(), key === "ArrowRight" ? 1 : -1)); }
      event.preventDefault();
    } else if ((key === "ArrowRight" || key === "ArrowLeft") && event.altKey) {
      if (editable && bar.getAttribute("data-milestone") !== "true") {
        resizeBy(bar, (key === "ArrowRight" ? 1 : -1) * ZOOM_WORKDAYS[realZoom()]);
      }
      event.preventDefault();
    } else if (key === "ArrowRight" || key === "ArrowLeft") {
      followLink(bar, key === "ArrowRight"); event.preventDefault();
    } else if (key === "Enter") {
      showPanel(bar.getAttribute("data-task"), true); event.preventDefault();
    } else if (key === " ") {
      select(bar); event.preventDefault();
    } else if (key === "Escape" && state.drag) {
      endDrag(true); say("");
    }
  }

  function setZoom(zoom) {
    state.zoom = zoom;
    $$("#gantt-toolbar a[data-zoom]").forEach(function (a) {
      var z = a.getAttribute("data-zoom"), key = a.getAttribute("data-key");
      if (!key) { a.classList.toggle("current", z === zoom); if (z === zoom) { a.setAttribute("aria-current", "true"); } else { a.removeAttribute("aria-current"); } }
    });
    return redraw(null).then(function () { updateLinks(); });
  }

  function stepZoom(step) {
    var now = ZOOM_ORDER.indexOf(state.zoom === "fit" ? realZoom() : state.zoom);
    setZoom(ZOOM_ORDER[Math.max(0, Math.min(ZOOM_ORDER.length - 1, now + step))]);
  }

  function onPageKey(event) {
    var target = event.target;
    if (target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" || target.tagName === "SELECT" ||
                   target.isContentEditable) || $("#link-dialog[open]")) { return; }
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (event.key === "+" || event.key === "=") { stepZoom(-1); event.preventDefault(); }
    else if (event.key === "-" || event.key === "_") { stepZoom(1); event.preventDefault(); }
    else if (event.key === "f" || event.key === "F") { setZoom("fit"); event.preventDefault(); }
  }

  // ---- toolbar: zoom, toggles (the links still work without script) -------------------------
  function pageUrl() {
    return "?zoom=" + encodeURIComponent(state.zoom) + "&fold=" + encodeURIComponent(state.fold) +
      "&baselines=" + state.baselines + "&leveled=" + state.leveled;
  }

  function updateLinks() {
    if (window.history && window.history.replaceState) { window.history.replaceState(null, "", pageUrl()); }
    $$("#gantt-toolbar [data-toggle]").forEach(function (t) {
      var name = t.getAttribute("data-toggle");
      var on = name === "critical" ? !wrap.classList.contains("no-critical") : state[name] === "true";
      t.setAttribute("aria-checked", on ? "true" : "false");
    });
  }

  function onToolbarClick(event) {
    var a = event.target.closest && event.target.closest("#gantt-toolbar [data-zoom], #gantt-toolbar [data-toggle]");
    if (!a) { return; }
    event.preventDefault();
    var zoom = a.getAttribute("data-zoom"), toggle = a.getAttribute("data-toggle");
    if (a.getAttribute("data-key") === "+") { stepZoom(-1); return; }
    if (a.getAttribute("data-key") === "-") { stepZoom(1); return; }
    if (zoom) { setZoom(zoom); return; }
    if (toggle === "critical") { wrap.classList.toggle("no-critical"); updateLinks(); return; }
    state[toggle] = state[toggle] === "true" ? "false" : "true";
    if (toggle === "leveled" && state.leveled === "true") { say("Leveling the plan…"); }
    redraw(null).then(function () { updateLinks(); if (toggle === "leveled") { say(state.leveled === "true" ? "Leveled positions shown (dashed)." : ""); } });
  }

  // ---- start -------------------------------------------------------------------------------
  function start() {
    wrap = document.getElementById("gantt");
    if (!wrap || !svg()) { return; }
    state = {
      project: wrap.getAttribute("data-project"), version: wrap.getAttribute("data-version"),
      zoom: wrap.getAttribute("data-zoom"), fold: wrap.getAttribute("data-fold") || "",
      rows: parseInt(wrap.getAttribute("data-rows"), 10) || 0, csrf: wrap.getAttribute("data-csrf"),
      canEdit: wrap.getAttribute("data-can-edit") === "true", baselines: wrap.getAttribute("data-baselines"),
      leveled: wrap.getAttribute("data-leveled"), selected: wrap.getAttribute("data-selected") || null,
      ticket: 0, drag: null, scrollPending: false
    };
    wrap.addEventListener("pointerdown", onPointerDown);
    document.addEventListener("pointermove", onPointerMove);
    document.addEventListener("pointerup", onPointerUp);
    document.addEventListener("pointercancel", function () { endDrag(true); });
    wrap.addEventListener("keydown", onBarKey);
    wrap.addEventListener("focusin", function (event) {
      var bar = event.target.closest && event.target.closest("g.bar[data-task]");
      if (bar && bar.getAttribute("data-task") !== state.selected) { showPanel(bar.getAttribute("data-task"), false); }
    });
    wrap.addEventListener("scroll", onScroll, { passive: true });
    document.addEventListener("keydown", onPageKey);
    var panel = $("#panel");
    if (panel) { panel.addEventListener("submit", onPanelSubmit); }
    var toolbar = $("#gantt-toolbar");
    if (toolbar) { toolbar.addEventListener("click", onToolbarClick); }
    var critical = $('#gantt-toolbar [data-toggle="critical"]');
    if (critical) { critical.hidden = false; }
    var linkForm = $("#link-form");
    if (linkForm) { linkForm.addEventListener("submit", onLinkSubmit); }
    var conflict = $("#gantt-conflict");
    if (conflict) {
      $("[data-reload]", conflict).addEventListener("click", function () { window.location.assign(pageUrl() + "#gantt"); });
      $("[data-dismiss]", conflict).addEventListener("click", function () { conflict.hidden = true; });
    }
    markSelected();
    if (state.selected) {
      var open = $('#panel .task-panel[data-panel="' + CSS.escape(state.selected) + '"]');
      var empty = $("#panel [data-empty]");
      if (open && empty) { empty.hidden = true; }
    }
    onScroll();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
