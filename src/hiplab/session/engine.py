"""The guided-session timer: a pure, deterministic state machine.

The engine knows no clock. Whoever drives it (the terminal UI, a test) calls
:meth:`SessionEngine.tick` with the seconds that passed, so a session can run at
any speed and every answer can be worked out by hand.

Conventions
-----------
* A session is a flat list of :class:`Step`. Each item contributes, in order: a
  ``get_ready`` countdown (``get_ready_s``, to get into position), then for each
  side it names: a ``work`` step per set with a ``rest`` step (the item's
  ``rest_s``) between sets. An item done on ``"both"`` sides does every set on the
  left, a ``switch`` step (``switch_s``), then every set on the right. No rest
  follows the last set. Steps of zero seconds are left out.
* A one-side item that directly follows the same exercise on the other side (how
  a plan gives one side an extra set) starts with a ``switch`` step instead of a
  ``get_ready`` one: the person is already in position.
* A ``work`` step lasts ``hold_s`` for a hold, or ``reps`` times the item kind's
  seconds per repetition (``tempo_by_kind``, else ``tempo_s``).
* This is the timing model of :mod:`hiplab.plan.dosage`: with ``get_ready_s =
  SETUP_S``, ``switch_s = SWITCH_S`` and ``tempo_by_kind = REP_SECONDS`` an item's
  steps add up to its planned ``duration_s``.
* Only ``work`` seconds count as done. An item's planned seconds are the sum of its
  work steps; its done seconds never exceed them.
* Paused time never counts: :meth:`SessionEngine.tick` does nothing while paused.
* Item status in :meth:`SessionEngine.log`: ``done`` (every work step completed),
  ``skipped`` (the person skipped it before completing it), ``partial`` (some work
  done, then the session ended), ``not_reached`` (no work done, session ended).

Examples
--------
>>> from hiplab.records.programme import PlanItem
>>> item = PlanItem(exercise_id="bridge", name="Bridge", kind="activation",
...     phase="activation", position="supine", side=None, sets=2, hold_s=20,
...     rest_s=10, duration_s=55)
>>> engine = SessionEngine((item,), get_ready_s=5)
>>> [(s.kind, s.duration_s) for s in engine.steps]
[('get_ready', 5.0), ('work', 20.0), ('rest', 10.0), ('work', 20.0)]
>>> _ = engine.tick(30.0)
>>> engine.current_step.kind, engine.remaining_s
('rest', 5.0)
>>> engine.done_s
(20.0,)

"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from hiplab.errors import InputError
from hiplab.records.programme import ItemLog, PlanItem

StepKind = Literal["get_ready", "work", "rest", "switch"]
Side = Literal["left", "right"]
EventKind = Literal[
    "step_started",
    "countdown",
    "halfway",
    "step_finished",
    "item_finished",
    "session_finished",
]
ItemStatus = Literal["done", "partial", "skipped", "not_reached"]

COUNTDOWN_FROM = 3
"""Countdown events are emitted as the remaining time crosses 3, 2 and 1 seconds."""

_EPSILON = 1e-9


@dataclass(frozen=True)
class Step:
    """One timed step of a session.

    Attributes
    ----------
    kind : {"get_ready", "work", "rest", "switch"}
        What the person does.
    item_index : int
        Index of the item the step belongs to (``get_ready`` belongs to the item it
        introduces).
    duration_s : float
        Length of the step in seconds (> 0).
    set_no : int
        The set (1-based) this step is in or leads to.
    sets : int
        The item's number of sets.
    side : {"left", "right"} or None
        The side worked (or about to be worked); None for a bilateral item.
    reps : int or None
        Repetitions to do in a ``work`` step of a rep-based item, else None.

    """

    kind: StepKind
    item_index: int
    duration_s: float
    set_no: int
    sets: int
    side: Side | None = None
    reps: int | None = None


@dataclass(frozen=True)
class Event:
    """Something that happened while the session advanced.

    Attributes
    ----------
    kind : str
        ``step_started``, ``countdown`` (``value`` is 3, 2 or 1), ``halfway`` (work
        steps only), ``step_finished``, ``item_finished`` or ``session_finished``.
    step_index : int or None
        Index in :attr:`SessionEngine.steps` of the step concerned (None for
        ``session_finished``).
    step : Step or None
        That step.
    value : int or None
        The countdown number.

    """

    kind: EventKind
    step_index: int | None = None
    step: Step | None = None
    value: int | None = None


def _sides(item: PlanItem) -> tuple[Side | None, ...]:
    if item.side == "both":
        return ("left", "right")
    if item.side is None:
        return (None,)
    return (item.side,)


def _other_side_of(previous: PlanItem, item: PlanItem) -> bool:
    """Whether ``item`` is ``previous``'s exercise on the other side."""
    return previous.exercise_id == item.exercise_id and {previous.side, item.side} == {
        "left",
        "right",
    }


