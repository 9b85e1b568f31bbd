/*
 * hiplab guided session in the browser (loaded by /me/session; no framework, no network
 * except the final POST).
 *
 * Without JavaScript the page is a checklist form (#session-checklist) posted to
 * /me/session. This script hides it and runs the same timed steps as `hiplab session`:
 * the server puts them in <script type="application/json" id="session-data"> (see
 * hiplab.services.programmes.session_script: items, and steps with kind get_ready | work |
 * rest | switch, seconds, item index, set, side, reps, label, cue). Only work seconds
 * count as done; an item is "done" when every work step ran to its end, "skipped" when
 * Skip left it unfinished, "partial" when some work was done, else "not_reached" (as
 * hiplab.session.engine).
 *
 * Stable hooks for tests (each element also has data-testid equal to its id):
 *   #session-player   the player section; data-api (POST URL), data-csrf (sent as
 *                     X-CSRF-Token), data-speed (time scale), data-log-url; gets
 *                     data-kind (current step kind) and data-state
 *                     (ready | running | paused | finished | saved)
 *   #session-step     the current step's description (aria-live polite)
 *   #session-timer    seconds left in the step as M:SS (role=timer, aria-live polite)
 *   #session-rep      "Rep n of N" during a repetition step
 *   #session-next     what comes next
 *   #session-how      the current exercise's steps
 *   #session-items    one <li data-index> per item; class current/done/skipped
 *   #session-start, #session-pause (aria-pressed), #session-skip, #session-end,
 *   #session-mute (aria-pressed; remembered in localStorage "hiplab.voiceMuted")
 *   #session-finish   the end form: #session-discomfort, #session-effort (0-10, blank =
 *                     none), #session-save; #session-result shows the outcome
 *   #session-use-checklist  shows the checklist form again
 *
 * Time scale: the page URL's ?speed=N (0.01 to 1000) arrives as data-speed; the clock
 * then runs N times faster (tests use e.g. ?speed=50). Voice: window.speechSynthesis
 * when the browser has it; a step's cue interrupts what is being said, countdown numbers
 * (3, 2, 1 before a step ends) are dropped while something is being said.
 */
