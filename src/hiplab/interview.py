"""The guided interview behind ``hiplab assess`` with no file.

It asks the same questions as the input file holds, explains each self-test
and where to find its picture, validates every answer on the spot (ranges
come from the schema and the library) and lets the person skip any test.
The collected answers go through the same validation as a file.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console

    from hiplab.assess.schema import AssessmentInput
    from hiplab.library.models import TestDef

SCREENING_QUESTIONS: tuple[tuple[str, str], ...] = (
    ("night_pain", "Pain at night or at rest that does not ease when you change position?"),
    ("unexplained_weight_loss", "Weight loss you cannot explain?"),
    ("fever", "Fever or feeling unwell along with the pain?"),
    ("saddle_numbness", "Numbness around the groin/saddle area?"),
    ("bladder_bowel_change", "New trouble controlling bladder or bowel?"),
    ("progressive_weakness", "Leg weakness that is getting worse?"),
    ("recent_trauma", "A fall, accident or injury to the hip or back recently?"),
    ("cancer_history", "Any history of cancer?"),
    ("limp", "A limp you cannot explain?"),
    ("hypermobility", "Very bendy joints (hypermobility)?"),
)


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


def _person(ask: Asker) -> dict[str, Any]:
    from hiplab.assess.schema import Activity

    name = ask.text("Your name (used to keep your history):", required=True)
    age = ask.number("Age in years", 5, 110, integer=True, required=True)
    sex = ask.choice("Sex (selects the norms)", ("female", "male", "other"))
    known = [a.value for a in Activity]
    while True:
        raw = ask.text(f"Activities, comma-separated ({', '.join(known)}), blank for none:") or ""
        acts = [a.strip() for a in raw.split(",") if a.strip()]
        bad = [a for a in acts if a not in known]
        if not bad:
            break
        ask.console.print(f"  [red]unknown activities: {', '.join(bad)}[/]")
    goal = ask.text("Your main goal (blank to skip):")
    return {
        "name": name,
        "age": int(age or 0),
        "sex": sex,
        "activities": acts,
        "goals": [goal] if goal else [],
    }


def _screening(ask: Asker) -> dict[str, Any]:
    ask.console.print("\n[bold]Safety questions[/] — answer y or n.")
    out: dict[str, Any] = {key: ask.yes_no(question) for key, question in SCREENING_QUESTIONS}
    if ask.yes_no("Are you pregnant?"):
        out["pregnant"] = True
        weeks = ask.number("Weeks of pregnancy", 0, 45, integer=True)
        out["pregnancy_weeks"] = None if weeks is None else int(weeks)
    if ask.yes_no("Have you had a hip replacement?"):
        out["hip_replacement"] = {
            "side": ask.choice("Which side", ("left", "right")),
            "approach": ask.choice("Surgical approach", ("posterior", "anterior", "lateral")),
            "months_ago": int(
                ask.number("How many months ago", 0, 600, integer=True, required=True) or 0
            ),
        }
    return out


def _symptoms(ask: Asker) -> list[dict[str, Any]]:
    from hiplab.assess.schema import Region

    out: list[dict[str, Any]] = []
    regions = [r.value for r in Region]
    ask.console.print("\n[bold]Where do you feel pain or tightness?[/] Blank when done.")
    while (region := ask.choice("Region", regions, required=False)) is not None:
        side = ask.choice("Side", ("left", "right", "both", "none"))
        pain = ask.number("Pain now, 0 = none, 10 = worst", 0, 10, integer=True, required=True)
        trigger = ask.text("What brings it on (blank to skip)?")
        out.append(
            {
                "region": region,
                "side": None if side == "none" else side,
                "pain": int(pain or 0),
                "trigger": trigger,
            }
        )
    return out


def _explain_test(ask: Asker, test: TestDef) -> None:
    ask.console.print(f"\n[bold]{test.name}[/] ({test.unit})")
    for i, step in enumerate(test.instructions, 1):
        ask.console.print(f"  {i}. {step}")
    if test.pose is not None:
        ask.console.print(f"  picture: hiplab tests {test.id} --picture {test.id}.svg")


def _ask_test(ask: Asker, test: TestDef) -> dict[str, Any] | None:
    _explain_test(ask, test)
    sides: dict[str, Any] = {}
    for side in ("left", "right"):
        if test.direction == "flag":
            value: Any = ask.yes_no(f"{side}: positive?", required=False)
        else:
            value = ask.number(f"{side}", test.minimum, test.maximum)
        if value is not None:
            sides[side] = value
    return sides or None


def _tests(ask: Asker) -> dict[str, Any]:
    from hiplab.services import library

    ask.console.print("\n[bold]Self-tests[/] — leave blank to skip any of them.")
    tests: dict[str, Any] = {}
    for test in library().tests.values():
        if not test.self_test:
            continue
        if test.kind.value == "score":
            _explain_test(ask, test)
            score = ask.number("score", test.minimum, test.maximum, integer=True)
            if score is not None:
                tests[test.input_key] = int(score)
            continue
        answers = _ask_test(ask, test)
        if answers is None:
            continue
        key, _, sub = test.input_key.partition(".")
        for side, value in answers.items():
            if sub:
                tests.setdefault(key, {}).setdefault(side, {})[sub] = value
            elif test.direction == "flag":
                tests.setdefault(key, {})[side] = {"positive": value}
            else:
                tests.setdefault(key, {})[side] = value
    return tests


def run_interview(console: Console) -> AssessmentInput:
    """Ask every question and return validated input."""
    from hiplab.assess.parse import validate
    from hiplab.assess.run import DISCLAIMER

    console.print(f"[bold]hiplab guided assessment[/]\n{DISCLAIMER}\n")
    ask = Asker(console)
    answers = {
        "person": _person(ask),
        "screening": _screening(ask),
        "symptoms": _symptoms(ask),
        "tests": _tests(ask),
    }
    return validate(answers, source="interview")
