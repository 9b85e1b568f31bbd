"""Read the clinical scenarios (personas.yaml) and judge hiplab's output against them.

The expectations are written in clinical terms (positions, joint demands per side, flags,
targets) and judged here from the exercise library's structured facts — each movement's
``position``, per-side ``joint_demands`` / ``other_side_demands`` (through
:func:`hiplab.assess.safety.hip_demands`), ``floor_transfer``, ``fall_risk``,
``end_range``, ``active_abduction``, kind and primary targets — never from exercise ids,
so an expectation stays true when the library grows.

Each check returns a list of problems in plain words (empty: as expected), so a failing
test says which persona, which item and which rule.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from hiplab.assess.safety import hip_demands
from hiplab.library.loader import Library
from hiplab.library.models import Exercise, ExerciseKind, Movement
from hiplab.plan.edit import item_seconds
from hiplab.records.assessment import Assessment
from hiplab.records.programme import PlanItem, Programme, Week

PERSONAS_FILE = Path(__file__).with_name("personas.yaml")
Side = Literal["left", "right"]
SIDES: tuple[Side, Side] = ("left", "right")
FLAGS = {"floor transfer": "floor_transfer", "fall risk": "fall_risk", "end range": "end_range"}
STRENGTH_KINDS = frozenset({ExerciseKind.activation, ExerciseKind.strength})
MIN_STRETCH_S_PER_SIDE = 60  # ACSM: about 60 s per muscle group per session (reference §4)
MIN_STRENGTH_SETS = 2
URGENCIES = ("emergency", "urgent", "soon")


# ------------------------------------------------------------------ rules (must_not_contain)
@dataclass(frozen=True)
class Term:
    """One joint demand: ``side`` leg needs more than (or at least) ``deg`` of ``motion``."""

    side: Side
    motion: str
    op: Literal[">", ">="]
    deg: float

    def holds(self, demands: dict[str, float]) -> bool:
        value = demands.get(self.motion)
        if value is None:
            return False
        return value > self.deg if self.op == ">" else value >= self.deg


@dataclass(frozen=True)
class Rule:
    """Something a movement must not be: a position, a flag, side-glute work, or demands."""

    text: str
    position: str | None = None
    flag: str | None = None
    abduction_side: Side | None = None
    terms: tuple[Term, ...] = ()
    stretches_only: bool = False
    muscle: str | None = None

    def breach(self, movement: Movement, worked: str | None) -> str | None:
        """Return how ``movement`` done on ``worked`` breaks this rule, or None."""
        if self.stretches_only and not movement.is_stretch:
            return None
        if self.position is not None:
            hit = movement.position.value == self.position
            return f"it is done {self.position.replace('_', ' ')}" if hit else None
        if self.flag is not None:
            return (
                f"its {self.flag.replace('_', ' ')} flag is set"
                if getattr(movement, self.flag)
                else None
            )
        if self.muscle is not None:
            targets = getattr(movement, "targets", None)
            hit = targets is not None and self.muscle in targets.primary
            return f"it stretches the {self.muscle.replace('_', ' ')}" if hit else None
        if self.abduction_side is not None:
            on_side = not movement.unilateral or worked in (None, "both", self.abduction_side)
            hit = movement.active_abduction and on_side
            return f"it works the side glutes on the {self.abduction_side}" if hit else None
        needed = {
            side: hip_demands(movement, worked=worked, hip=side, floor=False)  # type: ignore[arg-type]
            for side in {t.side for t in self.terms}
        }
        if not all(t.holds(needed[t.side]) for t in self.terms):
            return None
        parts = [
            f"{t.side} {t.motion.replace('_', ' ')} {needed[t.side][t.motion]:g}°"
            for t in self.terms
        ]
        return "it needs " + " with ".join(parts)


_TERM = re.compile(r"^(left|right) ((?:hip|knee|ankle) [a-z ]+?) (>=|>) (\d+(?:\.\d+)?)$")
_ABDUCTION = re.compile(r"^(left|right) active abduction$")


def parse_rule(text: str, library: Library) -> Rule:
    """Return the rule a must_not_contain line says (ValueError naming it when unreadable)."""
    body = text.strip()
    stretches_only = body.startswith("stretch:")
    if stretches_only:
        body = body.removeprefix("stretch:").strip()
    if body.startswith("position:"):
        position = body.removeprefix("position:").strip()
        known = {p.position.value for p in library.exercises.values()}
        if position not in known:
            raise ValueError(f"rule {text!r}: no library movement is done {position!r}")
        return Rule(text, position=position, stretches_only=stretches_only)
    if stretches_only and body.startswith("the "):
        muscle = body.removeprefix("the ").strip().replace(" ", "_")
        if muscle not in library.muscles:
            raise ValueError(f"rule {text!r}: unknown muscle group {muscle!r}")
        return Rule(text, muscle=muscle, stretches_only=True)
    if body in FLAGS:
        return Rule(text, flag=FLAGS[body], stretches_only=stretches_only)
    if match := _ABDUCTION.match(body):
        return Rule(text, abduction_side=match[1], stretches_only=stretches_only)  # type: ignore[arg-type]
    terms = []
    for part in body.split(" with "):
        match = _TERM.match(part.strip())
        if match is None:
            raise ValueError(f"rule {text!r}: cannot read {part!r}")
        motion = match[2].replace(" ", "_")
        if motion not in library.motions:
            raise ValueError(f"rule {text!r}: unknown motion {motion!r}")
        side: Side = match[1]  # type: ignore[assignment]
        terms.append(Term(side, motion, match[3], float(match[4])))  # type: ignore[arg-type]
    return Rule(text, terms=tuple(terms), stretches_only=stretches_only)


# ------------------------------------------------------------------ needs (must_contain)
@dataclass(frozen=True)
class Need:
    """A stretch of ``muscle`` into ``motion`` on ``sides``, or strength work through it."""

    text: str
    mode: Literal["stretch", "strengthen"]
    muscle: str
    motion: str | None
    sides: tuple[Side, ...]

    def met_by(self, item: PlanItem, exercise: Exercise, side: Side | None) -> bool:
        """Whether ``item`` does what this need asks on ``side`` (None: on any side)."""
        if self.muscle not in exercise.targets.primary:
            return False
        if self.mode == "stretch" and not exercise.is_stretch:
            return False
        if self.mode == "strengthen" and exercise.kind not in STRENGTH_KINDS:
            return False
        hips: tuple[Side, ...] = SIDES if side is None else (side,)
        for hip in hips:
            if not covers(item, exercise, hip):
                continue
            if self.motion is None:
                return True
            if self.mode == "strengthen":
                # The worked leg itself trains the motion (a bridge reaches hip extension to
                # neutral); the other leg's stretch in a split stance does not count.
                if self.motion in exercise.joint_demands:
                    return True
                continue
            demand = hip_demands(exercise, worked=item.side, hip=hip, floor=False).get(self.motion)
            if demand is not None and demand > 0:
                return True
        return False


def covers(item: PlanItem, exercise: Exercise, side: Side) -> bool:
    """Whether ``item`` works ``side`` (a two-legged exercise works both)."""
    if not exercise.unilateral or item.side in (None, "both"):
        return True
    return item.side == side


def parse_need(raw: dict[str, Any], library: Library) -> Need:
    """Return the need a must_contain entry says (ValueError naming it when unreadable)."""
    mode = "stretch" if "stretch" in raw else "strengthen" if "strengthen" in raw else None
    if mode is None:
        raise ValueError(f"must_contain {raw!r}: give stretch: or strengthen:")
    muscle = raw[mode]
    if muscle not in library.muscles:
        raise ValueError(f"must_contain {raw!r}: unknown muscle group {muscle!r}")
    words = raw.get("into" if mode == "stretch" else "through")
    motion = words.replace(" ", "_") if words else None
    if motion is not None and motion not in library.motions:
        raise ValueError(f"must_contain {raw!r}: unknown motion {motion!r}")
    on = raw.get("side")
    sides: tuple[Side, ...] = SIDES if on == "each" else (on,) if on in SIDES else ()
    if on is not None and not sides:
        raise ValueError(f"must_contain {raw!r}: side must be left, right or each")
    extra = set(raw) - {mode, "into", "through", "side"}
    if extra:
        raise ValueError(f"must_contain {raw!r}: unknown keys {sorted(extra)}")
    text = f"{mode} {muscle}" + (f" ({words})" if words else "") + (f" on {on}" if on else "")
    return Need(text, mode, muscle, motion, sides)  # type: ignore[arg-type]


# ------------------------------------------------------------------ personas
@dataclass(frozen=True)
class Referral:
    urgency: str
    words: tuple[str, ...]


@dataclass(frozen=True)
class Expect:
    must_refer: Referral | None = None
    must_not_refer: bool = False
    no_tests_suggested: bool = False
    must_not_contain: tuple[Rule, ...] = ()
    not_planned: tuple[Rule, ...] = ()
    must_contain: tuple[Need, ...] = ()
    stretch_holds_s: tuple[int, int] | None = None
    has_findings: tuple[tuple[str, str | None], ...] = ()
    not_stretched: tuple[tuple[str, str | None], ...] = ()
    not_treated: tuple[str, ...] = ()
    tests_not_suggested: tuple[tuple[str, tuple[str, ...]], ...] = ()


@dataclass(frozen=True)
class Persona:
    id: str
    about: str
    input: dict[str, Any]
    expect: Expect
    request: dict[str, Any] = field(default_factory=dict)

    @property
    def refers(self) -> bool:
        return self.expect.must_refer is not None

    def __str__(self) -> str:
        return self.id


@dataclass(frozen=True)
class BadInput:
    id: str
    input: dict[str, Any]
    message: tuple[str, ...]


EXPECT_KEYS = {
    "must_refer",
    "must_not_refer",
    "no_tests_suggested",
    "must_not_contain",
    "not_planned",
    "must_contain",
    "stretch_holds_s",
    "has_findings",
    "not_stretched",
    "not_treated",
    "tests_not_suggested",
}
REQUEST_KEYS = {"minutes", "sessions_per_week", "weeks", "equipment", "avoid_positions"}


def flatten(values: Iterable[Any]) -> Iterator[Any]:
    """Yield the items of nested lists (shared rule sets are YAML anchors of lists)."""
    for value in values:
        if isinstance(value, list):
            yield from flatten(value)
        else:
            yield value


def _finding_sides(raw: Iterable[dict[str, Any]], library: Library) -> tuple[Any, ...]:
    out = []
    for entry in raw:
        if entry["finding"] not in library.findings:
            raise ValueError(f"unknown finding {entry['finding']!r}")
        out.append((entry["finding"], entry.get("side")))
    return tuple(out)


def _known_findings(ids: Iterable[str], library: Library) -> Iterator[str]:
    for finding in ids:
        if finding not in library.findings:
            raise ValueError(f"unknown finding {finding!r}")
        yield finding


def _expect(raw: dict[str, Any], library: Library) -> Expect:
    unknown = set(raw) - EXPECT_KEYS
    if unknown:
        raise ValueError(f"unknown expectation keys {sorted(unknown)}")
    refer = raw.get("must_refer")
    if refer is not None and refer["urgency"] not in URGENCIES:
        raise ValueError(f"must_refer urgency {refer['urgency']!r} is not one of {URGENCIES}")
    tests = []
    for entry in raw.get("tests_not_suggested", ()):
        if entry["test"] not in library.tests:
            raise ValueError(f"unknown test {entry['test']!r}")
        tests.append((entry["test"], tuple(entry["sides"])))
    holds = raw.get("stretch_holds_s")
    return Expect(
        must_refer=Referral(refer["urgency"], tuple(str(w) for w in refer["words"]))
        if refer
        else None,
        must_not_refer=bool(raw.get("must_not_refer", False)),
        no_tests_suggested=bool(raw.get("no_tests_suggested", False)),
        must_not_contain=tuple(
            parse_rule(r, library) for r in flatten(raw.get("must_not_contain", ()))
        ),
        not_planned=tuple(parse_rule(r, library) for r in flatten(raw.get("not_planned", ()))),
        must_contain=tuple(parse_need(n, library) for n in flatten(raw.get("must_contain", ()))),
        stretch_holds_s=(int(holds[0]), int(holds[1])) if holds else None,
        has_findings=_finding_sides(raw.get("has_findings", ()), library),
        not_stretched=_finding_sides(raw.get("not_stretched", ()), library),
        not_treated=tuple(_known_findings(raw.get("not_treated", ()), library)),
        tests_not_suggested=tuple(tests),
    )


def load_personas(library: Library, path: Path = PERSONAS_FILE) -> list[Persona]:
    """Return every persona of the file (ValueError naming the persona when one is unreadable)."""
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    out = []
    for raw in document["personas"]:
        try:
            request = dict(raw.get("request", {}))
            if set(request) - REQUEST_KEYS:
                raise ValueError(f"unknown request keys {sorted(set(request) - REQUEST_KEYS)}")
            out.append(
                Persona(
                    id=raw["id"],
                    about=raw["about"],
                    input=raw["input"],
                    expect=_expect(raw.get("expect", {}), library),
                    request=request,
                )
            )
        except (KeyError, ValueError, TypeError) as exc:
            raise ValueError(f"persona {raw.get('id', '?')}: {exc}") from exc
    return out


def load_bad_inputs(path: Path = PERSONAS_FILE) -> list[BadInput]:
    """Return the impossible inputs of the file and the words their message must contain."""
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [
        BadInput(raw["id"], raw["input"], tuple(str(w) for w in raw["message"]))
        for raw in document["bad_inputs"]
    ]


# ------------------------------------------------------------------ checks
def referral_problems(persona: Persona, result: Assessment) -> list[str]:
    """Return how the assessment's referral differs from what the persona expects."""
    expect = persona.expect
    problems: list[str] = []
    if expect.must_not_refer:
        if result.refer or result.red_flags:
            flags = "; ".join(f"{f.id} ({f.urgency}): {f.reason}" for f in result.red_flags)
            problems.append(f"referred, but must not be: {flags}")
        if not result.recommendations:
            problems.append("no exercise is recommended although nothing needs a clinician")
    if expect.must_refer is not None:
        want = expect.must_refer
        if not result.refer:
            problems.append(
                f"not referred; expected a referral ({want.urgency}) — a missed referral"
            )
        matching = [
            f
            for f in result.red_flags
            if f.urgency == want.urgency
            and all(
                w.lower() in f"{f.reason} {f.who} {f.when} {f.advice}".lower() for w in want.words
            )
        ]
        if not matching:
            shown = "; ".join(
                f"{f.id} ({f.urgency}): {f.reason} {f.advice}" for f in result.red_flags
            )
            problems.append(
                f"no {want.urgency} red flag says all of {list(want.words)}; "
                f"flags: {shown or 'none'}"
            )
        most = min((URGENCIES.index(f.urgency) for f in result.red_flags), default=None)
        if most is not None and most > URGENCIES.index(want.urgency):
            problems.append(f"the most urgent flag is {URGENCIES[most]}, expected {want.urgency}")
        if result.recommendations:
            problems.append("a referral still recommends exercises")
        if expect.no_tests_suggested and result.missing_tests:
            problems.append(
                f"a referral ({want.urgency}) still asks the person to do tests: "
                f"{', '.join(result.missing_tests)}"
            )
    return problems


