"""The programme handout: HTML, PDF and terminal views of a literal programme.

:func:`make_programme` builds the literal programme that the browser and
calendar tests use too.
"""

from __future__ import annotations

import doctest
import io
import itertools
import re
import xml.etree.ElementTree as ET

import pytest
from markupsafe import escape
from rich.console import Console

import hiplab.report._plan_format
import hiplab.report.handout
from hiplab.library.loader import Library, default_library
from hiplab.records.programme import (
    Change,
    ItemSide,
    Phase,
    PlanItem,
    Programme,
    ProgressionStep,
    Session,
    SolverReport,
    Week,
)
from hiplab.report.handout import render_plan_html
from hiplab.report.pdf import render_pdf
from hiplab.report.plan_text import render_plan_text

DISCLAIMER = "hiplab screens mobility; it cannot tell what causes pain or stiffness."
SOLVER = SolverReport(name="cp-sat", status="optimal", objective=42.5, candidates=31)
SETUP_S = 15


def item(
    exercise_id: str,
    name: str,
    *,
    phase: Phase,
    side: ItemSide,
    sets: int,
    hold_s: int | None = None,
    reps: int | None = None,
    rest_s: int = 15,
    addresses: tuple[str, ...] = (),
    why: str = "",
) -> PlanItem:
    """A plan item whose duration follows the model's convention (3 s a repetition)."""
    work = hold_s if hold_s is not None else 3 * (reps or 1)
    sides = 2 if side == "both" else 1
    duration = SETUP_S + sides * (sets * work + (sets - 1) * rest_s) + (10 if sides == 2 else 0)
    return PlanItem(
        exercise_id=exercise_id,
        name=name,
        kind="static_stretch" if hold_s else "activation",
        phase=phase,
        position="standing",
        side=side,
        sets=sets,
        hold_s=hold_s,
        reps=reps,
        rest_s=rest_s,
        duration_s=duration,
        addresses=addresses,
        why=why,
    )


def session(*items: PlanItem) -> Session:
    return Session(duration_s=sum(i.duration_s for i in items), items=items)


def week_items(number: int) -> tuple[PlanItem, ...]:
    """Week 1 → 4: longer holds, more reps, an extra set, then a harder clamshell."""
    clam = ("clamshell", "Clamshell") if number < 4 else ("banded_clamshell", "Banded clamshell")
    return (
        item("leg_swings_front_back", "Leg swings front to back", phase="warm_up",
             side="both", sets=1, reps=10, rest_s=0, why="Warms up the hip through its range."),
        item("glute_bridge", "Glute bridge", phase="activation", side=None, sets=3,
             reps=12 if number < 2 else 15, rest_s=45, addresses=("glute_endurance_low",),
             why="Builds endurance of the buttock muscles."),
        item(*clam, phase="activation", side="both", sets=2 if number < 3 else 3, reps=15,
             rest_s=30, addresses=("glute_med_weak",), why="Wakes up the side glutes."),
        item("half_kneeling_hip_flexor_stretch", "Half-kneeling hip flexor stretch",
             phase="stretch", side="left", sets=3, hold_s=30 if number < 2 else 45, rest_s=10,
             addresses=("hip_flexors_tight",), why="The left hip flexors tested short."),
        item("half_kneeling_hip_flexor_stretch", "Half-kneeling hip flexor stretch",
             phase="stretch", side="right", sets=2, hold_s=30 if number < 2 else 45, rest_s=10,
             addresses=("hip_flexors_tight",), why="The left hip flexors tested short."),
    )  # fmt: skip


PROGRESSION: dict[int, tuple[ProgressionStep, ...]] = {
    2: (
        ProgressionStep(
            exercise_id="half_kneeling_hip_flexor_stretch",
            rule="longer_hold",
            before="Half-kneeling hip flexor stretch: 3 × 30 s hold",
            after="Half-kneeling hip flexor stretch: 3 × 45 s hold",
        ),
        ProgressionStep(
            exercise_id="glute_bridge", rule="more_reps", before="3 × 12 reps", after="3 × 15 reps"
        ),
    ),
    3: (
        ProgressionStep(
            exercise_id="clamshell",
            rule="extra_set",
            before="Clamshell: 2 × 15 reps",
            after="Clamshell: 3 × 15 reps",
        ),
    ),
    4: (
        ProgressionStep(
            exercise_id="clamshell",
            rule="harder_variant",
            before="Clamshell: 3 × 15 reps",
            after="Banded clamshell: 3 × 15 reps",
        ),
    ),
}