def work_seconds(item: PlanItem, *, tempo_s: float) -> float:
    """Return the length of one work step of ``item`` (one set on one side).

    ``tempo_s`` is the item's seconds per repetition (unused for a hold).

    Raises
    ------
    InputError
        If the item has neither a positive ``hold_s`` nor positive ``reps``.

    """
    if item.hold_s is not None and item.hold_s > 0:
        return float(item.hold_s)
    if item.reps is not None and item.reps > 0:
        return item.reps * tempo_s
    raise InputError(
        f"plan item {item.exercise_id!r} has hold_s={item.hold_s} and reps={item.reps}; "
        "a guided session needs a positive hold_s or reps"
    )


def build_steps(
    items: Sequence[PlanItem],
    *,
    get_ready_s: float,
    switch_s: float,
    tempo_s: float,
    tempo_by_kind: Mapping[str, float] | None = None,
) -> tuple[Step, ...]:
    """Flatten ``items`` into the session's steps (see the module conventions)."""
    steps: list[Step] = []
    for index, item in enumerate(items):
        work = work_seconds(item, tempo_s=(tempo_by_kind or {}).get(item.kind, tempo_s))
        sides = _sides(item)
        reps = None if item.hold_s else item.reps
        lead: tuple[StepKind, float] = (
            ("switch", switch_s)
            if index > 0 and _other_side_of(items[index - 1], item)
            else ("get_ready", get_ready_s)
        )
        plan: list[tuple[StepKind, float, int, Side | None]] = [(*lead, 1, sides[0])]
        for n, side in enumerate(sides):
            if n > 0:
                plan.append(("switch", switch_s, 1, side))
            for set_no in range(1, item.sets + 1):
                if set_no > 1:
                    plan.append(("rest", item.rest_s, set_no, side))
                plan.append(("work", work, set_no, side))
        steps.extend(
            Step(
                kind,
                index,
                float(seconds),
                set_no,
                item.sets,
                side,
                reps if kind == "work" else None,
            )
            for kind, seconds, set_no, side in plan
            if seconds > 0
        )
    return tuple(steps)