def finding_problems(persona: Persona, result: Assessment) -> list[str]:
    """Return expected findings that are missing, or stretched where they must not be."""
    found = {(f.id, f.side): f for f in result.findings}
    problems = [
        f"finding {fid} ({side or 'no side'}) expected from the input, not found"
        for fid, side in persona.expect.has_findings
        if (fid, side) not in found
    ]
    for fid, side in persona.expect.not_stretched:
        finding = found.get((fid, side))
        if finding is None:
            problems.append(f"finding {fid} ({side}) expected (to be left unstretched), not found")
        elif not finding.stretch_withheld:
            problems.append(f"finding {fid} on the {side} is not marked 'not stretched'")
    return problems


def movement_breaches(
    movement: Movement, worked: str | None, rules: Sequence[Rule]
) -> list[tuple[Rule, str]]:
    """Return every (rule, how) that ``movement`` done on ``worked`` breaks."""
    out = []
    for rule in rules:
        how = rule.breach(movement, worked)
        if how is not None:
            out.append((rule, how))
    return out


def item_problems(
    items: Iterable[tuple[int, PlanItem]], rules: Sequence[Rule], library: Library, what: str
) -> list[str]:
    """Return each (week, item) that breaks a rule, naming the item, its side and the rule."""
    problems = []
    for week, item in items:
        exercise = library.exercises[item.exercise_id]
        for rule, how in movement_breaches(exercise, item.side, rules):
            problems.append(
                f"{what}: week {week} {item.name} ({item.exercise_id}, side {item.side}) "
                f"breaks '{rule.text}': {how}"
            )
    return problems


