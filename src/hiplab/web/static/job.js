// Progress of a queued or running job: polls its API URL and reloads the page when it ends.
// Without JavaScript the page refreshes itself every few seconds (<noscript> meta refresh).
(function () {
  "use strict";
  var box = document.querySelector("[data-job-poll]");
  if (!box || !window.fetch) { return; }
  var url = box.getAttribute("data-job-poll");
  var bar = box.querySelector("progress");
  var state = box.querySelector(".job-state");
  var percent = box.querySelector(".job-percent");
  var words = { queued: "waiting in the queue", running: "analysing" };

  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      })
      .then(function (job) {
        if (job.state === "done" || job.state === "failed") {
          window.location.reload();
          return;
        }
        bar.value = job.progress;
        percent.textContent = Math.round(100 * job.progress) + " %";
        if (state.textContent !== words[job.state]) { state.textContent = words[job.state]; }
        window.setTimeout(poll, 1500);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }

  window.setTimeout(poll, 1000);
}());
