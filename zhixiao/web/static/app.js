/* 质效 dashboard: draw every [data-chart] element from its JSON endpoint (an ECharts option).
   No inline script anywhere (CSP script-src 'self'); redrawn after every htmx swap. */
(function () {
  "use strict";
  function draw(root) {
    var scope = root || document;
    var nodes = scope.querySelectorAll("[data-chart]");
    nodes.forEach(function (el) {
      if (el.dataset.drawn === el.dataset.chart) { return; }
      el.dataset.drawn = el.dataset.chart;
      fetch(el.dataset.chart, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (r) { if (!r.ok) { throw new Error("HTTP " + r.status); } return r.json(); })
        .then(function (option) {
          var chart = echarts.getInstanceByDom(el) || echarts.init(el, null, { renderer: "canvas" });
          var links = option.zxLinks || {};
          delete option.zxLinks;
          option.animation = false;
          chart.setOption(option, true);
          chart.off("click");
          chart.on("click", function (p) {  // every figure links to its case list
            var l = links[p.seriesName];
            if (l && l[p.dataIndex]) { window.location.href = l[p.dataIndex]; }
          });
          el.setAttribute("data-ready", "1");
        })
        .catch(function (err) {
          el.textContent = "图表加载失败：" + err.message;
          el.setAttribute("data-ready", "error");
        });
    });
  }
  // htmx does not swap 4xx/5xx answers: show their Chinese message above the page instead
  document.addEventListener("htmx:responseError", function (evt) {
    var xhr = evt.detail.xhr;
    var text = "请求失败（HTTP " + xhr.status + "）";
    try {
      var doc = new DOMParser().parseFromString(xhr.responseText, "text/html");
      var msg = doc.querySelector(".msg.error");
      if (msg) { text = msg.textContent; }
    } catch (e) { /* keep the generic text */ }
    var flash = document.getElementById("flash");
    if (!flash) {
      flash = document.createElement("p");
      flash.id = "flash";
      flash.className = "msg error";
      var main = document.getElementById("main");
      main.insertBefore(flash, main.firstChild);
    }
    flash.textContent = text;
  });
  // A typed note outlives an expired session: kept per page and form in this tab's sessionStorage until the
  // form is sent successfully, and put back when the page is shown again after logging in.
  var NOTES = "textarea[name], input[name=note]";
  function draftKey(el) {
    var f = el.form;
    var action = f ? (f.getAttribute("hx-post") || f.getAttribute("action") || "") : "";
    return "zx-draft " + location.pathname + location.search + " " + action + " " + el.name;
  }
  function restore(root) {
    root.querySelectorAll(NOTES).forEach(function (el) {
      var kept = sessionStorage.getItem(draftKey(el));
      if (kept !== null && !el.value) { el.value = kept; }
    });
  }
  document.addEventListener("input", function (evt) {
    var el = evt.target;
    if (el.matches && el.matches(NOTES)) { sessionStorage.setItem(draftKey(el), el.value); }
  });
  document.addEventListener("htmx:afterRequest", function (evt) {
    var elt = evt.detail.elt;
    if (evt.detail.successful && elt && elt.querySelectorAll) {
      elt.querySelectorAll(NOTES).forEach(function (el) { sessionStorage.removeItem(draftKey(el)); });
    }
  });
  // Period presets (_period.html): picking 本月 … 上年同期 asks at once (the server remembers it for every page);
  // typing a date means 自定义. Tables (_table.html): a new page size asks at once.
  document.addEventListener("change", function (evt) {
    var el = evt.target;
    if (!el.matches) { return; }
    if (el.matches("select.period-preset") && el.value !== "custom" && el.form) {
      el.form.requestSubmit();
    } else if (el.matches("form.period input[type=date]")) {
      var preset = el.form.querySelector("select.period-preset");
      if (preset) { preset.value = "custom"; }
    } else if (el.matches("select.tsize") && el.form) {
      el.form.requestSubmit();
    }
  });
  document.addEventListener("DOMContentLoaded", function () { draw(document); restore(document); });
  document.addEventListener("htmx:afterSettle", function (evt) { draw(evt.target); restore(evt.target); });
  window.addEventListener("resize", function () {
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var c = window.echarts && echarts.getInstanceByDom(el);
      if (c) { c.resize(); }
    });
  });
})();