def all_items(programme: Programme) -> list[tuple[int, PlanItem]]:
    return [(w.week, i) for w in programme.weeks for i in w.session.items]


def need_problems(persona: Persona, programme: Programme, library: Library) -> list[str]:
    """Return each week and side where a must_contain need is not met."""
    problems = []
    for need in persona.expect.must_contain:
        for week in programme.weeks:
            items = [(i, library.exercises[i.exercise_id]) for i in week.session.items]
            for side in need.sides or (None,):
                if not any(need.met_by(i, e, side) for i, e in items):
                    where = f" on the {side}" if side else ""
                    names = ", ".join(f"{i.name} ({i.side})" for i, _ in items)
                    problems.append(f"week {week.week} has no {need.text}{where}; items: {names}")
    return problems


def treated_problems(persona: Persona, programme: Programme) -> list[str]:
    """Return items (and the programme's summary) that treat a finding that must be left alone."""
    problems = []
    for finding in persona.expect.not_treated:
        if finding in programme.findings_addressed:
            problems.append(f"the programme lists {finding} as addressed")
        for week, item in all_items(programme):
            if finding in item.addresses:
                problems.append(
                    f"week {week} {item.name} ({item.side}) is for {finding}: {item.why}"
                )
    return problems


def dose_problems(persona: Persona, programme: Programme, library: Library) -> list[str]:
    """Return items dosed below the reference's minimums (and older adults' hold range)."""
    problems = []
    for week, item in all_items(programme):
        exercise = library.exercises[item.exercise_id]
        label = f"week {week} {item.name} ({item.side})"
        if exercise.kind == ExerciseKind.static_stretch and item.hold_s is not None:
            if item.sets * item.hold_s < MIN_STRETCH_S_PER_SIDE:
                problems.append(
                    f"{label}: {item.sets} x {item.hold_s} s = {item.sets * item.hold_s} s of "
                    f"stretch per side, under {MIN_STRETCH_S_PER_SIDE} s"
                )
            span = persona.expect.stretch_holds_s
            if span is not None and not span[0] <= item.hold_s <= span[1]:
                problems.append(
                    f"{label}: holds {item.hold_s} s; at age {persona.input['person']['age']} "
                    f"stretches are held {span[0]}-{span[1]} s"
                )
        if exercise.kind in STRENGTH_KINDS and item.sets < MIN_STRENGTH_SETS:
            problems.append(
                f"{label}: {item.sets} set(s) of strength work, under {MIN_STRENGTH_SETS}"
            )
    return problems


