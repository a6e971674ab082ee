// The project page's charts, drawn with Chart.js from the figures the page carries in
// data-chart (the same figures as the tables beside them, which stay the accessible version).
(function () {
  "use strict";
  var box = document.getElementById("charts");
  if (!box || typeof window.Chart === "undefined") { return; }
  var data = JSON.parse(box.getAttribute("data-chart"));
  var L = data.labels;
  // One colour per country, distinguishable without colour too (solid/dashed lines, hatched pending).
  var COLOURS = {TR: "#c8102e", AZ: "#0b5c8e"};
  function colour(code, alpha) {
    var hex = COLOURS[code] || "#5f6b7a";
    var n = parseInt(hex.slice(1), 16);
    return "rgba(" + (n >> 16) + "," + ((n >> 8) & 255) + "," + (n & 255) + "," + alpha + ")";
  }
  // locale: the axes' numbers as the page's language writes them (Chart.js formats with Intl).
  var common = {responsive: true, maintainAspectRatio: false, animation: false,
                locale: document.documentElement.lang || "tr", plugins: {legend: {position: "bottom"}}};
  var charts = {};
  var monthly = document.getElementById("chart-monthly");
  if (monthly) {
    var sets = [];
    data.countries.forEach(function (c) {
      sets.push({label: c.label + " · " + L.confirmed, data: c.confirmed, stack: c.code,
                 backgroundColor: colour(c.code, 0.85)});
      sets.push({label: c.label + " · " + L.pending, data: c.pending, stack: c.code,
                 backgroundColor: colour(c.code, 0.3), borderColor: colour(c.code, 1), borderWidth: 1});
    });
    charts.monthly = new window.Chart(monthly, {type: "bar", data: {labels: data.months, datasets: sets},
      options: Object.assign({}, common, {scales: {x: {stacked: true}, y: {stacked: true, title: {display: true, text: data.currency}}}})});
  }
  var share = document.getElementById("chart-share");
  if (share) {
    var lines = [];
    data.countries.forEach(function (c) {
      lines.push({label: c.label, data: c.cumulative_share, borderColor: colour(c.code, 1),
                  backgroundColor: colour(c.code, 1), spanGaps: true});
      lines.push({label: c.label + " · " + L.agreed, data: data.months.map(function () { return c.agreed; }),
                  borderColor: colour(c.code, 0.6), borderDash: [6, 4], pointRadius: 0});
    });
    charts.share = new window.Chart(share, {type: "line", data: {labels: data.months, datasets: lines},
      options: Object.assign({}, common, {scales: {y: {min: 0, max: 100, title: {display: true, text: L.share}}}})});
  }
  var budget = document.getElementById("chart-budget");
  if (budget) {
    charts.budget = new window.Chart(budget, {type: "bar", data: {labels: data.budget.labels, datasets: [
      {label: L.planned, data: data.budget.planned, backgroundColor: "rgba(95,107,122,0.5)"},
      {label: L.actual, data: data.budget.actual, backgroundColor: "rgba(29,122,70,0.85)"}]},
      options: Object.assign({}, common, {scales: {y: {title: {display: true, text: data.currency}}}})});
  }
  // For tests and curious readers: what was drawn.
  window.ortakCharts = charts;
  box.setAttribute("data-drawn", "1");
}());
