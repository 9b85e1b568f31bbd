"""A standalone, printable HTML report of an assessment.

:func:`render_html` turns an :class:`~hiplab.records.assessment.Assessment` into
small view records (plain strings and trusted SVG) and renders them with the
Jinja2 template ``templates/report.html.j2`` (autoescaped). The page has no
external assets: CSS and pictures are inline, so it can be saved, mailed or
printed to PDF as is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from hiplab.assess.safety import describe, not_suitable_for, shown
from hiplab.explain.chains import heading, node_labels, route_note
from hiplab.library.loader import Library
from hiplab.library.models import Exercise
from hiplab.records.assessment import (
    Assessment,
    Chain,
    Finding,
    JointLimit,
    Precaution,
    Recommendation,
    most_urgent_first,
)
from hiplab.report._format import (
    GRADE_WORDS,
    SIDE_WORDS,
    VIDEO_NOTE,
    finding_details,
    finding_name,
    fmt_dosage,
    fmt_value,
    humanise,
    norm_words,
    test_name,
    video_rows,
    withheld_name,
)
from hiplab.report.bars import bar_range, norm_bar_svg
from hiplab.report.chain_svg import chain_svg
from hiplab.report.figure import pose_svg

if TYPE_CHECKING:
    from hiplab.records.intake import VideoMeasurement

REFERRAL_MESSAGE = (
    "Exercise suggestions are held back until a clinician has checked the warning signs "
    "above. Take this report with you."
)


@dataclass(frozen=True)
class FindingRow:
    """One row of the findings table."""

    test: str
    finding: str
    side: str
    value: str
    norm: str
    severity: str
    summary: str
    bar: Markup


@dataclass(frozen=True)
class Meaning:
    """What a finding means, in plain words."""

    label: str
    plain: str
    note: str


@dataclass(frozen=True)
class SourceView:
    """A cited source as shown in the report."""

    citation: str
    url: str | None
    verified: bool


@dataclass(frozen=True)
class ChainView:
    """One chain with its grade, explanation and sources.

    ``title`` is worded by the evidence grade (:func:`hiplab.explain.chains.claim`);
    ``route`` says, for a link that starts from a state hiplab did not measure,
    which link it was reached through ("" otherwise).
    """

    id: str
    title: str
    grade: str
    grade_words: str
    inferred: bool
    route: str
    because: tuple[str, ...]
    explanation: str
    sources: tuple[SourceView, ...]


@dataclass(frozen=True)
class Picture:
    """A pose picture and its caption."""

    svg: Markup
    caption: str


@dataclass(frozen=True)
class ExerciseCard:
    """An exercise with dose, steps and pictures; ``why`` says why it is suggested."""

    id: str
    name: str
    kind: str
    why: str
    addresses: tuple[str, ...]
    dosage: str | None
    steps: tuple[str, ...]
    pictures: tuple[Picture, ...]
    mistakes: tuple[str, ...] = ()
    contraindications: tuple[str, ...] = ()
    evidence: str = ""
    sources: tuple[SourceView, ...] = ()


def not_suitable_lines(exercise: Exercise, library: Library) -> tuple[str, ...]:
    """Return "not for …" lines written from the exercise's structured safety facts."""
    labels = {c.id.value: c.label for c in library.conditions.values()}
    return tuple(
        f"{label[0].upper()}{label[1:]}: {why}" for label, why in not_suitable_for(exercise, labels)
    )


@dataclass(frozen=True)
class PrecautionView:
    """A precaution in words and the reason for it."""

    text: str
    reason: str


