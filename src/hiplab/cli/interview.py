"""The guided interview behind ``hiplab assess`` with no file.

It asks the same questions as the input file holds, explains each self-test
and where to find its picture, validates every answer on the spot (ranges
come from the schema and the library) and lets the person skip any test.
The collected answers go through the same validation as a file.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from rich.markup import escape

if TYPE_CHECKING:
    from rich.console import Console

    from hiplab.library.models import TestDef
    from hiplab.records.assessment import Precaution
    from hiplab.records.intake import AssessmentInput

RED_FLAG_QUESTIONS: tuple[str, ...] = (
    "night_pain",
    "unexplained_weight_loss",
    "fever",
    "saddle_numbness",
    "bladder_bowel_change",
    "progressive_weakness",
    "recent_trauma",
    "cancer_history",
    "long_term_steroids",
    "iv_drug_use",
    "limp",
)
"""Screening answers asked of everyone, in this order; the wording is the schema's."""

CHILD_QUESTIONS: tuple[str, ...] = ("obligatory_external_rotation",)
"""Asked only at ages up to 15 (a sign of a slipped growth plate, SCFE)."""

PRECAUTION_QUESTIONS: tuple[str, ...] = (
    "hypermobility",
    "hip_impingement",
    "falls_or_poor_balance",
)
"""Answers that change which exercises are safe (see hiplab.assess.safety)."""

PROVOCATION_TESTS = frozenset({"faber", "fadir"})
"""Sign tests that can bring on pain: a positive one is followed by "did it hurt?"."""

CHILD_MAX_AGE = 15


def question(key: str) -> str:
    """Return the screening question for ``key`` as a person reads it (from the schema)."""
    from hiplab.records.intake import Screening

    return str(Screening.model_fields[key].description)


def plain(value: str) -> str:
    """Return a choice's id in plain words: ``desk_work`` -> ``desk work``."""
    return value.replace("_", " ")


class Asker:
    """Prompts that re-ask until the answer is valid; blank means skip where allowed."""

    def __init__(self, console: Console) -> None:
        self.console = console

    def _raw(self, prompt: str) -> str:
        return self.console.input(f"[bold cyan]?[/] {prompt} ").strip()

    def text(self, prompt: str, *, required: bool = False) -> str | None:
        """Ask for free text."""
        while True:
            answer = self._raw(prompt)
            if answer or not required:
                return answer or None
            self.console.print("  [red]please enter a value[/]")

    def number(
        self, prompt: str, low: float, high: float, *, integer: bool = False, required: bool = False
    ) -> float | None:
        """Ask for a number in ``[low, high]``; blank skips unless required."""
        while True:
            answer = self._raw(
                f"{prompt} [{low:g}–{high:g}{'' if required else ', blank to skip'}]"
            )
            if not answer and not required:
                return None
            try:
                value = int(answer) if integer else float(answer.replace(",", "."))
            except ValueError:
                self.console.print(
                    f"  [red]{answer!r} is not a {'whole ' if integer else ''}number[/]"
                )
                continue
            if low <= value <= high:
                return value
            self.console.print(f"  [red]{value:g} is outside the allowed range {low:g}–{high:g}[/]")

    def choice(self, prompt: str, options: Sequence[str], *, required: bool = True) -> str | None:
        """Ask for one of ``options``."""
        while True:
            answer = self._raw(f"{prompt} ({'/'.join(options)})").lower()
            if not answer and not required:
                return None
            if answer in options:
                return answer
            self.console.print(f"  [red]{answer!r} is not one of: {', '.join(options)}[/]")

    def yes_no(self, prompt: str, *, required: bool = True) -> bool | None:
        """Ask a yes/no question (y/n)."""
        answer = self.choice(prompt, ("y", "n"), required=required)
        return None if answer is None else answer == "y"

    def show_options(self, options: Sequence[tuple[str, str]]) -> None:
        """Print numbered options in plain words."""
        for number, (_, label) in enumerate(options, 1):
            self.console.print(f"  {number:>2}. {label}", markup=False)

    @staticmethod
    def _pick(answer: str, options: Sequence[tuple[str, str]]) -> str | None:
        """Return the option ``answer`` names (its number, id or words), or None."""
        text = answer.strip().lower()
        if text.isdigit() and 1 <= int(text) <= len(options):
            return options[int(text) - 1][0]
        for value, label in options:
            if text in (value.lower(), plain(value).lower(), label.lower()):
                return value
        return None

    def menu(
        self, prompt: str, options: Sequence[tuple[str, str]], *, required: bool = True
    ) -> str | None:
        """Ask for one of numbered ``options`` (value, words); a number or the words will do."""
        while True:
            answer = self._raw(f"{prompt} (number{'' if required else ', blank when done'})")
            if not answer and not required:
                return None
            picked = self._pick(answer, options)
            if picked is not None:
                return picked
            self.console.print(
                f"  [red]{escape(repr(answer))} is not one of the numbers 1–{len(options)}[/]"
            )
            self.show_options(options)

    def menu_many(self, prompt: str, options: Sequence[tuple[str, str]]) -> list[str]:
        """Ask for any of numbered ``options``, comma-separated; blank for none."""
        self.show_options(options)
        while True:
            answer = self._raw(f"{prompt} (numbers separated by commas, blank for none)")
            parts = [part for part in answer.split(",") if part.strip()]
            picked = [self._pick(part, options) for part in parts]
            bad = [part.strip() for part, value in zip(parts, picked, strict=True) if value is None]
            if not bad:
                return list(dict.fromkeys(v for v in picked if v is not None))
            self.console.print(
                f"  [red]not one of the numbers 1–{len(options)}: {escape(', '.join(bad))}[/]"
            )


