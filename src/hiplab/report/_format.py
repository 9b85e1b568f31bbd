"""Small text helpers shared by the report renderers (no I/O, no state)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from hiplab.library.models import Dosage, EvidenceGrade
from hiplab.records.assessment import Finding, WithheldTest

if TYPE_CHECKING:
    from hiplab.library.loader import Library
    from hiplab.records.intake import VideoMeasurement

GRADE_WORDS: Mapping[EvidenceGrade, str] = {
    EvidenceGrade.strong: "strong evidence",
    EvidenceGrade.moderate: "moderate evidence",
    EvidenceGrade.weak: "weak evidence",
    EvidenceGrade.contested: "contested",
}

UNIT_SYMBOLS: Mapping[str, str] = {"deg": "°", "degrees": "°", "sign": ""}
"""Units printed as a symbol (or not at all: a yes/no sign has no unit)."""

SIDE_WORDS: Mapping[str | None, str] = {
    "left": "left",
    "right": "right",
    "both": "both sides",
    None: "—",
}


def humanise(slug: str) -> str:
    """Turn an id such as ``hip_flexor_tightness`` into ``Hip flexor tightness``.

    Examples
    --------
    >>> humanise("tight_hip_flexors")
    'Tight hip flexors'
    >>> humanise("")
    ''

    """
    words = re.sub(r"[_\s]+", " ", slug).strip()
    return words[:1].upper() + words[1:]


def fmt_num(value: float) -> str:
    """Format a number with at most one decimal and no trailing zeros.

    Examples
    --------
    >>> fmt_num(12.0), fmt_num(12.25), fmt_num(-0.01)
    ('12', '12.2', '0')

    """
    text = f"{round(value, 1):g}"
    return "0" if text == "-0" else text


def fmt_value(value: float | bool | None, unit: str) -> str:
    """Format a finding's value with its unit (booleans read positive/negative).

    Examples
    --------
    >>> fmt_value(12.0, "cm"), fmt_value(True, ""), fmt_value(None, "°")
    ('12 cm', 'positive', '—')

    """
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "positive" if value else "negative"
    return with_unit(fmt_num(value), unit)


def with_unit(number: str, unit: str) -> str:
    """Join a formatted number and a unit; degree and percent signs attach directly.

    Examples
    --------
    >>> with_unit("12", "deg"), with_unit("4", "cm"), with_unit("3", "")
    ('12°', '4 cm', '3')

    """
    unit = UNIT_SYMBOLS.get(unit, unit)
    if not unit:
        return number
    return f"{number}{unit}" if unit in {"°", "%"} else f"{number} {unit}"


def display_unit(unit: str) -> str:
    """Return the unit as printed next to a number (scores print bare).

    Examples
    --------
    >>> display_unit("deg"), display_unit("cm"), display_unit("score 0–3")
    ('°', 'cm', '')

    """
    if unit.startswith("score"):
        return ""
    return {"deg": "°", "sign": ""}.get(unit, unit)


def number(value: float, unit: str) -> str:
    """Format a value with its unit.

    Examples
    --------
    >>> number(35.25, "deg"), number(-9.0, "cm"), number(2.0, "score 0–3")
    ('35.2°', '−9 cm', '2')

    """
    return with_unit(fmt_num(value).replace("-", "−"), display_unit(unit))


def fmt_dosage(dosage: Dosage) -> str:
    """Describe a dose in plain words.

    Examples
    --------
    >>> fmt_dosage(Dosage(sets=2, hold_s=30, rest_s=10, per_side=True))
    '2 sets × 30 s hold, each side; rest 10 s'
    >>> fmt_dosage(Dosage(sets=3, reps=12))
    '3 sets × 12 reps; rest 15 s'

    """
    sets = f"{dosage.sets} set{'s' if dosage.sets != 1 else ''}"
    work = f"{dosage.hold_s} s hold" if dosage.hold_s is not None else f"{dosage.reps} reps"
    side = ", each side" if dosage.per_side else ""
    rest = f"; rest {dosage.rest_s} s" if dosage.rest_s else ""
    return f"{sets} × {work}{side}{rest}"


def chain_ends(chain_id: str) -> tuple[str, str]:
    """Split a chain id such as ``a->b`` into its two node ids.

    Ids without an arrow return the whole id twice.

    Examples
    --------
    >>> chain_ends("tight_hip_flexors->lumbar_extension")
    ('tight_hip_flexors', 'lumbar_extension')

    """
    for arrow in ("->", "→", ">"):
        if arrow in chain_id:
            head, _, tail = chain_id.partition(arrow)
            return head.strip(), tail.strip()
    return chain_id, chain_id


def norm_words(finding: Finding) -> str:
    """Describe the norm a finding was compared with, with the typical value if known."""
    norm = finding.norm
    if norm is None:
        return "negative" if isinstance(finding.value, bool) else "—"
    text = norm.label or with_unit(fmt_num(norm.limit), finding.unit)
    if norm.typical is not None:
        text += f" (typical {with_unit(fmt_num(norm.typical), finding.unit)})"
    return text


def test_name(test_id: str, library: Library) -> str:
    """Return a test's name as the library gives it (its id in words if unknown)."""
    test = library.tests.get(test_id)
    return test.name if test else humanise(test_id)


def finding_name(finding_id: str, library: Library) -> str:
    """Return a finding's label as the library gives it (its id in words if unknown)."""
    meaning = library.findings.get(finding_id)
    return meaning.label if meaning else humanise(finding_id)


def withheld_name(withheld: WithheldTest, library: Library) -> str:
    """Return a withheld test's name, with its side when only one side is withheld."""
    side = f" ({withheld.sides[0]} side)" if len(withheld.sides) == 1 else ""
    return test_name(withheld.test, library) + side


def finding_details(finding: Finding) -> str:
    """Return a finding's summary, with why it is not treated on its side when it is not."""
    return finding.summary + (f" — {finding.stretch_withheld}" if finding.stretch_withheld else "")


VIDEO_NOTE = (
    "Measured from video: each value with its standard uncertainty (± one standard "
    "deviation) and how reliable the camera set-up made it."
)


@dataclass(frozen=True)
class VideoRow:
    """A value measured from video as a report shows it: test, value, ``± sd``, verdict."""

    test: str
    value: str
    uncertainty: str
    verdict: str


def video_rows(measurements: Sequence[VideoMeasurement]) -> list[VideoRow]:
    """Return the video measurements of an assessment as report rows.

    Examples
    --------
    >>> from hiplab.records.intake import VideoMeasurement
    >>> m = VideoMeasurement(test="thomas.right.thigh_angle_deg", label="Thomas test, right thigh "
    ...                      "angle", value=-9.6, unit="°", uncertainty=4.0, verdict="reliable")
    >>> [(r.test, r.value, r.uncertainty, r.verdict) for r in video_rows([m])]
    [('Thomas test, right thigh angle', '-9.6°', '± 4°', 'reliable')]

    """
    rows = []
    for m in measurements:
        unit = "" if m.unit == "points" else m.unit
        value = with_unit(fmt_num(m.value), unit) + (" points" if m.unit == "points" else "")
        sd = (
            "none (a score)"
            if m.uncertainty is None
            else f"± {with_unit(fmt_num(m.uncertainty), unit)}"
        )
        rows.append(VideoRow(m.label[:1].upper() + m.label[1:], value, sd, m.verdict))
    return rows
