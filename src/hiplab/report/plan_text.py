"""A programme in the terminal: referral panel or one table per week, with rich.

Every piece of programme text goes in as a :class:`rich.text.Text`, so square
brackets in names or notes are printed as they are, never read as markup.
"""

from __future__ import annotations

from collections.abc import Mapping

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from hiplab.records.programme import Change, Programme, Week
from hiplab.report._format import humanise
from hiplab.report._plan_format import (
    PLAN_SIDE_WORDS,
    VERDICT_WORDS,
    budget_text,
    change_values,
    dose_text,
    fmt_duration,
    programme_names,
    progression_text,
)

VERDICT_STYLES: Mapping[str, str] = {
    "improved_to_norm": "bold green",
    "improved": "green",
    "no_real_change": "yellow",
    "worse": "bold red",
}


def _heading(console: Console, words: str) -> None:
    console.print()
    console.print(Text(words, style="bold underline"))


def _week_table(week: Week, programme: Programme) -> Table:
    total = week.session.duration_s
    over = total > programme.minutes * 60
    table = Table(
        title=Text(f"Week {week.week}", style="bold"),
        title_justify="left",
        caption=Text(
            f"Session total {budget_text(total, programme.minutes)}"
            + (" — over budget" if over else ""),
            style="bold red" if over else "dim",
        ),
        caption_justify="left",
    )
    table.add_column("Exercise", ratio=3)
    table.add_column("Side")
    table.add_column("Sets × hold or reps")
    table.add_column("Rest", justify="right", no_wrap=True)
    table.add_column("Time", justify="right", no_wrap=True)
    for item in week.session.items:
        table.add_row(
            Text(item.name),
            Text(PLAN_SIDE_WORDS[item.side]),
            Text(dose_text(item)),
            Text(f"{item.rest_s} s"),
            Text(fmt_duration(item.duration_s)),
        )
    return table


def _change_line(change: Change) -> Text:
    side = f" ({change.side})" if change.side else ""
    return Text.assemble(
        "• ",
        (humanise(change.test) + side, "bold"),
        f": {change_values(change)} ",
        (f"[{VERDICT_WORDS[change.verdict]}]", VERDICT_STYLES[change.verdict]),
        (f" — {change.text}" if change.text else "", "dim"),
    )


def _refer_panel(programme: Programme) -> Panel:
    body = Group(
        Text(programme.reason, style="bold"),
        Text("No exercises are given until a clinician has checked you."),
    )
    return Panel(body, title="See a clinician first", border_style="bold red")


def _print_weeks(programme: Programme, console: Console) -> None:
    names = programme_names(programme)
    for week in programme.weeks:
        console.print()
        console.print(_week_table(week, programme))
        for step in week.progression:
            console.print(Text("  ↑ " + progression_text(step, names)))
    if programme.retest_week is not None:
        console.print()
        console.print(Text(f"Re-test in week {programme.retest_week}.", style="bold"))


def _print_reasons(programme: Programme, console: Console) -> None:
    """Say once per exercise what it is for, and what the programme leaves out or free."""
    _heading(console, "Why these exercises")
    seen: dict[str, str] = {}
    for week in programme.weeks:
        for item in week.session.items:
            seen.setdefault(item.name, item.why)
    for name, why in seen.items():
        console.print(Text.assemble("• ", (name, "bold"), f" — {why}"))
    console.print(Text(programme.reason))
    if programme.time_note:
        console.print(Text(programme.time_note))


def render_plan_text(programme: Programme, *, console: Console) -> None:
    """Print a programme to a rich console.

    Parameters
    ----------
    programme
        The programme to show.
    console
        Where to print; pass ``Console(record=True)`` or a file-backed console
        to capture the output.

    """
    console.print(Text(f"Exercise programme for {programme.person}, block {programme.block}",
                       style="bold"))  # fmt: skip
    console.print(Text("This is not a diagnosis.", style="bold yellow"))
    if programme.refer:
        console.print(_refer_panel(programme))
    else:
        plan = f"{programme.sessions_per_week} sessions a week, up to {programme.minutes} min each"
        console.print(Text(plan))
    if programme.changes:
        _heading(console, "What changed since the last block")
        for change in programme.changes:
            console.print(_change_line(change))
    if programme.precautions:
        _heading(console, "Precautions this programme respects")
        for text in programme.precautions:
            console.print(Text(f"• {text}"))
    if not programme.refer:
        _print_weeks(programme, console)
        _print_reasons(programme, console)
    console.print()
    console.print(Panel(Text(programme.disclaimer), title="Not a diagnosis", border_style="yellow"))