def make_programme(*, person: str = "Sam Sample", refer: bool = False, block: int = 2) -> Programme:
    """A four-week block, three sessions a week, re-test in week 5; or a referral."""
    weeks = (
        ()
        if refer
        else tuple(
            Week(week=n, session=session(*week_items(n)), progression=PROGRESSION.get(n, ()))
            for n in range(1, 5)
        )
    )
    return Programme(
        refer=refer,
        reason="Pain that wakes you at night needs a clinician's check." if refer else "",
        person=person,
        sessions_per_week=3,
        minutes=20,
        weeks=weeks,
        retest_week=None if refer else 5,
        findings_addressed=("hip_flexors_tight", "glute_med_weak", "glute_endurance_low"),
        findings_not_addressed=("ankle_dorsiflexion_limited",),
        precautions=("Do not bounce in stretches", "Avoid exercises done lying on your side"),
        changes=(
            Change(
                test="thomas_thigh_angle",
                side="left",
                before=12.0,
                after=4.0,
                unit="deg",
                verdict="improved",
                text="The left thigh now drops further; keep the stretch.",
            ),
            Change(
                test="single_leg_bridge_hold",
                side=None,
                before=20.0,
                after=21.0,
                unit="s",
                verdict="no_real_change",
                text="Within measurement error; the bridge gets more repetitions.",
            ),
        ),
        solver=SOLVER,
        block=block,
        disclaimer=DISCLAIMER,
    )


@pytest.fixture(scope="module")
def lib() -> Library:
    return default_library()


@pytest.fixture(scope="module")
def page(lib: Library) -> str:
    return render_plan_html(make_programme(), library=lib)


EXERCISES = (
    "leg_swings_front_back",
    "glute_bridge",
    "clamshell",
    "half_kneeling_hip_flexor_stretch",
    "banded_clamshell",  # first appears in week 4: cards follow first appearance
)


def cards_of(page: str) -> dict[str, str]:
    """Map exercise id → the HTML of its card."""
    found = re.findall(
        r'<article class="card exercise-card plan-card" data-exercise-id="([a-z_]+)".*?</article>',
        page,
        flags=re.S,
    )
    spans = re.finditer(
        r'<article class="card exercise-card plan-card".*?</article>', page, flags=re.S
    )
    return dict(zip(found, (m.group(0) for m in spans), strict=True))


def test_page_is_standalone_with_header_and_disclaimer(page: str) -> None:
    assert page.startswith("<!DOCTYPE html>")
    assert '<html lang="en">' in page
    assert "<link" not in page and "<script" not in page and 'src="' not in page
    assert "Not a diagnosis." in page and DISCLAIMER in page
    for fact in ("Sam Sample", "Block", "Sessions a week", "up to 20", "week 5"):
        assert fact in page
    assert "See a clinician first" not in page


def test_one_card_per_distinct_exercise_with_pictures(page: str, lib: Library) -> None:
    cards = cards_of(page)
    assert list(cards) == list(EXERCISES)
    for exercise_id, card in cards.items():
        exercise = lib.exercises[exercise_id]
        assert card.count("<svg") == len(exercise.pose.keyframes) >= 1
        assert escape(exercise.steps[0]) in card
        assert escape(exercise.mistakes[0]) in card
        assert escape(exercise.evidence) in card


def test_card_doses_of_first_and_last_week_and_why(page: str) -> None:
    stretch = cards_of(page)["half_kneeling_hip_flexor_stretch"]
    assert (
        '<dt>Week 1</dt><dd><span class="dose-part">left: 3 × 30 s hold, rest 10 s</span>'
        '<span class="dose-part">right: 2 × 30 s hold, rest 10 s</span></dd>'
    ) in stretch
    assert '<dt>Week 4</dt><dd><span class="dose-part">left: 3 × 45 s hold, rest 10 s' in stretch
    assert "The left hip flexors tested short." in stretch
    assert "Works on: Tight one-joint hip flexors" in stretch  # library label, not the id
    clam = cards_of(page)["clamshell"]
    assert (
        "<dt>Week 1</dt>" in clam
        and '<dt>Week 3</dt><dd><span class="dose-part">each side: 3 × 15 reps' in clam
    )
    assert "Week 4" not in clam  # replaced by the banded variant in week 4
    banded = cards_of(page)["banded_clamshell"]
    assert banded.count("<dt>") == 1 and "<dt>Week 4</dt>" in banded


def test_week_tables_have_headers_rows_and_totals(page: str) -> None:
    programme = make_programme()
    tables = re.findall(r"<table>.*?</table>", page, flags=re.S)
    assert len(tables) == 4
    for week, table in zip(programme.weeks, tables, strict=True):
        assert table.count('<th scope="col"') == 6
        assert table.count('<th scope="row"') == len(week.session.items) + 1  # + total
        minutes, seconds = divmod(week.session.duration_s, 60)
        assert f"{minutes} min {seconds} s of 20 min" in table
    assert "Leg swings front to back" in tables[0] and "each side" in tables[0]
    assert "3 × 12 reps" in tables[0] and "3 × 15 reps" in tables[1]
    assert "over budget" not in page


