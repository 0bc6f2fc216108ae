// Filters for the episode drill-down; the page works without them.
(function () {
  document.querySelectorAll("form.filters").forEach(function (f) {
    var sec = f.closest("section");
    f.hidden = false;
    function apply() {
      var q = f.elements.q.value.trim().toLowerCase();
      var fin = f.elements.final.value, v = f.elements.verdict.value;
      var shown = 0, total = 0;
      sec.querySelectorAll("details.problem").forEach(function (p) {
        var any = false, pm = p.dataset.problem.toLowerCase().indexOf(q) >= 0;
        p.querySelectorAll("details.episode").forEach(function (e) {
          total++;
          var ok = pm && (!fin || e.dataset.final === fin) &&
            (!v || (" " + e.dataset.verdicts + " ").indexOf(" " + v + " ") >= 0);
          e.hidden = !ok;
          if (ok) { any = true; shown++; }
        });
        p.hidden = !any;
      });
      f.querySelector(".count").textContent = shown + " of " + total + " episodes shown";
    }
    f.addEventListener("input", apply);
    f.addEventListener("change", apply);
    f.addEventListener("submit", function (ev) { ev.preventDefault(); });
    f.querySelectorAll("button[data-open]").forEach(function (b) {
      b.addEventListener("click", function () {
        var open = b.dataset.open === "1";
        sec.querySelectorAll("details.problem").forEach(function (p) { if (!p.hidden) p.open = open; });
      });
    });
    apply();
  });
})();
// Layout facts for automated checks: each chart's rendered size and
// marks, and the size of the first episode when opened.
(function () {
  var facts = { charts: [], episodes: document.querySelectorAll("details.episode").length };
  document.querySelectorAll("svg.chart").forEach(function (s) {
    var r = s.getBoundingClientRect();
    facts.charts.push({ id: s.dataset.chart, w: Math.round(r.width), h: Math.round(r.height),
      marks: s.querySelectorAll("rect, circle, polyline, polygon, line").length });
  });
  var p = document.querySelector("details.problem"), e = p && p.querySelector("details.episode");
  if (e) {
    var po = p.open, eo = e.open;
    p.open = true; e.open = true;
    var r = e.getBoundingClientRect();
    facts.firstEpisode = { w: Math.round(r.width), h: Math.round(r.height),
      turns: e.querySelectorAll(".turn").length, diffs: e.querySelectorAll("table.diff").length };
    p.open = po; e.open = eo;
  }
  document.body.setAttribute("data-layout", JSON.stringify(facts));
})();