@cache
def template_environment() -> Environment:
    """Return the Jinja2 environment of the report templates (autoescaped, strict)."""
    return Environment(
        loader=PackageLoader("hiplab.report", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def meanings(findings: tuple[Finding, ...], library: Library) -> list[Meaning]:
    """Return what each distinct finding means, for findings the library describes."""
    out: list[Meaning] = []
    for finding_id in dict.fromkeys(f.id for f in findings):
        meaning = library.findings.get(finding_id)
        if meaning is not None:
            out.append(Meaning(meaning.label, meaning.plain, meaning.structural_note))
    return out


def _bar(finding: Finding, library: Library) -> Markup:
    norm, value = finding.norm, finding.value
    if norm is None or norm.direction == "flag" or value is None or isinstance(value, bool):
        return Markup("")
    test = library.tests.get(finding.test)
    lo, hi = (test.minimum, test.maximum) if test else (float("-inf"), float("inf"))
    lo, hi = bar_range(float(value), norm.limit, norm.typical, lo=lo, hi=hi)
    svg = norm_bar_svg(float(value), norm.limit, norm.typical, norm.direction, finding.unit, lo, hi)
    return Markup(svg)  # trusted: norm_bar_svg escapes every text it draws


def finding_rows(findings: tuple[Finding, ...], library: Library) -> list[FindingRow]:
    """Return the findings table rows, most severe first, then by test and side."""
    rank = {"severe": 0, "moderate": 1, "mild": 2}
    ordered = sorted(findings, key=lambda f: (rank[f.severity], f.test, str(f.side)))
    return [
        FindingRow(
            test=test_name(f.test, library),
            finding=finding_name(f.id, library),
            side=SIDE_WORDS[f.side],
            value=fmt_value(f.value, f.unit),
            norm=norm_words(f),
            severity=f.severity,
            summary=finding_details(f),
            bar=_bar(f, library),
        )
        for f in ordered
    ]


def chain_view(chain: Chain, library: Library, among: Sequence[Chain] = ()) -> ChainView:
    """Return a chain in lay words with its sources looked up.

    ``among`` is the assessment's other chains, used to name the link through
    which an inferred chain's start was reached.
    """
    labels = node_labels(library.chains)
    return ChainView(
        id=chain.id,
        title=heading(chain, labels),
        grade=chain.evidence.value,
        grade_words=GRADE_WORDS[chain.evidence],
        inferred=chain.inferred,
        route=route_note(chain, among, labels),
        because=tuple(finding_name(f, library) for f in chain.because),
        explanation=chain.explanation,
        sources=_sources(chain.sources, library),
    )


def chain_views(chains: Sequence[Chain], library: Library) -> list[ChainView]:
    """Return every chain of an assessment as a view, each inferred link saying its route."""
    return [chain_view(c, library, chains) for c in chains]


def pictures(exercise: Exercise, *, width: int = 140, height: int = 116) -> tuple[Picture, ...]:
    """Return one captioned stick figure per keyframe of an exercise's pose."""
    return tuple(
        Picture(
            svg=Markup(  # trusted: pose_svg escapes its title
                pose_svg(
                    exercise.pose,
                    keyframe=i,
                    width=width,
                    height=height,
                    title=f"{exercise.name}: {frame.label}",
                )
            ),
            caption=frame.label,
        )
        for i, frame in enumerate(exercise.pose.keyframes)
    )


def exercise_card(recommendation: Recommendation, library: Library) -> ExerciseCard:
    """Return a card for a recommendation, with dose, steps and pose pictures if known."""
    exercise = library.exercises.get(recommendation.exercise_id)
    return ExerciseCard(
        id=recommendation.exercise_id,
        name=recommendation.name,
        kind=humanise(recommendation.kind),
        why=recommendation.why,
        addresses=tuple(finding_name(a, library) for a in recommendation.addresses),
        dosage=fmt_dosage(exercise.dosage) if exercise else None,
        steps=exercise.steps if exercise else (),
        pictures=pictures(exercise) if exercise else (),
        mistakes=exercise.mistakes if exercise else (),
    )


def _sources(source_ids: tuple[str, ...], library: Library) -> tuple[SourceView, ...]:
    out = []
    for source_id in source_ids:
        source = library.sources.get(source_id)
        if source is None:
            out.append(SourceView(citation=source_id, url=None, verified=False))
        else:
            out.append(SourceView(source.citation, source.url, source.verified))
    return tuple(out)


def render_exercise_card(exercise: Exercise, *, library: Library) -> str:
    """Render one exercise as a standalone HTML page: pictures, dose, steps, cautions.

    Parameters
    ----------
    exercise
        The exercise to show.
    library
        Library used to look up the exercise's sources.

    Returns
    -------
    str
        A complete HTML document with inline CSS and SVG.

    """
    card = ExerciseCard(
        id=exercise.id,
        name=exercise.name,
        kind=humanise(exercise.kind.value),
        why="",
        addresses=(),
        dosage=fmt_dosage(exercise.dosage),
        steps=exercise.steps,
        pictures=pictures(exercise, width=200, height=165),
        mistakes=exercise.mistakes,
        contraindications=not_suitable_lines(exercise, library),
        evidence=exercise.evidence,
        sources=_sources(exercise.sources, library),
    )
    return template_environment().get_template("exercise.html.j2").render(card=card)


def precaution_view(precaution: Precaution, library: Library) -> PrecautionView:
    """Say a precaution in plain words, naming motions as the library does."""
    motion_name = None
    if isinstance(precaution, JointLimit):
        motion = library.motions.get(precaution.motion)
        motion_name = motion.name if motion else None
    return PrecautionView(describe(precaution, motion_name=motion_name), precaution.reason)


def _diagram(assessment: Assessment, library: Library) -> Markup:
    svg = chain_svg(
        assessment.chains,
        assessment.findings,
        node_labels={node.id: node.label for node in library.chains.nodes},
        finding_labels={key: meaning.label for key, meaning in library.findings.items()},
    )
    return Markup(svg)  # trusted: chain_svg escapes every label


def _context(
    assessment: Assessment,
    library: Library,
    person_label: str,
    date: str,
    video: Sequence[VideoMeasurement] = (),
) -> dict[str, object]:
    flags = most_urgent_first(assessment.red_flags)
    return {
        "video_rows": video_rows(video),
        "video_note": VIDEO_NOTE,
        "a": assessment,
        "person_label": person_label,
        "date": date,
        "red_flags": flags,
        "precautions": [precaution_view(p, library) for p in shown(assessment.precautions)],
        "findings": finding_rows(assessment.findings, library),
        "meanings": meanings(assessment.findings, library),
        "chain_diagram": _diagram(assessment, library),
        "chains": chain_views(assessment.chains, library),
        "cards": []
        if assessment.refer
        else [exercise_card(r, library) for r in assessment.recommendations],
        "referral_message": REFERRAL_MESSAGE,
        "missing": [test_name(t, library) for t in assessment.missing_tests],
        "withheld": [(withheld_name(w, library), w.reason) for w in assessment.tests_not_suggested],
    }


def render_html(
    assessment: Assessment,
    *,
    library: Library,
    person_label: str,
    date: str,
    video_measurements: Sequence[VideoMeasurement] = (),
) -> str:
    """Render an assessment as a standalone, printable HTML page.

    Parameters
    ----------
    assessment
        The result to show.
    library
        Library used to name tests and motions, look up sources and exercises.
    person_label
        Who the report is for, as shown in the header (escaped).
    date
        Date shown in the header, already formatted.
    video_measurements
        The input's values measured from video
        (:attr:`~hiplab.records.intake.AssessmentInput.video_measurements`): each is shown
        with its ``± sd`` and verdict, marked as measured from video.

    Returns
    -------
    str
        A complete HTML document with inline CSS and SVG. When
        ``assessment.refer`` is true the exercise cards are left out and a
        referral message stands in their place.

    """
    template = template_environment().get_template("report.html.j2")
    return template.render(_context(assessment, library, person_label, date, video_measurements))
