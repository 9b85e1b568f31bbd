"""Words and numbers shared by the progress renderers (no I/O, no state)."""

from __future__ import annotations

from functools import lru_cache

from hiplab.progress.models import Adherence, TestProgress, ValueChange
from hiplab.report._format import fmt_num, number

SIDE_LABELS = {"left": "left", "right": "right", None: "—"}
NOT_A_DIAGNOSIS = "Not a diagnosis: a record of your own measurements, not a clinical opinion."


def unit_words(unit: str) -> str:
    """Return a unit spelt out for an axis title.

    Examples
    --------
    >>> unit_words("deg"), unit_words("cm"), unit_words("reps")
    ('degrees', 'cm', 'repetitions')

    """
    return {"deg": "degrees", "s": "seconds", "reps": "repetitions"}.get(unit, unit)


@lru_cache(maxsize=4096)  # long histories repeat the same few values
@lru_cache(maxsize=4096)
def signed(delta: float, unit: str) -> str:
    """Format a change with an explicit sign (a true minus sign).

    Examples
    --------
    >>> signed(6.0, "deg"), signed(-1.5, "cm"), signed(0.0, "s")
    ('+6°', '−1.5 cm', '±0 s')

    """
    text = number(abs(delta), unit)
    if fmt_num(delta) == "0":
        return f"±{text}"
    return f"+{text}" if delta > 0 else f"−{text}"


def change_words(change: ValueChange, unit: str) -> str:
    """Describe a change: size, verdict and, for real changes, which way it went.

    Examples
    --------
    >>> from datetime import date
    >>> c = ValueChange(start=date(2024, 1, 1), end=date(2024, 2, 1), before=30, after=37,
    ...                 delta=7, verdict="real change", trend="better")
    >>> change_words(c, "deg")
    '+7° real change (better)'

    """
    text = f"{signed(change.delta, unit)} {change.verdict}"
    if change.verdict != "no real change" and change.trend is not None:
        text += f" ({change.trend})"
    return text


def norm_words(test: TestProgress) -> str:
    """Describe a test's normal range and measurement error.

    Examples
    --------
    >>> t = TestProgress(test="x", name="X", unit="deg", direction="higher_is_better",
    ...                  limit=30, typical=35.2, mdc=5.4, side_threshold=5.4, sides=())
    >>> norm_words(t)
    'normal ≥ 30°, typical 35.2°; MDC 5.4°'

    """
    parts = []
    if test.limit is not None:
        symbol = "≥" if test.direction == "higher_is_better" else "≤"
        parts.append(f"normal {symbol} {number(test.limit, test.unit)}")
        if test.typical is not None:
            parts[-1] += f", typical {number(test.typical, test.unit)}"
    parts.append(
        f"MDC {number(test.mdc, test.unit)}" if test.mdc is not None else "no error estimate"
    )
    return "; ".join(parts)


def adherence_words(adherence: Adherence) -> str:
    """Summarise adherence in one sentence.

    Examples
    --------
    >>> from datetime import date
    >>> a = Adherence(plan_id=1, block=1, created_on=date(2024, 3, 4), sessions_per_week=3,
    ...               plan_weeks=4, weeks_elapsed=2, planned=6, done=5, streak_weeks=1,
    ...               mean_completion=0.9, weeks=())
    >>> adherence_words(a)
    '5 of 6 planned sessions (83%) in 2 finished weeks; streak 1 week; mean completion 90%'

    """
    if adherence.ratio is None:
        done = "no week finished yet"
    else:
        weeks = "week" if adherence.weeks_elapsed == 1 else "weeks"
        done = (
            f"{adherence.done} of {adherence.planned} planned sessions "
            f"({adherence.ratio:.0%}) in {adherence.weeks_elapsed} finished {weeks}"
        )
    streak = f"streak {adherence.streak_weeks} week{'s' if adherence.streak_weeks != 1 else ''}"
    completion = (
        f"mean completion {adherence.mean_completion:.0%}"
        if adherence.mean_completion is not None
        else "no session logged"
    )
    return f"{done}; {streak}; {completion}"
