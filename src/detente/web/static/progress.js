// detente web app: the progress bar of a run that is going on.
// The run's page carries <div id="run-running" data-url="/runs/N/progress">; this asks
// that address every second how far the run has got (the step, the share done, an
// estimate of the time left, or that the run is taking longer than estimated) and
// shows it; when the run has ended it reloads the page,
// which then shows the results. Without scripts the page reloads itself instead.
"use strict";

(function () {
  const box = document.getElementById("run-running");
  if (!box || !box.dataset.url) {
    return;
  }
  const bar = document.getElementById("progress-bar");
  const step = document.getElementById("progress-step");
  const estimate = document.getElementById("progress-estimate");
  const POLL = 1000;

  function seconds(value) {
    const s = Math.max(1, Math.round(value));
    if (s < 90) {
      return `${s} s`;
    }
    return `${Math.round(s / 60)} min`;
  }

  function show(progress) {
    let text = progress.step || "waiting for a worker";
    if (progress.scenario) {
      text += ` (scenario ${progress.scenario})`;
    }
    if (progress.total > 1) {
      text += `, step ${Math.min(progress.done + 1, progress.total)} of ${progress.total}`;
    }
    step.textContent = text;
    if (typeof progress.fraction === "number") {
      bar.value = progress.fraction;
      bar.textContent = `${Math.round(100 * progress.fraction)} %`;
    } else {
      bar.removeAttribute("value"); // a bar that moves without saying how far
    }
    if (progress.overrun) {
      // past the estimate: no time left that no longer holds
      estimate.textContent = `Taking longer than estimated (${seconds(progress.elapsed)} so far).`;
    } else if (typeof progress.remaining === "number") {
      estimate.textContent = `About ${seconds(progress.remaining)} left (${seconds(progress.elapsed)} so far).`;
    } else {
      estimate.textContent = `${seconds(progress.elapsed)} so far.`;
    }
  }

  async function poll() {
    let progress;
    try {
      const answer = await fetch(box.dataset.url, {
        headers: { accept: "application/json" },
        cache: "no-store",
      });
      progress = await answer.json();
    } catch (error) {
      window.setTimeout(poll, 3 * POLL); // the server is busy or restarting: try again
      return;
    }
    if (progress.status !== "running") {
      window.location.reload();
      return;
    }
    show(progress);
    if (progress.error) {
      estimate.textContent = `(${progress.error})`;
      return;
    }
    window.setTimeout(poll, POLL);
  }

  window.setTimeout(poll, POLL / 2);
})();