def test_progression_changes_precautions_and_coverage(page: str) -> None:
    assert "Half-kneeling hip flexor stretch: longer hold (3 × 30 s hold → 3 × 45 s hold)" in page
    assert "Glute bridge: more repetitions (3 × 12 reps → 3 × 15 reps)" in page
    assert "Clamshell: one more set (2 × 15 reps → 3 × 15 reps)" in page
    variant = "Clamshell: harder variant (Clamshell: 3 × 15 reps → Banded clamshell: 3 × 15 reps)"
    assert variant in page
    assert "What changed since the last block" in page
    assert "Modified Thomas test" in page and "12° → 4°" in page
    assert "The left thigh now drops further" in page and "no real change" in page
    assert "Do not bounce in stretches" in page
    assert "Not covered in this block: Limited ankle dorsiflexion" in page.replace("\n", " ")
    assert "Week 5: re-test" in page


def test_headings_are_in_order(page: str) -> None:
    levels = [int(n) for n in re.findall(r"<h([1-6])[ >]", page)]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b - a <= 1 for a, b in itertools.pairwise(levels))


def test_inline_svgs_are_well_formed_and_labelled(page: str) -> None:
    svgs = re.findall(r"<svg .*?</svg>", page, flags=re.S)
    assert len(svgs) >= len(EXERCISES)
    for svg in svgs:
        root = ET.fromstring(svg)
        assert root.get("role") == "img" and root.get("aria-label")


def test_over_budget_week_is_flagged(lib: Library) -> None:
    programme = make_programme().model_copy(update={"minutes": 10})
    page = render_plan_html(programme, library=lib)
    assert page.count("over budget") == 4


def test_refer_shows_banner_and_no_exercises(lib: Library) -> None:
    page = render_plan_html(make_programme(refer=True), library=lib)
    assert "See a clinician first" in page and 'role="alert"' in page
    assert "Pain that wakes you at night needs a clinician&#39;s check." in page
    assert "exercise-card" not in page and "<svg" not in page and "<table" not in page
    assert "Week by week" not in page and "Sessions a week" not in page
    assert DISCLAIMER in page
    assert "What changed since the last block" in page  # re-planning notes still shown


def test_hostile_person_name_is_escaped(lib: Library) -> None:
    evil = '<script>alert("x")</script>'
    page = render_plan_html(make_programme(person=evil), library=lib)
    assert "<script>" not in page
    assert page.count("&lt;script&gt;alert(") == 3  # title, header, footer


def test_unknown_exercise_gets_a_card_without_library_facts(lib: Library) -> None:
    odd = item("wall_sit_x", "Wall sit", phase="strength", side=None, sets=2, hold_s=30)
    programme = make_programme().model_copy(
        update={"weeks": (Week(week=1, session=session(odd)),), "retest_week": 2}
    )
    page = render_plan_html(programme, library=lib)
    card = cards_of(page)["wall_sit_x"]
    assert "Wall sit" in card and "<svg" not in card and "How to do it" not in card


# WeasyPrint warns when the system lacks libharfbuzz-subset; that is not a handout defect.
@pytest.mark.filterwarnings("ignore:HarfBuzz-Subset:DeprecationWarning")
def test_pdf_bytes(page: str) -> None:
    pdf = render_pdf(page)
    assert pdf.startswith(b"%PDF")
    assert len(pdf) > 5000


def text_of(programme: Programme, width: int = 110) -> str:
    console = Console(file=io.StringIO(), width=width, record=True, color_system=None)
    render_plan_text(programme, console=console)
    return console.export_text()


def test_text_view_shows_weeks_progression_changes_and_reasons() -> None:
    out = text_of(make_programme())
    assert "This is not a diagnosis." in out and DISCLAIMER in out
    for n in range(1, 5):
        assert f"Week {n}" in out
    assert "Half-kneeling hip flexor stretch" in out and "3 × 30 s hold" in out
    assert "Clamshell: harder variant (Clamshell: 3 × 15 reps → Banded" in out
    assert "12° → 4°" in out and "improved" in out
    assert "Why these exercises" in out
    assert "Solver" not in out and "cp-sat" not in out and "objective" not in out
    assert "See a clinician first" not in out


def test_text_view_refer() -> None:
    out = text_of(make_programme(refer=True))
    assert "See a clinician first" in out
    assert "Pain that wakes you at night" in out
    assert "Week 1" not in out and "Glute bridge" not in out


def test_text_view_does_not_interpret_markup() -> None:
    out = text_of(make_programme(person="[bold red]Sam[/bold red]"))
    assert "[bold red]Sam[/bold red]" in out


def test_text_view_fits_a_narrow_terminal() -> None:
    out = text_of(make_programme(), width=60)
    assert max(len(line) for line in out.splitlines()) <= 60


@pytest.mark.parametrize("module", [hiplab.report._plan_format, hiplab.report.handout])
def test_docstring_examples(module: object) -> None:
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)  # type: ignore[arg-type]
    assert result.attempted > 0
    assert result.failed == 0
