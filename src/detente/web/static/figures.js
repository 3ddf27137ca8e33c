// detente web app: draw each figure of a run's page with plotly.js.
// The page carries every figure as data, never as script: a <div data-figure="ID">
// names the <script type="application/json" id="ID"> block that holds the figure's
// data, layout and config. Nothing here is evaluated as code, so the page's
// Content-Security-Policy can allow scripts from the app's own files only.
"use strict";

function drawFigures() {
  if (typeof window.Plotly !== "object") {
    return;
  }
  document.querySelectorAll("div[data-figure]").forEach((div) => {
    const block = document.getElementById(div.dataset.figure);
    if (!block || div.dataset.drawn === "yes") {
      return;
    }
    const figure = JSON.parse(block.textContent);
    div.dataset.drawn = "yes";
    window.Plotly.newPlot(div, figure.data, figure.layout, figure.config);
  });
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", drawFigures);
} else {
  drawFigures();
}