(function () {
  "use strict";

  var root = document.getElementById("session-player");
  var source = document.getElementById("session-data");
  if (!root || !source) {
    return;
  }
  var data = JSON.parse(source.textContent);
  var steps = data.steps;
  var items = data.items;
  var speed = parseFloat(root.getAttribute("data-speed")) || 1;
  var MUTE_KEY = "hiplab.voiceMuted";
  var FRAME_MS = 100;
  var COUNTDOWN_FROM = 3;
  var EPSILON = 1e-9;

  function $(id) {
    return document.getElementById(id);
  }
  var ui = {
    step: $("session-step"),
    timer: $("session-timer"),
    rep: $("session-rep"),
    next: $("session-next"),
    how: $("session-how"),
    items: $("session-items"),
    start: $("session-start"),
    pause: $("session-pause"),
    skip: $("session-skip"),
    end: $("session-end"),
    mute: $("session-mute"),
    finish: $("session-finish"),
    save: $("session-save"),
    result: $("session-result"),
    discomfort: $("session-discomfort"),
    effort: $("session-effort"),
    checklist: $("session-checklist"),
    useChecklist: $("session-use-checklist")
  };

  var state = {
    elapsed: steps.map(function () { return 0; }),
    skipped: items.map(function () { return false; }),
    index: 0,
    paused: false,
    quit: false,
    running: false,
    startedAt: null,
    finishedAt: null,
    last: null,
    frame: null,
    shownSecond: null,
    shownRep: null
  };

  // ------------------------------------------------------------------ voice
  var synth = "speechSynthesis" in window ? window.speechSynthesis : null;
  var muted = false;
  try {
    muted = window.localStorage.getItem(MUTE_KEY) === "1";
  } catch (e) {
    muted = false; // storage blocked: start unmuted, do not remember
  }

  function say(text, interrupt) {
    if (!synth || muted || !text) {
      return;
    }
    if (synth.speaking || synth.pending) {
      if (!interrupt) {
        return;
      }
      synth.cancel();
    }
    synth.speak(new window.SpeechSynthesisUtterance(text));
  }

  function showMute() {
    ui.mute.setAttribute("aria-pressed", muted ? "true" : "false");
    ui.mute.textContent = muted ? "Unmute voice" : "Mute voice";
    if (!synth) {
      ui.mute.disabled = true;
      ui.mute.textContent = "No voice in this browser";
    }
  }

  function toggleMute() {
    muted = !muted;
    try {
      window.localStorage.setItem(MUTE_KEY, muted ? "1" : "0");
    } catch (e) {
      // storage blocked: the choice holds for this page only
    }
    if (muted && synth) {
      synth.cancel();
    }
    showMute();
  }

  // ----------------------------------------------------------------- engine
  function finished() {
    return state.quit || state.index >= steps.length;
  }

  function firstStepOf(item) {
    for (var i = 0; i < steps.length; i += 1) {
      if (steps[i].item === item) { return i; }
    }
    return steps.length;
  }

  function lastStepOf(item) {
    var last = -1;
    for (var i = 0; i < steps.length; i += 1) {
      if (steps[i].item === item) { last = i; }
    }
    return last;
  }

  function itemComplete(item) {
    for (var i = 0; i < steps.length; i += 1) {
      var s = steps[i];
      if (s.item === item && s.kind === "work" && state.elapsed[i] < s.seconds) {
        return false;
      }
    }
    return true;
  }

  function doneSeconds(item) {
    var total = 0;
    for (var i = 0; i < steps.length; i += 1) {
      if (steps[i].item === item && steps[i].kind === "work") { total += state.elapsed[i]; }
    }
    return total;
  }

  function status(item) {
    if (itemComplete(item)) { return "done"; }
    if (state.skipped[item]) { return "skipped"; }
    return doneSeconds(item) > 0 ? "partial" : "not_reached";
  }

  function startStep() {
    if (finished()) {
      end(false);
      return;
    }
    state.elapsed[state.index] = 0;
    var step = steps[state.index];
    say(step.cue, true);
    show(true);
  }

  function advance(dt) {
    // Run the current step for up to dt seconds; return the seconds left over.
    var step = steps[state.index];
    var before = state.elapsed[state.index];
    var remaining = step.seconds - before;
    var after = dt + EPSILON >= remaining ? step.seconds : before + dt;
    var left = dt + EPSILON >= remaining ? Math.max(0, dt - remaining) : 0;
    state.elapsed[state.index] = after;
    for (var n = COUNTDOWN_FROM; n >= 1; n -= 1) {
      var at = step.seconds - n;
      if (n < step.seconds && before < at && at <= after) {
        say(String(n), false);
      }
    }
    if (after >= step.seconds) {
      state.index += 1;
      startStep();
    }
    return left;
  }

  function tick(dt) {
    var left = dt;
    while (left > 0 && !finished() && state.running) {
      left = advance(left);
    }
  }

  function frame() {
    var now = window.performance.now();
    if (state.last !== null && !state.paused) {
      tick(((now - state.last) / 1000) * speed);
    }
    state.last = now;
    if (state.running) {
      show(false);
    }
  }

  // --------------------------------------------------------------- display
  function clock(seconds) {
    var whole = Math.max(0, Math.ceil(seconds - EPSILON));
    var secs = whole % 60;
    return Math.floor(whole / 60) + ":" + (secs < 10 ? "0" : "") + secs;
  }

  function showItems() {
    var current = finished() ? -1 : steps[state.index].item;
    var rows = ui.items.querySelectorAll("li[data-index]");
    for (var i = 0; i < rows.length; i += 1) {
      var index = Number(rows[i].getAttribute("data-index"));
      var st = status(index);
      var label = index === current ? "now" : (st === "done" ? "done" : (st === "skipped" ? "skipped" : (st === "partial" ? "partly done" : "to do")));
      rows[i].className = index === current ? "current" : st;
      rows[i].querySelector(".state").textContent = label;
      if (index === current) { rows[i].setAttribute("aria-current", "step"); } else { rows[i].removeAttribute("aria-current"); }
    }
  }

  function showHow(item) {
    ui.how.textContent = "";
    (items[item].how || []).forEach(function (text) {
      var li = document.createElement("li");
      li.textContent = text;
      ui.how.appendChild(li);
    });
  }

  function show(stepChanged) {
    if (finished()) {
      return;
    }
    var step = steps[state.index];
    var remaining = step.seconds - state.elapsed[state.index];
    var second = Math.ceil(remaining - EPSILON);
    if (stepChanged) {
      root.setAttribute("data-kind", step.kind);
      ui.step.textContent = step.label;
      var nextStep = steps[state.index + 1];
      ui.next.textContent = "Next: " + (nextStep ? nextStep.label : "finish");
      showHow(step.item);
      showItems();
      state.shownSecond = null;
      state.shownRep = null;
    }
    if (second !== state.shownSecond) {
      ui.timer.textContent = clock(remaining);
      state.shownSecond = second;
    }
    var rep = "";
    if (step.kind === "work" && step.reps) {
      var perRep = step.seconds / step.reps;
      rep = "Rep " + Math.min(step.reps, Math.floor(state.elapsed[state.index] / perRep) + 1) + " of " + step.reps;
    }
    if (rep !== state.shownRep) {
      ui.rep.textContent = rep;
      state.shownRep = rep;
    }
  }

  // -------------------------------------------------------------- controls
  function setState(name) {
    root.setAttribute("data-state", name);
  }

  function start() {
    state.running = true;
    state.startedAt = new Date().toISOString();
    state.last = window.performance.now();
    ui.start.disabled = true;
    ui.pause.disabled = false;
    ui.skip.disabled = false;
    ui.end.disabled = false;
    setState("running");
    startStep();
    state.frame = window.setInterval(frame, FRAME_MS);
    ui.pause.focus();
  }

  function togglePause() {
    state.paused = !state.paused;
    state.last = window.performance.now();
    ui.pause.setAttribute("aria-pressed", state.paused ? "true" : "false");
    ui.pause.textContent = state.paused ? "Resume" : "Pause";
    setState(state.paused ? "paused" : "running");
    if (state.paused) {
      if (synth) { synth.cancel(); }
      ui.step.textContent = "Paused: " + steps[state.index].label;
    } else {
      ui.step.textContent = steps[state.index].label;
    }
  }

  function skip() {
    if (finished()) { return; }
    var item = steps[state.index].item;
    if (!itemComplete(item)) { state.skipped[item] = true; }
    state.index = lastStepOf(item) + 1;
    if (state.paused) { togglePause(); }
    startStep();
  }

  function end(early) {
    if (state.finishedAt) { return; }
    state.quit = state.quit || early;
    state.running = false;
    state.finishedAt = new Date().toISOString();
    window.clearInterval(state.frame);
    ui.start.disabled = true;
    ui.pause.disabled = true;
    ui.skip.disabled = true;
    ui.end.disabled = true;
    root.removeAttribute("data-kind");
    setState("finished");
    ui.timer.textContent = clock(0);
    ui.rep.textContent = "";
    ui.next.textContent = "";
    ui.how.textContent = "";
    ui.step.textContent = early ? "Session ended early. What you did is saved with it." : "Session finished. Well done!";
    showItems();
    say(early ? "Session ended" : "Done", true);
    ui.finish.hidden = false;
    ui.finish.querySelector("h3").focus();
  }

  // ------------------------------------------------------------------ save
  function score(input) {
    var text = input.value.trim();
    return text === "" ? null : Number(text);
  }

  function message(detail) {
    if (typeof detail === "string") { return detail; }
    if (Array.isArray(detail)) {
      return detail.map(function (d) { return (d.loc || []).slice(1).join(".") + ": " + d.msg; }).join("; ");
    }
    return "the session could not be saved";
  }

  function save(event) {
    event.preventDefault();
    var body = {
      plan_id: data.plan_id,
      week: data.week,
      started_at: state.startedAt,
      finished_at: state.finishedAt,
      items: items.map(function (_item, index) {
        return { status: status(index), done_s: doneSeconds(index) };
      }),
      discomfort: score(ui.discomfort),
      effort: score(ui.effort),
      quit_early: state.quit
    };
    ui.save.disabled = true;
    ui.result.textContent = "Saving…";
    window.fetch(root.getAttribute("data-api"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": root.getAttribute("data-csrf") },
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().then(function (json) { return { ok: response.ok, json: json }; });
    }).then(function (answer) {
      if (!answer.ok) {
        throw new Error(message(answer.json.detail));
      }
      setState("saved");
      ui.result.textContent = "Saved: " + Math.round(answer.json.completion * 100) + "% of the planned time done. ";
      var link = document.createElement("a");
      link.href = root.getAttribute("data-log-url");
      link.textContent = "See your session log";
      ui.result.appendChild(link);
    }).catch(function (error) {
      ui.save.disabled = false;
      ui.result.textContent = "Not saved: " + error.message;
    });
  }

  // ------------------------------------------------------------------ start
  ui.checklist.hidden = true;
  root.hidden = false;
  root.setAttribute("data-state", "ready");
  showMute();
  ui.timer.textContent = clock(steps.length ? steps[0].seconds : 0);
  ui.start.addEventListener("click", start);
  ui.pause.addEventListener("click", togglePause);
  ui.skip.addEventListener("click", skip);
  ui.end.addEventListener("click", function () { end(true); });
  ui.mute.addEventListener("click", toggleMute);
  ui.finish.addEventListener("submit", save);
  ui.useChecklist.addEventListener("click", function () {
    ui.checklist.hidden = false;
    ui.checklist.querySelector("input[type=checkbox]").focus();
  });
  if (!steps.length) {
    ui.start.disabled = true;
  }
})();