class SessionEngine:
    """Step through a session's items by elapsed time.

    Parameters
    ----------
    items : sequence of PlanItem
        The session's items, in order.
    get_ready_s : float
        Countdown before each item, to get into position (0 leaves it out).
    switch_s : float
        Pause between the two sides of an item done on ``"both"`` sides.
    tempo_s : float
        Seconds per repetition for rep-based items whose kind is not in
        ``tempo_by_kind``.
    tempo_by_kind : Mapping of str to float, optional
        Seconds per repetition by the item's ``kind`` (e.g. ``{"strength": 4}``).

    Raises
    ------
    InputError
        If an item has neither ``hold_s`` nor ``reps``, or a time is negative.

    """

    def __init__(
        self,
        items: Sequence[PlanItem],
        *,
        get_ready_s: float = 5.0,
        switch_s: float = 5.0,
        tempo_s: float = 3.0,
        tempo_by_kind: Mapping[str, float] | None = None,
    ) -> None:
        for name, value in (("get_ready_s", get_ready_s), ("switch_s", switch_s)):
            if value < 0:
                raise InputError(f"{name} must be 0 or more seconds, not {value}")
        tempos = {
            "tempo_s": tempo_s,
            **{f"tempo_by_kind[{k!r}]": v for k, v in (tempo_by_kind or {}).items()},
        }
        for name, value in tempos.items():
            if value <= 0:
                raise InputError(f"{name} must be more than 0 seconds, not {value}")
        self.items = tuple(items)
        self.steps = build_steps(
            self.items,
            get_ready_s=get_ready_s,
            switch_s=switch_s,
            tempo_s=tempo_s,
            tempo_by_kind=tempo_by_kind,
        )
        self._elapsed = [0.0] * len(self.steps)
        self._skipped = [False] * len(self.items)
        self._index = 0
        self._started = False
        self._paused = False
        self._quit = False

    # ----------------------------------------------------------------- state
    @property
    def finished(self) -> bool:
        """Whether the session is over (every step run, or quit)."""
        return self._quit or self._index >= len(self.steps)

    @property
    def paused(self) -> bool:
        """Whether the clock is stopped."""
        return self._paused

    @property
    def quit_early(self) -> bool:
        """Whether the session was ended with :meth:`quit`."""
        return self._quit

    @property
    def step_index(self) -> int:
        """Index of the current step (``len(steps)`` once every step has run)."""
        return self._index

    @property
    def current_step(self) -> Step | None:
        """The step running now, or None when the session is over."""
        return None if self.finished else self.steps[self._index]

    @property
    def current_item(self) -> PlanItem | None:
        """The item of the current step, or None when the session is over."""
        step = self.current_step
        return None if step is None else self.items[step.item_index]

    @property
    def remaining_s(self) -> float:
        """Seconds left in the current step (0 when the session is over)."""
        step = self.current_step
        return 0.0 if step is None else step.duration_s - self._elapsed[self._index]

    @property
    def progress(self) -> float:
        """Fraction of the current step done, 0–1 (1 when the session is over)."""
        step = self.current_step
        return 1.0 if step is None else self._elapsed[self._index] / step.duration_s

    @property
    def done_s(self) -> tuple[float, ...]:
        """Work seconds done per item."""
        done = [0.0] * len(self.items)
        for step, elapsed in zip(self.steps, self._elapsed, strict=True):
            if step.kind == "work":
                done[step.item_index] += elapsed
        return tuple(done)

    @property
    def planned_s(self) -> tuple[float, ...]:
        """Work seconds planned per item."""
        planned = [0.0] * len(self.items)
        for step in self.steps:
            if step.kind == "work":
                planned[step.item_index] += step.duration_s
        return tuple(planned)

    @property
    def next_up(self) -> str:
        """A short preview of the step after the current one."""
        if self.finished:
            return "Finished"
        if self._index + 1 >= len(self.steps):
            return "Finish"
        return describe(self.steps[self._index + 1], self.items)

    # -------------------------------------------------------------- controls
    def pause(self) -> None:
        """Stop the clock: ticks are ignored until :meth:`resume`."""
        self._paused = True

    def resume(self) -> None:
        """Start the clock again."""
        self._paused = False

    def quit(self) -> None:
        """End the session now; :meth:`log` then reports it as quit early."""
        self._quit = True

    def skip(self) -> list[Event]:
        """Skip the rest of the current item and start the next one.

        Returns
        -------
        list of Event
            ``step_started`` for the next item's first step, or ``session_finished``.

        """
        step = self.current_step
        if step is None:
            return []
        item = step.item_index
        if not self._item_complete(item):
            self._skipped[item] = True
        self._started = True
        return self._jump(self._last_step_of(item) + 1)

    def back(self) -> list[Event]:
        """Restart the current item, or the previous one when at the current item's start.

        "At the start" means in the item's first step (its get-ready countdown). The
        item gone back to, and every item after it, lose their done seconds and
        skipped marks: they are to be done again.

        Returns
        -------
        list of Event
            ``step_started`` for the restarted item's first step.

        """
        step = self.current_step
        if step is None:
            return []
        item = step.item_index
        first = self._first_step_of(item)
        if self._index == first and item > 0:
            item -= 1
            first = self._first_step_of(item)
        for index in range(first, len(self.steps)):
            self._elapsed[index] = 0.0
        for later in range(item, len(self.items)):
            self._skipped[later] = False
        self._started = True
        return self._jump(first)

    # ----------------------------------------------------------------- clock
    def tick(self, dt_s: float) -> list[Event]:
        """Advance the session by ``dt_s`` seconds of (unpaused) time.

        Parameters
        ----------
        dt_s : float
            Seconds that passed since the last tick (>= 0).

        Returns
        -------
        list of Event
            What happened, in time order. The first tick also reports the first
            ``step_started``. Nothing happens while paused or after the end.

        """
        if dt_s < 0:
            raise InputError(f"dt_s must be 0 or more seconds, not {dt_s}")
        events: list[Event] = []
        if self.finished or self._paused:
            return events
        if not self._started:
            self._started = True
            events.append(self._event("step_started"))
        left = dt_s
        while left > 0 and not self.finished:
            left = self._advance(left, events)
        return events

    def _advance(self, dt_s: float, events: list[Event]) -> float:
        """Run the current step for up to ``dt_s``; return the seconds not used."""
        step = self.steps[self._index]
        before = self._elapsed[self._index]
        remaining = step.duration_s - before
        if dt_s + _EPSILON >= remaining:
            after, left = step.duration_s, max(0.0, dt_s - remaining)
        else:
            after, left = before + dt_s, 0.0
        self._elapsed[self._index] = after
        events.extend(self._crossings(step, before, after))
        if after >= step.duration_s:
            events.extend(self._finish_step())
        return left

    def _crossings(self, step: Step, before: float, after: float) -> list[Event]:
        """Return the halfway and countdown events between two elapsed times."""
        marks: list[tuple[float, Event]] = []
        if step.kind == "work" and before < step.duration_s / 2 <= after:
            marks.append((step.duration_s / 2, self._event("halfway")))
        for number in range(COUNTDOWN_FROM, 0, -1):
            at = step.duration_s - number
            if number < step.duration_s and before < at <= after:
                marks.append((at, self._event("countdown", value=number)))
        return [event for _, event in sorted(marks, key=lambda mark: mark[0])]

    def _finish_step(self) -> list[Event]:
        step = self.steps[self._index]
        events = [self._event("step_finished")]
        if self._index == self._last_step_of(step.item_index):
            events.append(self._event("item_finished"))
        self._index += 1
        if self.finished:
            events.append(Event("session_finished"))
        else:
            self._elapsed[self._index] = 0.0
            events.append(self._event("step_started"))
        return events

    def _jump(self, index: int) -> list[Event]:
        self._index = index
        if self.finished:
            return [Event("session_finished")]
        self._elapsed[index] = 0.0
        return [self._event("step_started")]

    def _event(self, kind: EventKind, *, value: int | None = None) -> Event:
        return Event(kind, self._index, self.steps[self._index], value)

    def _first_step_of(self, item: int) -> int:
        return next(i for i, s in enumerate(self.steps) if s.item_index == item)

    def _last_step_of(self, item: int) -> int:
        return max(i for i, s in enumerate(self.steps) if s.item_index == item)

    def _item_complete(self, item: int) -> bool:
        return all(
            self._elapsed[i] >= s.duration_s
            for i, s in enumerate(self.steps)
            if s.item_index == item and s.kind == "work"
        )

    # ------------------------------------------------------------------- log
    def status(self, item: int) -> ItemStatus:
        """Return the status of item ``item`` as :meth:`log` reports it."""
        if self._item_complete(item):
            return "done"
        if self._skipped[item]:
            return "skipped"
        return "partial" if self.done_s[item] > 0 else "not_reached"

    def log(self) -> tuple[ItemLog, ...]:
        """Return what happened to each item, in whole seconds.

        Returns
        -------
        tuple of ItemLog
            One per item: planned work seconds (rounded), done work seconds and the
            status described in the module docstring. Done seconds equal the planned
            ones exactly when the status is ``done``; otherwise they are rounded down
            and kept below the planned seconds.

        """
        planned, done = self.planned_s, self.done_s
        logs = []
        for index, item in enumerate(self.items):
            planned_s = round(planned[index])
            status = self.status(index)
            done_s = (
                planned_s if status == "done" else max(0, min(planned_s - 1, _whole(done[index])))
            )
            logs.append(
                ItemLog(
                    exercise_id=item.exercise_id,
                    side=item.side,
                    planned_s=planned_s,
                    done_s=done_s,
                    status=status,
                )
            )
        return tuple(logs)


def _whole(seconds: float) -> int:
    """Round down to whole seconds, forgiving float noise (2.9999999999 is 3)."""
    return math.floor(seconds + 1e-6)


def side_label(side: Side | None) -> str:
    """Return ``" — left side"`` style text for a side, or ``""`` for none."""
    return "" if side is None else f" — {side} side"


def describe(step: Step, items: Sequence[PlanItem]) -> str:
    """Return a one-line description of a step, e.g. ``"Clamshell — left side, set 1/2"``.

    Examples
    --------
    >>> describe(Step("rest", 0, 30.0, 2, 3), ())
    'Rest 30 s'

    """
    if step.kind == "rest":
        return f"Rest {step.duration_s:.0f} s"
    item = items[step.item_index]
    if step.kind == "switch":
        return f"Switch sides: {item.name}{side_label(step.side)}"
    what = f"{item.name}{side_label(step.side)}, set {step.set_no}/{step.sets}"
    if step.kind == "get_ready":
        return f"Get ready: {what}"
    dose = f"{step.reps} reps" if step.reps is not None else f"{step.duration_s:.0f} s hold"
    return f"{what} ({dose})"
