// The audit page's charts, drawn with Chart.js from the figures the page carries in
// data-chart (the same figures as the tables beside them, which stay the accessible version).
(function () {
  "use strict";
  var box = document.getElementById("audit-charts");
  if (!box || typeof window.Chart === "undefined") { return; }
  var data = JSON.parse(box.getAttribute("data-chart"));
  var COLOURS = {TR: "#c8102e", AZ: "#0b5c8e"};
  var common = {responsive: true, maintainAspectRatio: false, animation: false,
                plugins: {legend: {position: "bottom"}}};
  var charts = {};
  var months = document.getElementById("chart-months");
  if (months) {
    charts.months = new window.Chart(months, {type: "bar", data: {labels: data.months, datasets:
      data.countries.map(function (c) {
        return {label: c.label, data: c.uses, backgroundColor: COLOURS[c.code] || "#5f6b7a"};
      })}, options: Object.assign({}, common, {scales: {x: {stacked: true}, y: {stacked: true, beginAtZero: true,
        title: {display: true, text: data.labels.uses}}}})});
  }
  var top = document.getElementById("chart-top");
  if (top) {
    charts.top = new window.Chart(top, {type: "bar", data: {labels: data.top.labels, datasets: [
      {label: data.labels.uses, data: data.top.uses, backgroundColor: "#2f6f4f"}]},
      options: Object.assign({}, common, {indexAxis: "y", scales: {x: {beginAtZero: true}}})});
  }
  var platforms = document.getElementById("chart-platforms");
  if (platforms) {
    charts.platforms = new window.Chart(platforms, {type: "doughnut", data: {labels: data.platforms.labels,
      datasets: [{label: data.labels.uses, data: data.platforms.uses,
                  backgroundColor: ["#0b5c8e", "#c8102e", "#2f6f4f", "#b8860b", "#6a3d9a", "#5f6b7a", "#1b9e77", "#999"]}]},
      options: common});
  }
  window.ortakCharts = charts;
}());
