// detente web app: while an analysis runs, say so on the form that started it.
// Analyses answer only when they are done (a large forecast takes seconds), so a form
// marked data-running disables its button and shows the running message once sent;
// coming back to the page (the browser's back button) makes it usable again.
"use strict";

function markRunning(form) {
  if (form.dataset.busy === "yes") {
    return false; // sent already: a second click would start a second run
  }
  form.dataset.busy = "yes";
  form.setAttribute("aria-busy", "true");
  const button = form.querySelector("button[type=submit]");
  if (button) {
    button.dataset.label = button.textContent;
    button.textContent = "Running…";
    button.classList.add("running");
    button.setAttribute("aria-disabled", "true");
  }
  const status = form.querySelector(".run-status");
  if (status) {
    status.textContent = form.dataset.running;
  }
  return true;
}

function reset(form) {
  delete form.dataset.busy;
  form.removeAttribute("aria-busy");
  const button = form.querySelector("button[type=submit]");
  if (button && button.dataset.label !== undefined) {
    button.textContent = button.dataset.label;
    button.classList.remove("running");
    button.removeAttribute("aria-disabled");
  }
  const status = form.querySelector(".run-status");
  if (status) {
    status.textContent = "";
  }
}

document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || form.dataset.running === undefined) {
    return;
  }
  if (!markRunning(form)) {
    event.preventDefault();
  }
});

window.addEventListener("pageshow", (event) => {
  if (event.persisted) {
    document.querySelectorAll("form[data-running]").forEach(reset);
  }
});

// A samples field (data-base, data-per-sample: seconds without samples and per sample,
// from this case's last runs or the measured figures) says, as its number is typed, how
// long the run should take with that many samples, in the element data-estimate names.
function showSamplesEstimate(input) {
  const out = document.getElementById(input.dataset.estimate || "");
  if (!out) {
    return;
  }
  const samples = Math.round(Number(input.value));
  const base = Number(input.dataset.base);
  const perSample = Number(input.dataset.perSample);
  if (!(samples > 0) || !Number.isFinite(base) || !Number.isFinite(perSample)) {
    out.textContent = "";
    return;
  }
  const total = base + perSample * samples;
  const said = total < 10 ? `${total.toFixed(1)} s` : total < 90 ? `${Math.round(total)} s` : `${Math.round(total / 60)} min`;
  out.textContent = `With ${samples.toLocaleString("en")} samples: about ${said} (longer while the server is busy).`;
}

document.addEventListener("input", (event) => {
  const input = event.target;
  if (input instanceof HTMLInputElement && input.dataset.perSample !== undefined) {
    showSamplesEstimate(input);
  }
});

document.querySelectorAll("input[data-per-sample]").forEach(showSamplesEstimate);
