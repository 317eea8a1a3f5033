/* The dashboard's charts: reads the figures from the json_script block "dashboard-charts" (no
   inline script under the Content-Security-Policy) and draws one ECharts bar chart per tile
   into its [data-chart] box. Charts follow the box's width (phone first) on resize. */
(function () {
  "use strict";

  var source = document.getElementById("dashboard-charts");
  if (!source || typeof window.echarts === "undefined") return;
  var specs = JSON.parse(source.textContent || "{}");
  var charts = [];
  var COLOURS = ["#c0392b", "#e6a23c", "#2f7ed8", "#67c23a"];

  function number(value) {
    return value === null || value === undefined ? null : Number(value);
  }

  function options(spec) {
    var many = spec.categories.length > 6;
    var series = spec.series.map(function (s) {
      return {
        name: s.name,
        type: "bar",
        stack: spec.stacked ? "all" : undefined,
        data: s.data.map(number),
        label: {
          show: !many,
          position: spec.stacked ? "inside" : "right",
          // Zero segments of a stacked bar carry no label (a "0" would sit on the axis).
          formatter: function (p) {
            if (p.value === null || (spec.stacked && !p.value)) return "";
            return spec.percent ? p.value + "%" : String(p.value);
          }
        },
        barMaxWidth: 28
      };
    });
    return {
      color: COLOURS,
      animation: false,
      grid: { left: 8, right: 36, top: spec.series.length > 1 ? 28 : 8, bottom: 8, containLabel: true },
      legend: spec.series.length > 1 ? { top: 0, itemWidth: 12, itemHeight: 8 } : undefined,
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      xAxis: { type: "value", max: spec.percent ? 100 : undefined, minInterval: 1 },
      yAxis: {
        type: "category",
        inverse: true,
        data: spec.categories,
        axisLabel: { width: 110, overflow: "truncate" }
      },
      series: series
    };
  }

  document.querySelectorAll("[data-chart]").forEach(function (box) {
    var spec = specs[box.getAttribute("data-chart")];
    if (!spec || !spec.categories || !spec.categories.length) return;
    // A percentage of 0 says something (no branch regular); a count of 0 or no value at all
    // leaves nothing to draw.
    var anything = spec.series.some(function (s) {
      return s.data.some(function (v) {
        var n = number(v);
        return n !== null && (spec.percent || n > 0);
      });
    });
    if (!anything) {
      // Nothing to draw (no hours, no spending yet): the figures above already say 0.
      box.hidden = true;
      box.setAttribute("data-drawn", "empty");
      return;
    }
    var legend = spec.series.length > 1 ? 28 : 8;
    box.style.height = Math.max(140, legend + 16 + spec.categories.length * 30) + "px";
    box.style.width = "100%";
    var chart = window.echarts.init(box, null, { renderer: "svg" });
    chart.setOption(options(spec));
    box.setAttribute("data-drawn", "1");
    charts.push(chart);
  });

  var pending = null;
  window.addEventListener("resize", function () {
    if (pending) window.clearTimeout(pending);
    pending = window.setTimeout(function () {
      charts.forEach(function (chart) { chart.resize(); });
    }, 100);
  });
})();