def _person(ask: Asker) -> dict[str, Any]:
    from hiplab.records.intake import Activity

    name = ask.text("Your name (used to keep your history):", required=True)
    age = ask.number("Age in years", 5, 110, integer=True, required=True)
    sex = ask.choice("Sex (selects the norms)", ("female", "male", "other"))
    ask.console.print("What do you do regularly?")
    acts = ask.menu_many("Activities", [(a.value, plain(a.value)) for a in Activity])
    goal = ask.text("Your main goal (blank to skip):")
    return {
        "name": name,
        "age": int(age or 0),
        "sex": sex,
        "activities": acts,
        "goals": [goal] if goal else [],
    }


def _screening(ask: Asker, person: dict[str, Any]) -> dict[str, Any]:
    ask.console.print("\n[bold]Safety questions[/] — answer y or n.")
    keys = [*RED_FLAG_QUESTIONS]
    if person["age"] <= CHILD_MAX_AGE:
        keys.extend(CHILD_QUESTIONS)
    keys.extend(PRECAUTION_QUESTIONS)
    out: dict[str, Any] = {key: ask.yes_no(question(key)) for key in keys}
    if person["sex"] != "male" and ask.yes_no(question("pregnant")):
        out["pregnant"] = True
        weeks = ask.number(question("pregnancy_weeks"), 0, 45, integer=True)
        out["pregnancy_weeks"] = None if weeks is None else int(weeks)
    if ask.yes_no(question("hip_replacement")):
        out["hip_replacement"] = {
            "side": ask.choice("Which side", ("left", "right")),
            "approach": ask.choice(
                "Surgical approach (ask your surgeon if unsure)",
                ("posterior", "anterior", "lateral"),
            ),
            "months_ago": int(
                ask.number("How many months ago", 0, 600, integer=True, required=True) or 0
            ),
        }
    return out


def _symptoms(ask: Asker) -> list[dict[str, Any]]:
    from hiplab.records.intake import REGION_WORDS, TIMING_WORDS, Symptom

    fields = Symptom.model_fields
    regions = [(r.value, words) for r, words in REGION_WORDS.items()]
    timings = [(t.value, words) for t, words in TIMING_WORDS.items()]
    out: list[dict[str, Any]] = []
    ask.console.print("\n[bold]Where do you feel pain or tightness?[/] Blank when done.")
    ask.show_options(regions)
    while (region := ask.menu("Where", regions, required=False)) is not None:
        side = ask.choice("Side", ("left", "right", "both", "none"))
        pain = int(
            ask.number(str(fields["pain"].description), 0, 10, integer=True, required=True) or 0
        )
        entry: dict[str, Any] = {"region": region, "side": None if side == "none" else side}
        entry["pain"] = pain
        if pain > 0:
            ask.console.print(str(fields["timing"].description))
            entry["timing"] = ask.menu_many("When", timings)
            entry["new"] = bool(ask.yes_no(str(fields["new"].description)))
        entry["trigger"] = ask.text(f"{fields['trigger'].description} (blank to skip):")
        out.append(entry)
        ask.console.print("Anything else? Pick another place, or press Enter when done.")
    return out