def timing_problems(programme: Programme, library: Library, *, budget: bool = True) -> list[str]:
    """Return sessions whose time is not the sum of their items, mistimed items, and (with
    ``budget``) sessions longer than the minutes asked for."""
    problems = []
    limit = programme.minutes * 60
    for week in programme.weeks:
        items = week.session.items
        total = sum(i.duration_s for i in items)
        if week.session.duration_s != total:
            problems.append(
                f"week {week.week}: session {week.session.duration_s} s, items add up to {total} s"
            )
        if budget and week.session.duration_s > limit:
            problems.append(f"week {week.week}: session {week.session.duration_s} s > {limit} s")
        problems += _item_timing(week, library)
    return problems


def _item_timing(week: Week, library: Library) -> list[str]:
    out = []
    items = week.session.items
    for n, item in enumerate(items):
        previous = items[n - 1] if n > 0 else None
        model = item_seconds(item, previous, library.exercises[item.exercise_id])
        if item.duration_s != model:
            out.append(
                f"week {week.week} {item.name} ({item.side}): {item.duration_s} s, "
                f"its sets, rests and set-up take {model} s"
            )
    return out


def suggested_test_problems(persona: Persona, result: Assessment, library: Library) -> list[str]:
    """Return tests hiplab would let the person do on a side where a rule forbids them.

    A test it asks for (``missing_tests``) must be safe on a side it is not withheld on,
    every side a rule rules out must be withheld, and the expected withheld tests are.
    """
    withheld = {w.test: w for w in result.tests_not_suggested}
    problems = []
    for test in library.tests.values():
        sides: tuple[str | None, ...] = SIDES if test.unilateral else (None,)
        for side in sides:
            breaches = movement_breaches(test, side, persona.expect.must_not_contain)
            if not breaches:
                continue
            entry = withheld.get(test.id)
            held = entry is not None and (not entry.sides or side in entry.sides)
            if not held:
                rule, how = breaches[0]
                problems.append(
                    f"test {test.id} ({side or 'both sides'}) is not withheld although it breaks "
                    f"'{rule.text}': {how}"
                )
        unsafe_everywhere = all(
            movement_breaches(test, s, persona.expect.must_not_contain) for s in sides
        )
        if unsafe_everywhere and test.id in result.missing_tests:
            problems.append(f"test {test.id} is suggested although it is unsafe on every side")
    for test_id, want in persona.expect.tests_not_suggested:
        entry = withheld.get(test_id)
        if entry is None:
            problems.append(f"test {test_id} is not withheld; expected on {list(want)}")
        elif entry.sides and not set(want) <= set(entry.sides):
            problems.append(
                f"test {test_id} withheld on {list(entry.sides)}, expected {list(want)}"
            )
        if set(want) == set(SIDES) and test_id in result.missing_tests:
            problems.append(f"test {test_id} is unsafe on both sides but still listed to do")
    return problems


