// regfus web interface: the little script the pages need. No framework;
// htmx (loaded beside it) refreshes fragments. Every state-changing request
// carries the session's CSRF token (body[data-csrf]).
"use strict";
(function () {
  var csrf = document.body.getAttribute("data-csrf") || "";
  document.body.addEventListener("htmx:configRequest", function (e) {
    e.detail.headers["X-CSRF-Token"] = csrf;
  });
  function $(id) { return document.getElementById(id); }

  // Upload: drag and drop or picker, sent with XMLHttpRequest for its
  // progress; then the batch page.
  var form = $("upload-form");
  if (form) {
    var input = $("files"), drop = $("drop"), bar = $("upload-progress"), status = $("upload-status");
    var chosen = null;
    var show = function (files) {
      chosen = files;
      var n = files ? files.length : 0;
      $("upload-chosen").textContent = n ? n + " × " + Array.prototype.map.call(files, function (f) { return f.name; }).slice(0, 5).join(", ") + (n > 5 ? ", …" : "") : "";
    };
    input.addEventListener("change", function () { show(input.files); });
    ["dragenter", "dragover"].forEach(function (t) { drop.addEventListener(t, function (e) { e.preventDefault(); drop.classList.add("over"); }); });
    ["dragleave", "drop"].forEach(function (t) { drop.addEventListener(t, function (e) { e.preventDefault(); drop.classList.remove("over"); }); });
    drop.addEventListener("drop", function (e) { if (e.dataTransfer && e.dataTransfer.files.length) { show(e.dataTransfer.files); } });
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      if (!chosen || !chosen.length) { input.click(); return; }
      var fd = new FormData();
      Array.prototype.forEach.call(chosen, function (f) { fd.append("files", f, f.name); });
      var x = new XMLHttpRequest();
      x.open("POST", form.action);
      x.setRequestHeader("X-CSRF-Token", csrf);
      x.setRequestHeader("X-Requested-With", "XMLHttpRequest");
      bar.hidden = false; bar.value = 0;
      $("upload-submit").disabled = true;
      x.upload.addEventListener("progress", function (ev) {
        if (ev.lengthComputable) { bar.value = Math.round(ev.loaded * 100 / ev.total); status.textContent = bar.value + "%"; }
      });
      x.addEventListener("load", function () {
        $("upload-submit").disabled = false;
        if (x.status >= 200 && x.status < 300) {
          bar.value = 100; status.textContent = "100%";
          location.href = JSON.parse(x.responseText).url;
        } else { status.textContent = x.status + ": " + x.responseText; }
      });
      x.addEventListener("error", function () { $("upload-submit").disabled = false; status.textContent = "network error"; });
      x.send(fd);
    });
  }

  // Batch page: live counters from the event stream.
  var live = $("live");
  if (live && window.EventSource && live.getAttribute("data-status") !== "done" && live.getAttribute("data-status") !== "failed") {
    var es = new EventSource(live.getAttribute("data-events"));
    var update = function (ev) {
      var p = JSON.parse(ev.data);
      ["done", "total", "ok", "review", "rejected", "failed"].forEach(function (k) {
        var el = live.querySelector('[data-k="' + k + '"]'); if (el) { el.textContent = p[k]; }
      });
      var bar = $("batch-progress"); bar.max = p.total; bar.value = p.done;
      return p;
    };
    es.addEventListener("progress", update);
    es.addEventListener("done", function (ev) {
      update(ev); es.close();
      var st = $("batch-status"); st.textContent = st.getAttribute("data-done-text");
      live.setAttribute("data-status", "done");
      if (window.htmx) { htmx.trigger(document.body, "batchdone"); }
    });
  }

  // Review: the keyboard does everything.
  var review = $("review");
  if (review) {
    var go = function (attr) { var u = review.getAttribute(attr); if (u) { location.href = u; } };
    var v = $("value");
    if (v) { v.focus(); v.select(); } else if ($("accept")) { $("accept").focus(); }
    document.addEventListener("keydown", function (e) {
      if (e.altKey || e.ctrlKey || e.metaKey) { return; }
      switch (e.key) {
        case "ArrowDown": e.preventDefault(); go("data-next"); break;
        case "ArrowUp": e.preventDefault(); go("data-prev"); break;
        case "PageDown": e.preventDefault(); go("data-nextsib"); break;
        case "PageUp": e.preventDefault(); go("data-prevsib"); break;
        case "Escape": var pf = $("postpone-form"); if (pf) { e.preventDefault(); pf.submit(); } break;
      }
    });
  }
  var bulkForm = $("bulk-form");
  if (bulkForm) {
    document.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && e.target.type === "checkbox") { e.preventDefault(); bulkForm.submit(); }
    });
  }

  // Self-check: the picture is read at once; the verdict is drawn over it.
  var cf = $("check-form");
  if (cf) {
    var cst = $("check-status"), verdict = $("verdict"), cdrop = $("check-drop");
    var send = function (file) {
      if (!file) { return; }
      var url = URL.createObjectURL(file);
      var shown = /^image\/(png|jpeg|webp|gif)$/.test(file.type);
      var fd = new FormData(); fd.append("file", file, file.name);
      cst.textContent = cst.getAttribute("data-reading");
      verdict.innerHTML = "";
      fetch(cf.action, { method: "POST", body: fd, headers: { "X-CSRF-Token": csrf, "HX-Request": "true" }, credentials: "same-origin" })
        .then(function (r) { return r.text().then(function (t) { return { ok: r.ok, status: r.status, text: t }; }); })
        .then(function (r) {
          cst.textContent = "";
          if (!r.ok) { cst.textContent = r.status + ": " + r.text; return; }
          verdict.innerHTML = r.text;
          verdict.querySelectorAll("[data-picture]").forEach(function (p) {
            if (shown) { p.querySelector("img").src = url; } else { p.classList.add("noimg"); }
          });
          var h = verdict.querySelector("h2"); if (h) { h.tabIndex = -1; h.focus(); }
        })
        .catch(function (err) { cst.textContent = String(err); });
    };
    ["check-photo", "check-file"].forEach(function (id) { $(id).addEventListener("change", function (e) { send(e.target.files[0]); }); });
    ["dragenter", "dragover"].forEach(function (t) { cdrop.addEventListener(t, function (e) { e.preventDefault(); cdrop.classList.add("over"); }); });
    ["dragleave", "drop"].forEach(function (t) { cdrop.addEventListener(t, function (e) { e.preventDefault(); cdrop.classList.remove("over"); }); });
    cdrop.addEventListener("drop", function (e) { if (e.dataTransfer && e.dataTransfer.files.length) { send(e.dataTransfer.files[0]); } });
    cf.addEventListener("submit", function (e) { e.preventDefault(); });
  }
})();
