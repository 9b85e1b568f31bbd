"""``hiplab analyze``: measure a squat, landing, Thomas test or held pose from a video."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import typer

from hiplab.cli.app import app, console, dump_json, fail, settings

if TYPE_CHECKING:
    from rich.console import Console

    from hiplab.motion.analyze import Analysis, SavedAnalysis

Task = Literal["squat", "landing", "thomas", "hold", "angles"]
TextOrJson = Literal["text", "json"]


def parse_person_box(value: str | None) -> tuple[float, float, float, float] | None:
    """Parse ``x,y,w,h`` (pixels); exit 2 naming the option when it is not four numbers."""
    if value is None:
        return None
    parts = [p.strip() for p in value.split(",")]
    try:
        numbers = tuple(float(p) for p in parts)
    except ValueError:
        numbers = ()
    if len(numbers) != 4 or numbers[2] <= 0 or numbers[3] <= 0 or min(numbers[:2]) < 0:
        fail(
            f"--person-box {value!r}: expected x,y,w,h in pixels (four numbers, x and y ≥ 0, "
            "w and h > 0), e.g. --person-box 100,50,300,600"
        )
    x, y, w, h = numbers
    return x, y, w, h


def _fmt(value: Any, unit: str = "", sd: Any = None) -> str:
    if value is None:
        return "—"
    text = f"{value:g}" if isinstance(value, float) else str(value)
    if sd is not None:
        text += f" ± {sd:g}"
    return f"{text}{unit}"


def _squat_lines(doc: dict[str, Any]) -> list[str]:
    lines = []
    for i, rep in enumerate(doc["reps"], start=1):
        rsd = rep["uncertainty"]
        knee = _fmt(rep["peak_knee_flexion_deg"], "°", rsd.get("peak_knee_flexion_deg"))
        hip = _fmt(rep["peak_hip_flexion_deg"], "°", rsd.get("peak_hip_flexion_deg"))
        lines.append(
            f"rep {i}: frames {rep['start_frame']}–{rep['bottom_frame']}–{rep['end_frame']}"
            f"  knee {knee}  hip {hip}"
            f"  thigh at bottom {_fmt(rep['thigh_angle_at_bottom_deg'], '°')}"
            f"{'' if rep['complete'] else '  (cut off)'}"
        )
    summary = doc["summary"]
    if summary.get("depth"):
        depth = summary["depth"]
        lines.append(
            f"depth: {depth['reps_at_or_below_parallel']} of {depth['reps_measured']} reps "
            "at or below parallel"
        )
    if summary.get("fms_deep_squat"):
        fms = summary["fms_deep_squat"]
        lines.append(
            f"FMS deep squat: at most {fms['best_possible_score']} from what was filmed "
            f"(rep {fms['best_rep']}; not judged: {'; '.join(fms['not_judged'])})"
        )
    if summary.get("heel_rise"):
        lines.append(f"heels rise: {'yes' if summary['heel_rise']['heels_rise'] else 'no'}")
    if summary.get("asymmetry"):
        a = summary["asymmetry"]
        fppa = a["peak_knee_fppa_deg"]
        lines.append(
            f"knee valgus (FPPA) left {_fmt(fppa['left'], '°')}, right {_fmt(fppa['right'], '°')}; "
            f"more valgus: {a['more_valgus_side'] or 'no clear side'}"
        )
    return lines


def _landing_lines(doc: dict[str, Any]) -> list[str]:
    sd = doc.get("uncertainty") or {}
    at_ic = _fmt(doc["knee_flexion_at_contact_deg"], "°", sd.get("knee_flexion_at_contact_deg"))
    peak = _fmt(doc["peak_knee_flexion_deg"], "°", sd.get("peak_knee_flexion_deg"))
    ms = _fmt(doc["time_to_peak_knee_flexion_ms"], " ms", sd.get("time_to_peak_knee_flexion_ms"))
    lines = [
        f"initial contact: frame {_fmt(doc['initial_contact_frame'])}",
        f"knee flexion at contact {at_ic}, peak {peak} at frame "
        f"{_fmt(doc['peak_knee_flexion_frame'])}, {ms} after contact",
    ]
    if doc["stiff_landing"] is not None:
        verdict = "stiff" if doc["stiff_landing"] else "not stiff"
        lines.append(f"landing: {verdict} (stiff when {doc['stiff_landing_rule']})")
    if doc.get("peak_knee_fppa_deg"):
        f = doc["peak_knee_fppa_deg"]
        lines.append(f"peak knee FPPA: left {_fmt(f['left'], '°')}, right {_fmt(f['right'], '°')}")
    less = doc["less"]
    lines.append(
        f"LESS items scored from this view: {less['scored_items']} of 17, "
        f"{less['errors']} error(s) of {less['max_errors_scored']} (not a LESS total)"
    )
    return lines


def _thomas_lines(doc: dict[str, Any]) -> list[str]:
    return [doc[side]["interpretation"] for side in ("left", "right") if doc.get(side)]


def _hold_lines(doc: dict[str, Any]) -> list[str]:
    return [
        f"{side} ({hold['orientation']}): {hold['time_in_pose_s']:g} s in the pose, "
        f"longest {hold['longest_hold_s']:g} s, {len(hold['intervals'])} interval(s)"
        for side, hold in doc["sides"].items()
    ]


def _angles_lines(doc: dict[str, Any]) -> list[str]:
    return [
        f"{name}: {r['min_deg']:g}° to {r['max_deg']:g}° (± {r['uncertainty_deg']:g}°)"
        for name, r in doc["angles"].items()
        if r["max_deg"] is not None
    ]


TASK_LINES = {
    "squat": _squat_lines,
    "landing": _landing_lines,
    "thomas": _thomas_lines,
    "hold": _hold_lines,
    "angles": _angles_lines,
}


def render_text(analysis: Analysis, out: Console) -> None:
    """Print a short summary of an analysis."""
    from rich.markup import escape

    doc = analysis.document()
    camera = doc["camera"]
    out.print(
        f"[bold]{escape(doc['task'])}[/] — {escape(doc['source'])}: {doc['frames']} frames at "
        f"{doc['fps']:g} fps, {camera['view']} view"
        + (f", {camera['near_side']} side nearer" if camera.get("near_side") else "")
    )
    if doc["partial"]:
        out.print("[bold yellow]PARTIAL:[/] the video cuts a measurement short; see warnings")
    for line in TASK_LINES[doc["task"]](doc):
        out.print(escape(line))
    for w in doc["warnings"]:
        out.print(f"[yellow]{w['severity']}[/] {escape(w['code'])}: {escape(w['message'])}")
    for path in (doc.get("files") or {}).values():
        if path:
            out.print(f"wrote {escape(path)}")
    for key, why in (doc.get("skipped_files") or {}).items():
        out.print(f"skipped {escape(key)}: {escape(why)}")


def _saved(saved: SavedAnalysis) -> None:
    chains = ", ".join(saved.chains) or "none"
    console(stderr=True).print(
        f"saved assessment {saved.assessment_id} (provenance video) for {saved.person!r}; "
        f"chains: {chains}"
    )


@app.command()
def analyze(
    source: Annotated[
        Path,
        typer.Argument(
            metavar="INPUT", help="A video file, or a folder of OpenPose *_keypoints.json files."
        ),
    ],
    task: Annotated[
        Task, typer.Option("--task", "-t", help="squat, landing, thomas, hold or angles.")
    ],
    exercise: Annotated[
        str | None, typer.Option("--exercise", help="Library exercise id (needed by --task hold).")
    ] = None,
    fps: Annotated[
        float | None,
        typer.Option("--fps", help="Frame rate: required for OpenPose JSON; overrides a video's."),
    ] = None,
    model: Annotated[
        Path | None, typer.Option("--model", help="A MediaPipe .task pose model to use instead.")
    ] = None,
    person_box: Annotated[
        str | None,
        typer.Option("--person-box", help="x,y,w,h in pixels: follow the person in this box."),
    ] = None,
    fmt: Annotated[
        TextOrJson, typer.Option("--format", "-f", help="text (summary) or json (stdout).")
    ] = "text",
    outdir: Annotated[
        Path | None, typer.Option("--output", "-o", help="Folder for the output files.")
    ] = None,
    save: Annotated[
        str | None,
        typer.Option(
            "--save", metavar="PERSON", help="Store the measured tests as PERSON's assessment."
        ),
    ] = None,
) -> None:
    """Measure joint angles and a task (squat, landing, Thomas test, hold) from a video."""
    from hiplab.motion.analyze import (
        AnalyzeRequest,
        analyze,
        check_request,
        save_analysis,
        stored_person,
    )

    request = AnalyzeRequest(
        source=source,
        task=task,
        exercise=exercise,
        fps=fps,
        model=model,
        person_box=parse_person_box(person_box),
        outdir=outdir,
    )
    check_request(request, save=save is not None)
    record = None if save is None else stored_person(person=save, settings=settings())
    analysis = analyze(request)
    saved = None
    if save is not None:
        saved = save_analysis(analysis=analysis, person=save, settings=settings(), record=record)
    if fmt == "json":
        document = analysis.document()
        if saved is not None:
            document["saved"] = saved.model_dump(mode="json")
        typer.echo(dump_json(document), nl=False)
    else:
        render_text(analysis, console())
    if saved is not None:
        _saved(saved)
