"""What the programme and session pages show: plain strings and trusted SVG per item.

Built from the typed programme tree with the report's wording
(:mod:`hiplab.report._plan_format`), so a plan reads the same in the browser as in the
handout and the terminal.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from markupsafe import Markup

from hiplab.library.loader import Library
from hiplab.library.models import Exercise, Position
from hiplab.records.programme import PlanItem, Programme, Week
from hiplab.report._plan_format import programme_names
from hiplab.report.handout import ItemRow, WeekSummary, item_row, week_summary

DEFAULT_OPTIONS = {"minutes": "15", "sessions_per_week": "3", "weeks": "4"}
"""The generate form's starting values: ``hiplab plan``'s defaults."""


@dataclass(frozen=True)
class ItemView(ItemRow):
    """One item of a week as a page shows it: the handout's words, number (1-based) and more."""

    number: int
    exercise_id: str
    why: str
    picture: Markup


@dataclass(frozen=True)
class WeekView(WeekSummary):
    """A week: the handout's summary (time against the budget, what progressed) and its items."""

    items: tuple[ItemView, ...]


@dataclass(frozen=True)
class FormChoices:
    """The equipment and positions the generate form offers (as ``hiplab plan``)."""

    equipment: tuple[str, ...]
    household: tuple[str, ...]
    positions: tuple[str, ...]


def picture(exercise: Exercise, *, width: int = 120, height: int = 100) -> Markup:
    """Return the exercise's first pose as an inline SVG stick figure."""
    from hiplab.report.figure import pose_svg

    return Markup(  # trusted: pose_svg escapes its title
        pose_svg(exercise.pose, width=width, height=height, title=exercise.name)
    )


def item_view(
    number: int, item: PlanItem, library: Library, pictures: dict[str, Markup]
) -> ItemView:
    """Return one item's view; ``pictures`` caches the SVG per exercise."""
    exercise = library.exercises.get(item.exercise_id)
    if item.exercise_id not in pictures:
        pictures[item.exercise_id] = picture(exercise) if exercise else Markup("")
    return ItemView(
        **asdict(item_row(item)),
        number=number,
        exercise_id=item.exercise_id,
        why=item.why,
        picture=pictures[item.exercise_id],
    )


def week_views(programme: Programme, library: Library) -> list[WeekView]:
    """Return every week of a programme as the plan page shows it."""
    names = programme_names(programme)
    pictures: dict[str, Markup] = {}

    def one(week: Week) -> WeekView:
        return WeekView(
            **asdict(week_summary(week, programme, names)),
            items=tuple(
                item_view(n, item, library, pictures)
                for n, item in enumerate(week.session.items, start=1)
            ),
        )

    return [one(week) for week in programme.weeks]


def form_choices(library: Library) -> FormChoices:
    """Return the equipment (household items apart) and positions ``hiplab plan`` knows."""
    from hiplab.plan.problem import HOUSEHOLD

    gear = {q for e in library.exercises.values() for q in e.equipment}
    return FormChoices(
        equipment=tuple(sorted(gear - HOUSEHOLD)),
        household=tuple(sorted(HOUSEHOLD)),
        positions=tuple(p.value for p in Position),
    )


def clock(seconds: float) -> str:
    """Return seconds as ``M:SS`` (the session timer's format)."""
    whole = max(0, round(seconds))
    return f"{whole // 60}:{whole % 60:02d}"