def _explain_test(ask: Asker, test: TestDef) -> None:
    ask.console.print(f"\n[bold]{test.name}[/] ({test.unit})")
    for i, step in enumerate(test.instructions, 1):
        ask.console.print(f"  {i}. {step}")
    if test.pose is not None:
        ask.console.print(f"  picture: hiplab tests {test.id} --picture {test.id}.svg")


def _ask_test(ask: Asker, test: TestDef, safe: Sequence[str]) -> dict[str, Any] | None:
    _explain_test(ask, test)
    if len(safe) == 1:
        ask.console.print(
            f"  Do it on the {safe[0]} side only: the other side is not safe for you."
        )
    sides: dict[str, Any] = {}
    for side in safe:
        if test.direction == "flag":
            value: Any = ask.yes_no(f"{side}: positive?", required=False)
            if value and test.input_key in PROVOCATION_TESTS:
                hurt = ask.yes_no(f"{side}: did it bring on pain?")
                value = {"positive": True, "painful": bool(hurt)}
        else:
            value = ask.number(f"{side}", test.minimum, test.maximum)
        if value is not None:
            sides[side] = value
    return sides or None


def _safe_sides(ask: Asker, test: TestDef, rules: Sequence[Precaution]) -> tuple[str, ...]:
    """Return the sides ``test`` is safe on; say why when it is not suggested at all."""
    from hiplab.assess.safety import allowed_sides, withheld_test

    safe = allowed_sides(test, rules)
    if not safe:
        withheld = withheld_test(test, rules)
        why = withheld.reason if withheld else "it is not safe for you"
        ask.console.print(f"\n[bold]{escape(test.name)}[/] — not asked: {escape(why)}")
    return safe


def _tests(ask: Asker, rules: Sequence[Precaution] = ()) -> dict[str, Any]:
    from hiplab.services.catalogue import library

    ask.console.print("\n[bold]Self-tests[/] — leave blank to skip any of them.")
    tests: dict[str, Any] = {}
    for test in library().tests.values():
        if not test.self_test:
            continue
        safe = _safe_sides(ask, test, rules)
        if not safe:
            continue
        if test.kind.value == "score":
            _explain_test(ask, test)
            score = ask.number("score", test.minimum, test.maximum, integer=True)
            if score is not None:
                tests[test.input_key] = int(score)
            continue
        answers = _ask_test(ask, test, safe)
        if answers is None:
            continue
        key, _, sub = test.input_key.partition(".")
        for side, value in answers.items():
            if sub:
                tests.setdefault(key, {}).setdefault(side, {})[sub] = value
            elif test.direction == "flag":
                sign = value if isinstance(value, dict) else {"positive": value}
                tests.setdefault(key, {})[side] = sign
            else:
                tests.setdefault(key, {})[side] = value
    return tests


def run_interview(console: Console) -> AssessmentInput:
    """Ask every question and return validated input."""
    from hiplab.assess.parse import validate
    from hiplab.assess.run import DISCLAIMER
    from hiplab.assess.safety import precautions

    console.print(f"[bold]hiplab guided assessment[/]\n{DISCLAIMER}\n")
    ask = Asker(console)
    person = _person(ask)
    answers: dict[str, Any] = {
        "person": person,
        "screening": _screening(ask, person),
        "symptoms": _symptoms(ask),
    }
    # The screening and symptoms decide which tests (and sides) are safe to ask for.
    rules = precautions(validate(answers, source="interview"))
    answers["tests"] = _tests(ask, rules)
    return validate(answers, source="interview")
