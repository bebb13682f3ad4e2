// Live updates: reload the page's data when the store or the alert state changes.
(function () {
  if (!window.EventSource || document.body.dataset.live === "off") return;
  var source = new EventSource("/api/v1/events");
  source.addEventListener("change", function (e) {
    var status = JSON.parse(e.data);
    var banner = document.getElementById("live");
    if (banner) banner.textContent = "new data: " + (status.last_date || "") + ", reloading";
    // Pages pinned to an as-of date show history: they do not change with new data.
    if (!new URLSearchParams(location.search).get("as_of")) location.reload();
  });
  window.addEventListener("beforeunload", function () { source.close(); });
})();

// Draw every chart whose figure the page embedded as JSON.
function drawCharts() {
  if (!window.Plotly) return;
  document.querySelectorAll("script[type='application/json'][data-chart]").forEach(function (s) {
    var fig = JSON.parse(s.textContent);
    var target = document.getElementById(s.dataset.chart);
    var config = {displaylogo: false, responsive: true, staticPlot: !!fig.static};
    Plotly.newPlot(target, fig.data, fig.layout || {}, config).then(function () {
      if (fig.frames && fig.frames.length) Plotly.addFrames(target, fig.frames);
    });
  });
}
drawCharts();