def programme_problems(
    persona: Persona, programme: Programme, library: Library, *, planned: bool = True
) -> list[str]:
    """Return every way ``programme`` breaks the persona's expectations.

    ``planned=False`` (after a coach's edit) leaves out what concerns the planner's choices
    only (must_contain, not_planned, dosage minimums, the time asked for): the precautions
    and the timing (sessions the sum of their items) still count.
    """
    if persona.refers:
        problems = []
        if not programme.refer:
            problems.append("the programme is not a referral")
        if any(w.session.items for w in programme.weeks):
            problems.append("a referral has exercises")
        want = persona.expect.must_refer
        assert want is not None
        missing = [w for w in want.words if w.lower() not in programme.reason.lower()]
        if missing:
            problems.append(f"the referral's reason does not say {missing}: {programme.reason}")
        return problems
    problems = []
    if programme.refer:
        problems.append(f"the programme is a referral: {programme.reason}")
    if persona.expect.must_not_refer and not any(w.session.items for w in programme.weeks):
        problems.append("no exercises planned although nothing needs a clinician")
    items = all_items(programme)
    problems += item_problems(items, persona.expect.must_not_contain, library, "precaution")
    problems += timing_problems(programme, library, budget=planned)
    if planned:
        problems += item_problems(items, persona.expect.not_planned, library, "out of reach")
        problems += need_problems(persona, programme, library)
        problems += treated_problems(persona, programme)
        problems += dose_problems(persona, programme, library)
    return problems
