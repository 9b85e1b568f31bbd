"""Video analysis in the web app: uploads, the job, the results page, files and measurements.

Every test runs on SQLite and PostgreSQL. Uploads are real bytes through the real app;
jobs run through the real worker function (``run_one``) or the worker thread. The
sports2d demo video (fetched once, see tests/motion/demo_video.py) drives the full
path: upload → a worker that dies → restart → done → results → assessment.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import re
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from html import unescape
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from fastapi import FastAPI
from starlette.types import Message

from hiplab.motion.tasks.names import TASK_NAMES
from hiplab.motion.tasks.registry import TASKS
from hiplab.services.videos import jobs as analysis_jobs
from hiplab.services.videos import results, uploads
from hiplab.settings import Settings
from hiplab.store import PersonRef, Store, StoredJob
from hiplab.web.app import create_app
from hiplab.web.jobs import run_one
from hiplab.web.videos import JOB_HANDLERS
from tests.web.conftest import TestClient, World, csrf_of_page, login, make_world, new_client
from tests.web.video_helpers import corrupt_mp4, finished_analysis_job, gray_video


def upload_dir(settings: Settings) -> Path:
    return settings.resolved_upload_dir()


def stored_files(settings: Settings) -> list[Path]:
    """Every file under the upload folder (none when it does not exist)."""
    folder = upload_dir(settings)
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def video_jobs(store: Store, person_id: int) -> list[StoredJob]:
    return [j for j in store.jobs.all(person_id=person_id) if j.kind == analysis_jobs.JOB_KIND]


@pytest.fixture
def coach(client: TestClient, world: World) -> str:
    """Log the app's client in as Alice's coach; return the CSRF token."""
    return login(client, "a@coach.test")


def api_upload(
    client: TestClient,
    csrf: str,
    person_id: int,
    content: bytes,
    *,
    name: str = "clip.mp4",
    fields: dict[str, str] | None = None,
) -> Any:
    return client.post(
        f"/api/v1/people/{person_id}/videos",
        files={"video": (name, content, "video/mp4")},
        data=fields or {"task": "landing"},
        headers={"X-CSRF-Token": csrf},
    )


def form_upload(
    client: TestClient,
    csrf: str,
    person_id: int,
    content: bytes,
    *,
    name: str = "clip.mp4",
    fields: dict[str, str] | None = None,
) -> Any:
    """Post the upload form as a browser without JavaScript does (token in the form)."""
    return client.post(
        f"/people/{person_id}/videos",
        files={"video": (name, content, "application/octet-stream")},
        data={"csrf_token": csrf, **(fields or {"task": "landing"})},
        follow_redirects=False,
    )


# --- the form -----------------------------------------------------------------------------------


def test_the_person_page_has_the_upload_form_for_the_coach_only(
    app: FastAPI, client: TestClient, world: World, coach: str
) -> None:
    page = client.get(f"/people/{world.alice}").text
    assert f'action="/people/{world.alice}/videos"' in page
    assert 'enctype="multipart/form-data"' in page and 'type="file" name="video"' in page
    assert '<script src="/static/upload.js" defer></script>' in page
    options = re.findall(r'<option value="(\w+)"(?: selected)?>([^<]+)</option>', page)
    assert [value for value, _ in options if value in TASK_NAMES] == list(TASK_NAMES)
    labels = dict(options)
    for name, spec in TASKS.items():  # each choice reads the registry's title and choice text
        assert labels[name] == f"{spec.title}: {spec.choice}"
    alice = new_client(app)
    login(alice, "alice@client.test")
    own = alice.get("/me").text
    assert f'href="/people/{world.alice}/videos"' in own
    assert 'name="video"' not in own  # a client sees their analyses but uploads nothing


def test_the_upload_page_shows_the_camera_set_up_of_the_chosen_task(
    client: TestClient, world: World, coach: str, tmp_path: Path
) -> None:
    from hiplab.motion.setup_guide import guide
    from hiplab.motion.tasks.registry import TASKS

    page = client.get(f"/people/{world.alice}/videos").text
    opened = re.findall(r'<details class="setup-guide" data-task="(\w+)" open>', page)
    assert opened == ["squat"]  # the form's default task
    text = main_text(page)
    for task, spec in TASKS.items():
        assert f"Camera set-up: {spec.title}" in text
        for step in guide(task):
            assert step in text, (task, step)
    # A refused upload shows the form again with the task chosen, and that task's guide open.
    video = gray_video(tmp_path / "gray.avi")
    again = form_upload(client, coach, world.alice, video, fields={"task": "landing", "fps": "x"})
    assert again.status_code == 422
    assert re.findall(r'data-task="(\w+)" open>', again.text) == ["landing"]
    # The person's page links to the guide (it lives on the upload page).
    person = client.get(f"/people/{world.alice}").text
    assert f'href="/people/{world.alice}/videos#setup-guide-{world.alice}"' in person
    assert f'id="setup-guide-{world.alice}"' in page


def test_the_static_scripts_are_served_and_the_pages_have_no_inline_script(
    client: TestClient, world: World, coach: str
) -> None:
    for name in ("upload.js", "job.js", "video.css"):
        assert client.get(f"/static/{name}").status_code == 200
    page = client.get(f"/people/{world.alice}/videos").text
    assert "<script>" not in page and "<script src=" in page


# --- upload limits and sniffing -----------------------------------------------------------------


@dataclass(frozen=True)
class Small:
    """An app whose upload limit is 1 MB, its world, the coach's browser and CSRF token."""

    browser: TestClient
    world: World
    csrf: str
    settings: Settings
    store: Store


@pytest.fixture
def small(settings: Settings) -> Iterator[Small]:
    limited = settings.model_copy(update={"max_upload_mb": 1})
    app = create_app(limited, run_jobs=False)
    with TestClient(app) as browser:
        store = app.state.hiplab.store
        world = make_world(store)
        yield Small(browser, world, login(browser, "a@coach.test"), limited, store)


def _too_big(size: int) -> bytes:
    return corrupt_mp4()[:40] + b"\x00" * (size - 40)


def test_an_upload_over_the_limit_is_refused_and_nothing_stays(small: Small) -> None:
    browser, world, csrf, settings = small.browser, small.world, small.csrf, small.settings
    just_over = _too_big(2**20 + 1)  # within the form slack: cut by the copy itself
    far_over = _too_big(3 * 2**20)  # Content-Length above the limit: refused before reading
    for content in (just_over, far_over):
        answer = api_upload(browser, csrf, world.alice, content)
        assert answer.status_code == 413, answer.text
        assert "larger than the 1 MB allowed" in answer.json()["detail"]
        page = form_upload(browser, csrf, world.alice, content)
        assert page.status_code == 413
        assert "larger than the 1 MB allowed" in page.text and "<html" in page.text
    assert stored_files(settings) == []
    assert video_jobs(small.store, world.alice) == []


def test_a_streamed_body_without_length_is_cut_at_the_limit(small: Small) -> None:
    browser, world, csrf, settings = small.browser, small.world, small.csrf, small.settings
    boundary = "hiplabboundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="task"\r\n\r\nlanding\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="video"; filename="a.mp4"\r\n'
        "Content-Type: video/mp4\r\n\r\n"
    ).encode()
    sent = []

    def chunks() -> Iterator[bytes]:
        yield head + corrupt_mp4()[:40]
        for _ in range(8):  # 8 × 256 KiB: twice the limit, no Content-Length (chunked)
            sent.append(1)
            yield b"\x00" * 2**18
        yield f"\r\n--{boundary}--\r\n".encode()

    answer = browser.post(
        f"/api/v1/people/{world.alice}/videos",
        content=chunks(),
        headers={
            "X-CSRF-Token": csrf,
            "Content-Type": f"multipart/form-data; boundary={boundary}",
        },
    )
    assert answer.status_code == 413 and "1 MB" in answer.json()["detail"]
    assert stored_files(settings) == []


def test_the_type_comes_from_the_content_not_the_name(
    client: TestClient, world: World, coach: str, settings: Settings, tmp_path: Path
) -> None:
    text = api_upload(client, coach, world.alice, b"just some notes\n" * 20, name="squat.mp4")
    assert text.status_code == 415
    message = text.json()["detail"]
    assert (
        "'squat.mp4'" in message and "MP4, MOV (QuickTime), WebM, MKV (Matroska) or AVI" in message
    )
    wav = b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\x00" * 64  # RIFF, but audio
    assert api_upload(client, coach, world.alice, wav, name="a.avi").status_code == 415
    page = form_upload(client, coach, world.alice, b"%PDF-1.7\n" * 10, name="x.mov")
    assert page.status_code == 415 and "content is no video container" in page.text
    assert stored_files(settings) == []

    video = gray_video(tmp_path / "gray.avi")
    accepted = api_upload(client, coach, world.alice, video, name="notes.txt")
    assert accepted.status_code == 202, accepted.text
    job = accepted.json()
    assert accepted.headers["location"] == f"/api/v1/jobs/{job['id']}"
    assert job["state"] == "queued" and job["kind"] == "video_analysis"
    assert job["video"] == {
        "filename": "notes.txt",
        "size": len(video),
        "task": "landing",
        "exercise": None,
        "fps": None,
    }
    [stored] = stored_files(settings)
    assert stored.name == "video.avi" and stored.read_bytes() == video
    assert len(stored.parent.name) == 32 and stored.parent.parent == upload_dir(settings)


def test_the_client_file_name_never_reaches_the_filesystem(
    client: TestClient, world: World, coach: str, settings: Settings, tmp_path: Path
) -> None:
    video = gray_video(tmp_path / "gray.mp4", fourcc="mp4v")
    for name in (
        "../../escape.mp4",
        "..\\..\\escape.mp4",
        "/etc/passwd",
        "<img src=x onerror=alert(1)>.mp4",
    ):
        answer = form_upload(client, coach, world.alice, video, name=name)
        assert answer.status_code == 303, answer.text
    files = stored_files(settings)
    assert [f.name for f in files] == ["video.mp4"] * 4
    assert not list(tmp_path.rglob("escape.mp4"))
    listing = client.get(f"/people/{world.alice}/videos").text
    assert "&lt;img src=x onerror=alert(1)&gt;.mp4" in listing and "<img src=x" not in listing
    assert listing.count(">escape.mp4<") == 2 and ">passwd<" in listing


BAD_OPTIONS: list[tuple[dict[str, str], list[str]]] = [
    ({"task": "jump"}, ["task 'jump' is not allowed", "squat, landing, thomas, hold, angles"]),
    ({"task": "squat", "fps": "fast"}, ["fps 'fast' is not a number", "1 to 1000"]),
    ({"task": "squat", "fps": "0"}, ["fps '0' is not allowed"]),
    ({"task": "hold"}, ["exercise is needed by the hold task", "pigeon_stretch"]),
    ({"task": "hold", "exercise": "pigeon_strech"}, ["unknown exercise", "pigeon_stretch"]),
    ({"task": "squat", "exercise": "pigeon_stretch"}, ["only with task hold"]),
]


def test_bad_options_name_the_field_and_store_nothing(
    client: TestClient, world: World, coach: str, settings: Settings, tmp_path: Path
) -> None:
    video = gray_video(tmp_path / "gray.avi")
    for fields, needles in BAD_OPTIONS:
        answer = api_upload(client, coach, world.alice, video, fields=fields)
        assert answer.status_code == 422, fields
        for needle in needles:
            assert needle in answer.json()["detail"]
        page = form_upload(client, coach, world.alice, video, fields=fields)
        assert page.status_code == 422
        assert needles[0].replace("'", "&#39;") in page.text
        assert f'value="{fields.get("fps", "")}"' in page.text  # the form keeps what was typed
    assert stored_files(settings) == []


def test_no_file_chosen(client: TestClient, world: World, coach: str) -> None:
    answer = client.post(
        f"/api/v1/people/{world.alice}/videos",
        data={"task": "squat"},
        headers={"X-CSRF-Token": coach},
    )
    assert answer.status_code == 422 and "choose a video file" in answer.json()["detail"]


def test_only_the_coach_of_the_person_uploads(
    app: FastAPI, client: TestClient, world: World, tmp_path: Path, settings: Settings
) -> None:
    video = gray_video(tmp_path / "gray.avi")
    for email in ("b@coach.test", "alice@client.test"):
        browser = new_client(app)
        csrf = login(browser, email)
        assert api_upload(browser, csrf, world.alice, video).status_code == 404
    coach = new_client(app)
    login(coach, "a@coach.test")
    assert api_upload(coach, "forged", world.alice, video).status_code == 403
    assert form_upload(coach, "forged", world.alice, video).status_code == 403
    assert stored_files(settings) == []


# --- the job ------------------------------------------------------------------------------------


def test_a_malformed_video_fails_its_job_with_a_clear_message(
    client: TestClient, world: World, coach: str, store: Store, settings: Settings, tmp_path: Path
) -> None:
    corrupt = api_upload(client, coach, world.alice, corrupt_mp4(), name="broken.mp4").json()
    nobody = api_upload(
        client, coach, world.alice, gray_video(tmp_path / "g.avi"), name="empty room.avi"
    ).json()
    handled = [run_one(store, settings, JOB_HANDLERS) for _ in range(3)]
    assert handled == [True, True, False]  # both ran; the world's test job is not ours
    broken = client.get(f"/api/v1/jobs/{corrupt['id']}").json()
    assert broken["state"] == "failed" and broken["result"] is None
    assert (
        "'broken.mp4' looks like a MP4/QuickTime file but has no decodable video stream"
        in broken["error"]
    )
    empty = client.get(f"/api/v1/jobs/{nobody['id']}").json()
    assert empty["state"] == "failed" and "no person found" in empty["error"]
    for error in (broken["error"], empty["error"]):
        assert str(upload_dir(settings)) not in error  # no server path in the message
    assert stored_files(settings) == []  # a video that cannot be analysed is not kept
    page = client.get(f"/jobs/{corrupt['id']}")
    assert page.status_code == 200 and "The analysis failed" in page.text
    assert "no decodable video stream" in page.text and "<progress" not in page.text
    assert client.get("/api/v1/me").status_code == 200  # the server carries on


def test_a_queued_job_page_shows_progress_and_refreshes(
    client: TestClient, world: World, coach: str, tmp_path: Path
) -> None:
    job = form_upload(client, coach, world.alice, gray_video(tmp_path / "g.avi"))
    assert job.status_code == 303 and job.headers["location"].startswith("/jobs/")
    page = client.get(job.headers["location"]).text
    assert '<progress id="job-progress" max="1" value="0.0">' in page
    assert '<noscript><meta http-equiv="refresh" content="5"></noscript>' in page
    assert 'data-job-poll="/api/v1' in page and '<script src="/static/job.js" defer>' in page
    listing = client.get(f"/api/v1/people/{world.alice}/jobs").json()
    assert [j["kind"] for j in listing] == ["video_analysis", "test_job"]
    assert listing[0]["video"]["filename"] == "clip.mp4" and listing[0]["progress"] == 0.0


def test_progress_rises_from_frames_and_stages() -> None:
    seen: list[float] = []
    meter = analysis_jobs._Meter(seen.append)
    for done in range(0, 101):
        meter.frames(done, 100)
    for stage in ("track", "kinematics", "task", "outputs"):
        meter.stage(stage)
    assert seen[0] == pytest.approx(0.02) and seen[-1] == pytest.approx(0.99)
    assert all(b > a for a, b in itertools.pairwise(seen))
    assert len(seen) > 20  # frames move the bar, 1 % at a time at least
    assert seen[-3:] == [0.85, 0.9, 0.99] and pytest.approx(0.8) in seen


# --- results, files, measurements ---------------------------------------------------------------


@pytest.fixture
def thomas_job(store: Store, settings: Settings, world: World, tmp_path: Path) -> StoredJob:
    """A modified Thomas test of Alice's, filmed square from the side: its values are reliable."""
    return finished_analysis_job(
        store, settings, person_id=world.alice, owner_id=world.coach_a, workdir=tmp_path
    )


@pytest.fixture
def landing_job(store: Store, settings: Settings, world: World, tmp_path: Path) -> StoredJob:
    """A drop landing of Alice's from jittering keypoints: measured, but only roughly."""
    return finished_analysis_job(
        store,
        settings,
        person_id=world.alice,
        owner_id=world.coach_a,
        workdir=tmp_path,
        clip="rough_landing",
    )


CODES = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")
"""A snake_case id, key or warning code: none may reach what people read."""


def main_text(html: str) -> str:
    """Return the words of a page's ``<main>`` as people read them (tags, scripts left out)."""
    main = re.search(r"<main.*?</main>", html, re.S)
    assert main, "no <main> in the page"
    words = re.sub(
        r"<[^>]+>", " ", re.sub(r"<(script|style).*?</\1>", "", main.group(0), flags=re.S)
    )
    return re.sub(r"\s+", " ", unescape(words))


def shown(value: float) -> str:
    """A value as the pages show it: at most one decimal."""
    return f"{round(value, 1):g}"


def spread(sd: float) -> str:
    """An uncertainty as the pages show it: at most one decimal, two digits when below 1."""
    return f"{sd:.2g}" if 0 < sd < 1 else shown(sd)


def metrics_of(client: TestClient, job: StoredJob) -> dict[str, Any]:
    """The job's metrics.json: the numbers the page must show."""
    document: dict[str, Any] = client.get(f"/jobs/{job.id}/files/metrics.json").json()
    return document


def stored_lines(document: dict[str, Any]) -> list[str]:
    """How each value "use these measurements" stores reads in the page's table."""
    return [
        f"{m['label']} {shown(m['value'])} {m['unit']} ± {spread(m['uncertainty'])} {m['unit']} "
        f"{m['verdict']['text']}"
        for m in document["measured"]
    ]


def test_the_results_page_of_a_reliable_analysis(
    app: FastAPI, client: TestClient, world: World, coach: str, thomas_job: StoredJob
) -> None:
    page = client.get(f"/jobs/{thomas_job.id}")
    assert page.status_code == 200
    html, text = page.text, main_text(page.text)
    doc = metrics_of(client, thomas_job)
    assert doc["verdict"]["level"] == "reliable" and len(doc["measured"]) == 2
    assert "Video analysis: thomas &lt;1&gt;.mp4" in html
    assert "Alice · Modified Thomas test · 30.0 fps" in text
    assert f'<img src="/jobs/{thomas_job.id}/files/plot.png"' in html
    assert "No annotated video: the input has no video" in html  # JSON input: no video
    assert "Reliability: reliable" in text
    assert "Measured as filmed from the side, the right side nearer the camera." in text
    assert "Camera: Side view from the right, " in text and "°) off square; looking down " in text
    assert "judged from the 2-D keypoints" in text and "90 frames from the right side" in text
    # Key numbers: value, ± sd with its unit (from the uncertainty map) and verdict.
    sd, right = doc["uncertainty"], doc["right"]
    for key, words in (("thigh_angle_deg", "thigh angle"), ("knee_flexion_deg", "knee flexion")):
        value, sd_text = shown(right[key]), spread(sd[f"right.{key}"])
        assert f"right {words} {value} ° ± {sd_text} ° reliable" in text, key
    assert "left thigh angle not measured not measured not measured" in text
    assert "—" not in text.split("Key numbers")[1].split("Notes")[0]
    assert "Store the reliable measurements as an assessment" in text  # what to do next
    assert "Camera set-up: Modified Thomas test" in text and "hip height" in text
    # What "use these measurements" stores: only the reliable values, with sd and verdict.
    for line in stored_lines(doc):
        assert line in text.split("Use in the assessment")[1], line
    assert "Use these measurements in the assessment" in html
    assert f'<a class="button" href="/jobs/{thomas_job.id}/use-measurements">' in html
    assert CODES.findall(text.split("Downloads")[0]) == []  # no id, key or code
    for name in ("angles.csv", "keypoints.csv", "angles.mot", "metrics.json"):
        assert f'href="/jobs/{thomas_job.id}/files/{name}" download' in html
    api = client.get(f"/api/v1/jobs/{thomas_job.id}").json()
    summary = api["result"]
    assert api["state"] == "done" and api["progress"] == 1.0
    assert summary["verdict"] == {"level": "reliable", "reason": "", "text": "reliable"}
    metrics = {m["name"]: m for m in summary["metrics"]}
    assert metrics["right_thigh_angle_deg"]["value"] == right["thigh_angle_deg"]
    assert metrics["right_thigh_angle_deg"]["uncertainty"] == sd["right.thigh_angle_deg"]
    assert metrics["right_thigh_angle_deg"]["verdict"]["level"] == "reliable"
    assert summary["measured"] == doc["measured"]
    assert [m["test"] for m in summary["measured"]] == [
        "thomas.right.thigh_angle_deg",
        "thomas.right.knee_flexion_deg",
    ]
    assert summary["measured_tests"] == {
        "thomas": {"right": {k: right[k] for k in ("thigh_angle_deg", "knee_flexion_deg")}}
    }
    assert summary["can_use_measurements"] is True and summary["use_measurements_refusal"] is None
    assert summary["files"]["metrics.json"] == f"/jobs/{thomas_job.id}/files/metrics.json"
    assert "no video" in summary["skipped_files"]["annotated_mp4"]
    alice = new_client(app)
    login(alice, "alice@client.test")
    own = alice.get(f"/jobs/{thomas_job.id}")
    assert own.status_code == 200 and stored_lines(doc)[0] in main_text(own.text)
    assert "Use these measurements in the assessment" not in own.text  # coach only


def test_a_rough_analysis_shows_why_and_offers_nothing_to_store(
    client: TestClient, world: World, coach: str, store: Store, landing_job: StoredJob
) -> None:
    page = client.get(f"/jobs/{landing_job.id}")
    assert page.status_code == 200
    html, text = page.text, main_text(page.text)
    doc = metrics_of(client, landing_job)
    verdict, sd, verdicts = doc["verdict"], doc["uncertainty"], doc["verdicts"]
    assert verdict["level"] == "rough" and doc["measured"] == []
    assert f"Reliability: {verdict['text']}" in text and " — " in verdict["text"]
    assert "Camera: Side view from the right, " in text and "off square" in text
    for key, words, unit in (
        ("peak_knee_flexion_deg", "peak knee flexion", "°"),
        ("time_to_peak_knee_flexion_ms", "time to peak knee flexion", "ms"),
        ("initial_contact_time_s", "initial contact time", "s"),  # below 1: not rounded to 0
    ):
        value, sd_text, judged = shown(doc[key]), spread(sd[key]), verdicts[key]["text"]
        assert f"{words} {value} {unit} ± {sd_text} {unit} {judged}" in text, key
    assert "stiff landing " in text and " none (a yes/no)" in text
    # The caveat in plain words, never its code.
    assert "knee valgus (FPPA) needs a front view; this video is a side view" in text
    assert "fppa_needs_front_view" not in html
    for advice in doc["advice"]:
        assert advice[:1].upper() + advice[1:] in text
    assert "Camera set-up: Drop landing" in text and "120 frames per second" in text
    nothing = text.split("Use in the assessment")[1]
    assert "Nothing reliable to store." in nothing
    assert doc["measured_tests_left_out"][0] in nothing
    assert "only reliable measurements are stored" in nothing
    assert "film the test again following the advice above" in nothing
    assert "Use these measurements in the assessment" not in html
    assert "/use-measurements" not in html.split("Use in the assessment")[1]  # no button
    assert CODES.findall(text.split("Downloads")[0]) == []
    summary = client.get(f"/api/v1/jobs/{landing_job.id}").json()["result"]
    assert summary["measured"] == [] and summary["measured_tests"] is None
    assert summary["can_use_measurements"] is False
    assert "nothing in this analysis is reliable enough" in summary["use_measurements_refusal"]
    assert summary["measured_tests_left_out"] == doc["measured_tests_left_out"]
    before = len(store.assessments.history(person=PersonRef.named("Alice")))
    api = client.post(
        f"/api/v1/jobs/{landing_job.id}/use-measurements", headers={"X-CSRF-Token": coach}
    )
    assert api.status_code == 422 and "reliable enough" in api.json()["detail"]
    for data in ({"csrf_token": coach}, {"csrf_token": coach, "confirm": "yes"}):
        form = client.post(
            f"/jobs/{landing_job.id}/use-measurements", data=data, follow_redirects=False
        )
        assert form.status_code == 422 and "reliable enough to store" in form.text
    confirm = client.get(f"/jobs/{landing_job.id}/use-measurements")
    assert confirm.status_code == 200 and "reliable enough to store" in confirm.text
    assert "Confirm: store these measurements" not in confirm.text
    assert len(store.assessments.history(person=PersonRef.named("Alice"))) == before


def test_files_are_served_with_ranges_and_without_server_paths(
    client: TestClient, coach: str, landing_job: StoredJob, settings: Settings
) -> None:
    base = f"/jobs/{landing_job.id}/files"
    csv = client.get(f"{base}/angles.csv")
    assert csv.status_code == 200 and csv.headers["content-type"] == "text/csv; charset=utf-8"
    assert csv.headers["accept-ranges"] == "bytes"
    assert csv.headers["content-disposition"].startswith("attachment;")
    assert csv.text.startswith("frame,time_s,")
    part = client.get(f"{base}/angles.csv", headers={"Range": "bytes=10-109"})
    assert part.status_code == 206
    assert part.content == csv.content[10:110]
    assert part.headers["content-range"] == f"bytes 10-109/{len(csv.content)}"
    tail = client.get(f"{base}/plot.png", headers={"Range": "bytes=-8"})
    assert tail.status_code == 206 and len(tail.content) == 8
    assert client.get(f"{base}/plot.png").content.endswith(tail.content)
    beyond = client.get(f"{base}/angles.csv", headers={"Range": f"bytes={10**9}-"})
    assert beyond.status_code == 416
    metrics = client.get(f"/api/v1{base}/metrics.json")
    assert metrics.status_code == 200 and metrics.headers["content-type"] == "application/json"
    document = metrics.json()
    assert document["source"] == "landing <1>.mp4"
    assert set(document["files"].values()) <= {*results.OUTPUT_FILES, None}
    assert str(upload_dir(settings)) not in metrics.text
    assert str(upload_dir(settings)) not in json.dumps(
        client.get(f"/api/v1/jobs/{landing_job.id}").json()
    )


TRAVERSALS = [
    "../../hiplab.sqlite",
    "..%2F..%2Fhiplab.sqlite",
    "..%252F..%252Fhiplab.sqlite",
    "%2e%2e",
    "%2E%2E%2Fout%2Fplot.png",
    "..",
    "out%2Fplot.png",
    "video.mp4",
    "PLOT.PNG",
    "plot.png%00",
    "plot.png%2500.txt",
    "%2Fetc%2Fpasswd",
    "....//....//etc/passwd",
    "plot.png/..",
    "secret_key",
]
"""File names that try to leave the allow-list: dot segments, encoded, double-encoded,
the uploaded source, case, NUL, absolute paths."""


def test_path_traversal_gets_404(
    app: FastAPI, client: TestClient, coach: str, landing_job: StoredJob
) -> None:
    for tail in TRAVERSALS:
        for prefix in (f"/jobs/{landing_job.id}/files/", f"/api/v1/jobs/{landing_job.id}/files/"):
            status, body = raw_get(app, client, prefix + tail)
            assert status == 404, (prefix + tail, status)
            assert b"SQLite format" not in body and b"root:" not in body
    assert raw_get(app, client, f"/jobs/{landing_job.id}/files/plot.png")[0] == 200


def raw_get(app: FastAPI, browser: TestClient, raw_path: str) -> tuple[int, bytes]:
    """GET a path exactly as sent (HTTP clients and browsers remove ``..`` segments first;
    ``curl --path-as-is`` does not), with the browser's cookies, straight into the app."""

    async def call() -> list[Message]:
        messages: list[Message] = []
        requested, finished = False, asyncio.Event()

        async def receive() -> Message:
            nonlocal requested
            if not requested:
                requested = True
                return {"type": "http.request", "body": b"", "more_body": False}
            await finished.wait()  # a streaming response listens for the disconnect
            return {"type": "http.disconnect"}

        async def send(message: Message) -> None:
            messages.append(message)
            if message["type"] == "http.response.body" and not message.get("more_body"):
                finished.set()

        cookie = "; ".join(f"{k}={v}" for k, v in browser.cookies.items())
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "path": unquote(raw_path),  # as uvicorn does: percent-decoded, dots kept
            "raw_path": raw_path.encode(),
            "query_string": b"",
            "root_path": "",
            "headers": [(b"host", b"testserver"), (b"cookie", cookie.encode())],
            "client": ("127.0.0.1", 50000),
            "server": ("testserver", 80),
        }
        await app(scope, receive, send)
        return messages

    messages = asyncio.run(call())
    status = next(m["status"] for m in messages if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")
    return status, body


def test_files_of_other_people_and_unfinished_jobs_are_not_found(
    app: FastAPI, client: TestClient, world: World, coach: str, landing_job: StoredJob
) -> None:
    other = new_client(app)
    login(other, "b@coach.test")
    assert other.get(f"/jobs/{landing_job.id}/files/plot.png").status_code == 404
    assert other.get(f"/jobs/{landing_job.id}").status_code == 404
    # The world's job (another kind, still queued) has no files under any allowed name.
    assert client.get(f"/jobs/{world.alice_job}/files/plot.png").status_code == 404
    generic = client.get(f"/jobs/{world.alice_job}")
    assert generic.status_code == 200 and "test_job" in generic.text


def test_use_these_measurements_shows_what_is_stored_and_needs_confirmation(
    app: FastAPI, client: TestClient, world: World, coach: str, store: Store, thomas_job: StoredJob
) -> None:
    before = len(store.assessments.history(person=PersonRef.named("Alice")))
    doc = metrics_of(client, thomas_job)
    confirm = client.get(f"/jobs/{thomas_job.id}/use-measurements")
    assert confirm.status_code == 200
    text = main_text(confirm.text)
    assert "Store these measurements?" in text
    assert "new assessment of Alice" in text and "measured from video" in text
    assert "stored age (34) and sex (female)" in text
    assert [line in text for line in stored_lines(doc)] == [True, True]
    assert CODES.findall(text) == []
    assert '<input type="hidden" name="confirm" value="yes">' in confirm.text
    csrf = csrf_of_page(confirm.text)
    # A post without the confirmation stores nothing and shows the step again.
    unconfirmed = client.post(
        f"/jobs/{thomas_job.id}/use-measurements",
        data={"csrf_token": csrf},
        follow_redirects=False,
    )
    assert unconfirmed.status_code == 422
    assert "Nothing was stored yet" in unconfirmed.text
    assert "Confirm: store these measurements" in unconfirmed.text
    assert len(store.assessments.history(person=PersonRef.named("Alice"))) == before
    forged = client.post(
        f"/jobs/{thomas_job.id}/use-measurements",
        data={"csrf_token": "forged", "confirm": "yes"},
        follow_redirects=False,
    )
    assert (
        forged.status_code == 403
        and len(store.assessments.history(person=PersonRef.named("Alice"))) == before
    )
    saved = client.post(
        f"/jobs/{thomas_job.id}/use-measurements",
        data={"csrf_token": csrf, "confirm": "yes"},
        follow_redirects=False,
    )
    assert saved.status_code == 303 and saved.headers["location"] == f"/people/{world.alice}"
    latest = store.assessments.latest(person=PersonRef.named("Alice"))
    assert latest.data.provenance == "video"
    assert latest.data.person.age == 34 and latest.data.person.sex.value == "female"
    assert latest.data.tests.thomas is not None and latest.data.tests.thomas.right is not None
    assert latest.data.tests.thomas.right.thigh_angle_deg == doc["right"]["thigh_angle_deg"]
    kept = [(m.test, m.value, m.uncertainty, m.verdict) for m in latest.data.video_measurements]
    assert kept == [
        (m["test"], m["value"], m["uncertainty"], m["verdict"]["text"]) for m in doc["measured"]
    ]
    assert [m.verdict for m in latest.data.video_measurements] == ["reliable", "reliable"]
    assert "rectus_femoris_tight" in [f.id for f in latest.result.findings]
    [report] = store.assessments.reports(assessment_id=latest.id)
    assert json.loads(report.content)["source"] == "thomas <1>.mp4"
    person_page = client.get(f"/people/{world.alice}").text
    assert f'Latest assessment, {latest.taken_on} <span class="muted">(video)</span>' in person_page
    on_page = main_text(person_page).split("Measured from video")[1]
    for m in doc["measured"]:
        value, sd_text = shown(m["value"]), spread(m["uncertainty"])
        line = f"{m['label']} (measured from video) {value}° ± {sd_text}° {m['verdict']['text']}"
        assert line in on_page, line
    # Once stored, the confirmation step goes back to the results, which name the assessment.
    again = client.get(f"/jobs/{thomas_job.id}/use-measurements", follow_redirects=False)
    assert again.status_code == 303 and again.headers["location"] == f"/jobs/{thomas_job.id}"
    results = main_text(client.get(f"/jobs/{thomas_job.id}").text)
    assert f"Stored as assessment {latest.id} of Alice" in results
    assert "Stored, measured from video" in results
    alice = new_client(app)
    alice_csrf = login(alice, "alice@client.test")
    refused = alice.post(
        f"/api/v1/jobs/{thomas_job.id}/use-measurements", headers={"X-CSRF-Token": alice_csrf}
    )
    assert refused.status_code == 404
    assert alice.get(f"/jobs/{thomas_job.id}/use-measurements").status_code == 404


def test_measurements_are_stored_once_however_often_they_are_used(
    client: TestClient, world: World, coach: str, store: Store, thomas_job: StoredJob
) -> None:
    before = len(store.assessments.history(person=PersonRef.named("Alice")))
    url = f"/api/v1/jobs/{thomas_job.id}/use-measurements"
    first = client.post(url, headers={"X-CSRF-Token": coach})
    assert first.status_code == 201
    body = first.json()
    assert body["person_id"] == world.alice and "rectus_femoris_tight" in body["findings"]
    again = client.post(url, headers={"X-CSRF-Token": coach})
    assert again.status_code == 200 and again.json() == body
    for data in ({"csrf_token": coach}, {"csrf_token": coach, "confirm": "yes"}):
        form = client.post(
            f"/jobs/{thomas_job.id}/use-measurements", data=data, follow_redirects=False
        )
        assert form.status_code == 303
        assert form.headers["location"] == f"/jobs/{thomas_job.id}?already_stored=1"
    page = client.get(form.headers["location"]).text
    assert "Already stored: nothing was added again." in page
    assert f"Stored as assessment {body['assessment_id']} of Alice" in page
    assert f'href="/assessments/{body["assessment_id"]}/report.html"' in page
    assert "Use these measurements in the assessment" not in page
    history = store.assessments.history(person=PersonRef.named("Alice"))
    assert len(history) == before + 1 and history[-1].id == body["assessment_id"]
    assert len(store.assessments.reports(assessment_id=body["assessment_id"])) == 1
    job = client.get(f"/api/v1/jobs/{thomas_job.id}").json()
    assert job["result"]["stored_assessment_id"] == body["assessment_id"]


def test_two_concurrent_uses_store_one_assessment(
    app: FastAPI, client: TestClient, world: World, store: Store, thomas_job: StoredJob
) -> None:
    before = len(store.assessments.history(person=PersonRef.named("Alice")))
    browsers = [new_client(app) for _ in range(2)]
    tokens = [login(browser, "a@coach.test") for browser in browsers]
    start = threading.Barrier(2, timeout=30)
    answers: list[Any] = []

    def use(browser: TestClient, token: str) -> None:
        start.wait()
        answers.append(
            browser.post(
                f"/api/v1/jobs/{thomas_job.id}/use-measurements",
                headers={"X-CSRF-Token": token},
            )
        )

    threads = [
        threading.Thread(target=use, args=pair) for pair in zip(browsers, tokens, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert sorted(a.status_code for a in answers) == [200, 201]
    assert answers[0].json() == answers[1].json()
    history = store.assessments.history(person=PersonRef.named("Alice"))
    assert len(history) == before + 1 and history[-1].id == answers[0].json()["assessment_id"]


def test_a_task_without_assessment_tests_has_no_button_and_the_api_says_why(
    client: TestClient, world: World, coach: str, store: Store, settings: Settings, tmp_path: Path
) -> None:
    job = finished_analysis_job(
        store,
        settings,
        person_id=world.alice,
        owner_id=world.coach_a,
        task="angles",
        workdir=tmp_path,
    )
    page = client.get(f"/jobs/{job.id}").text
    assert "Use these measurements" not in page
    assert "Joint angles only measures no assessment test" in page
    before = len(store.assessments.history(person=PersonRef.named("Alice")))
    answer = client.post(f"/api/v1/jobs/{job.id}/use-measurements", headers={"X-CSRF-Token": coach})
    assert answer.status_code == 422
    assert "Joint angles only measures no assessment test" in answer.json()["detail"]
    assert "Drop landing: the knee's most bend" in answer.json()["detail"]
    for data in ({"csrf_token": coach}, {"csrf_token": coach, "confirm": "yes"}):
        form = client.post(f"/jobs/{job.id}/use-measurements", data=data, follow_redirects=False)
        assert form.status_code == 422 and "measures no assessment test" in form.text
    confirm = client.get(f"/jobs/{job.id}/use-measurements")
    assert confirm.status_code == 200 and "measures no assessment test" in confirm.text
    assert CODES.findall(main_text(page).split("Downloads")[0]) == []
    queued = client.post(
        f"/api/v1/jobs/{world.alice_job}/use-measurements", headers={"X-CSRF-Token": coach}
    )
    assert queued.status_code == 422 and "not a video analysis" in queued.json()["detail"]
    assert len(store.assessments.history(person=PersonRef.named("Alice"))) == before


# --- the whole path with a real video -----------------------------------------------------------


def _wait_done(browser: TestClient, job_id: int) -> dict[str, Any]:
    deadline = time.monotonic() + 900  # a hang guard, not a speed requirement
    while True:
        job: dict[str, Any] = browser.get(f"/api/v1/jobs/{job_id}").json()
        if job["state"] in ("done", "failed"):
            return job
        assert time.monotonic() < deadline, f"job {job_id} still {job['state']}"
        time.sleep(0.5)


def test_demo_video_upload_survives_a_restart_and_gives_results(
    client: TestClient,
    world: World,
    coach: str,
    store: Store,
    settings: Settings,
    demo_video_path: Path,
) -> None:
    page = client.get(f"/people/{world.alice}").text
    posted = client.post(
        f"/people/{world.alice}/videos",
        files={"video": ("roof jump.mp4", demo_video_path.read_bytes(), "video/mp4")},
        data={"csrf_token": csrf_of_page(page), "task": "landing"},
        follow_redirects=False,
    )
    assert posted.status_code == 303
    job_id = int(posted.headers["location"].rsplit("/", 1)[1])
    # A worker takes the job and the server dies with it: the job stays "running" and its
    # lease, no longer renewed, expires.
    claimed = store.jobs.claim(
        owner="dead-server", kinds=(analysis_jobs.JOB_KIND,), lease_seconds=0.0
    )
    assert claimed is not None and claimed.id == job_id and claimed.state == "running"
    restarted = create_app(settings)  # the default handlers run video_analysis
    with TestClient(restarted) as browser:
        login(browser, "a@coach.test")
        job = _wait_done(browser, job_id)
        assert job["state"] == "done", job["error"]
        assert job["attempts"] == 2 and job["progress"] == 1.0
        html = browser.get(f"/jobs/{job_id}").text
        video_url = f"/jobs/{job_id}/files/annotated.mp4"
        assert f'<video controls preload="metadata" src="{video_url}">' in html
        full = browser.get(video_url)
        assert full.status_code == 200 and full.headers["content-type"] == "video/mp4"
        assert full.content[4:8] == b"ftyp"
        seek = browser.get(video_url, headers={"Range": "bytes=1000-1999"})
        assert seek.status_code == 206 and seek.content == full.content[1000:2000]
        summary = job["result"]
        assert summary["frames"] == 230 and summary["task"] == "landing"
        # The raw video is deleted once the job is done; what the page serves stays.
        names = [p.relative_to(upload_dir(settings)).parts[1:] for p in stored_files(settings)]
        assert not [n for n in names if n[0].startswith("video.")], names
        assert set(results.OUTPUT_FILES) <= {n[1] for n in names if n[0] == "out"}
        assert sorted(summary["files"]) == sorted(results.OUTPUT_FILES)
        # A roof jump filmed at 30 fps, at a slant: rough, so nothing is offered for storing,
        # and the page says why and what to do next.
        assert summary["verdict"]["level"] != "reliable"
        assert summary["measured"] == [] and summary["measured_tests"] is None
        assert summary["measured_tests_left_out"] and summary["advice"]
        assert summary["can_use_measurements"] is False
        text = main_text(html)
        assert "Nothing reliable to store." in text
        assert summary["measured_tests_left_out"][0] in text
        assert summary["advice"][0][:1].upper() + summary["advice"][0][1:] in text
        assert "Camera: " in text and "looking down" in text
        assert "Use these measurements in the assessment" not in html
        csrf = csrf_of_page(html)
        used = browser.post(
            f"/jobs/{job_id}/use-measurements",
            data={"csrf_token": csrf, "confirm": "yes"},
            follow_redirects=False,
        )
        assert used.status_code == 422 and "reliable enough to store" in used.text
    latest = store.assessments.latest(person=PersonRef.named("Alice"))
    assert latest.data.provenance == "clinician"  # the world's assessment: nothing was added


# --- uploaded videos are deleted once their job ends ----------------------------------------------


def _job_with_upload(store: Store, world: World, settings: Settings, *, video: bool) -> StoredJob:
    """A queued analysis job whose upload folder holds partial outputs and maybe its video."""
    upload_id = uuid.uuid4().hex
    folder = upload_dir(settings) / upload_id
    (folder / "out").mkdir(parents=True)
    (folder / "out" / "plot.png").write_bytes(b"partial")
    if video:
        (folder / "video.mp4").write_bytes(b"\x00\x00\x00\x18ftypisom")
    job_input = analysis_jobs.VideoJobInput(
        upload_id=upload_id,
        video="video.mp4",
        filename="clip.mp4",
        options=uploads.VideoOptions(task="landing"),
    )
    return store.jobs.enqueue(
        kind=analysis_jobs.JOB_KIND,
        payload=job_input.payload(size=14, container="MP4/QuickTime"),
        owner_id=world.coach_a,
        person_id=world.alice,
    )


def _folder(settings: Settings, job: StoredJob) -> Path:
    return upload_dir(settings) / str(job.payload["upload_id"])


def test_a_failed_job_leaves_nothing_of_its_upload_unless_kept(
    client: TestClient, world: World, store: Store, settings: Settings
) -> None:
    # The video went missing: the real handler fails the job without touching the folder,
    # so what is deleted here is deleted by the clean-up after the end is stored.
    job = _job_with_upload(store, world, settings, video=False)
    assert run_one(store, settings, JOB_HANDLERS)
    assert store.jobs.get(job_id=job.id).state == "failed"
    assert not _folder(settings, job).exists()
    kept = _job_with_upload(store, world, settings, video=False)
    keeping = settings.model_copy(update={"keep_uploads": True})
    assert run_one(store, keeping, JOB_HANDLERS)
    assert store.jobs.get(job_id=kept.id).state == "failed"
    assert (_folder(settings, kept) / "out" / "plot.png").is_file()


def test_end_actions_run_once_the_end_is_stored(
    client: TestClient, world: World, store: Store, settings: Settings
) -> None:
    from hiplab.errors import InputError
    from hiplab.web.jobs import JobContext

    seen: list[tuple[str, str]] = []

    def note(context: JobContext) -> None:
        def record(state: str) -> None:
            seen.append((state, store.jobs.get(job_id=context.job.id).state))

        context.when_ended(record)

    def works(context: JobContext) -> dict[str, Any]:
        note(context)
        return {"ok": True}

    def fails(context: JobContext) -> dict[str, Any]:
        note(context)
        context.when_ended(lambda _state: 1 / 0)  # logged; the worker carries on
        raise InputError("the input is bad")

    store.jobs.enqueue(kind="works", payload={})
    store.jobs.enqueue(kind="fails", payload={})
    handlers = {"works": works, "fails": fails}
    assert [run_one(store, settings, handlers) for _ in range(3)] == [True, True, False]
    assert seen == [("done", "done"), ("failed", "failed")]


def test_a_done_job_keeps_its_outputs_and_loses_its_video(
    client: TestClient, world: World, coach: str, settings: Settings, thomas_job: StoredJob
) -> None:
    folder = _folder(settings, thomas_job)
    (folder / "video.mp4").write_bytes(b"the client's raw video")
    analysis_jobs.clean_after_job(
        payload=thomas_job.payload,
        state="done",
        upload_dir=upload_dir(settings),
        keep_uploads=True,
    )
    assert (folder / "video.mp4").is_file()
    analysis_jobs.clean_after_job(
        payload=thomas_job.payload,
        state="done",
        upload_dir=upload_dir(settings),
        keep_uploads=False,
    )
    assert not (folder / "video.mp4").exists()
    for name in ("plot.png", "angles.csv", "metrics.json"):
        served = client.get(f"/jobs/{thomas_job.id}/files/{name}")
        assert served.status_code == 200, name
    assert "Use these measurements in the assessment" in client.get(f"/jobs/{thomas_job.id}").text


@pytest.mark.parametrize("keep_uploads", [False, True])
def test_the_server_start_removes_what_a_stop_left_behind(
    client: TestClient,
    world: World,
    store: Store,
    settings: Settings,
    tmp_path: Path,
    keep_uploads: bool,
) -> None:
    done = finished_analysis_job(
        store, settings, person_id=world.alice, owner_id=world.coach_a, workdir=tmp_path
    )
    (_folder(settings, done) / "video.mp4").write_bytes(b"raw video")
    failed = _job_with_upload(store, world, settings, video=True)
    store.jobs.claim(owner="test-worker", kinds=(analysis_jobs.JOB_KIND,))
    store.jobs.fail(
        job_id=failed.id, owner="test-worker", error="the server stopped before the clean-up"
    )
    waiting = _job_with_upload(store, world, settings, video=True)
    orphan = upload_dir(settings) / uuid.uuid4().hex  # its job (or person) was deleted
    orphan.mkdir()
    (orphan / "upload.part").write_bytes(b"half an upload")
    long_ago = time.time() - analysis_jobs.STALE_UPLOAD_S - 60
    for path in (orphan / "upload.part", orphan):
        os.utime(path, (long_ago, long_ago))
    arriving = upload_dir(settings) / uuid.uuid4().hex  # another server is receiving it now
    arriving.mkdir()
    (arriving / "upload.part").write_bytes(b"the first megabytes")
    other = upload_dir(settings) / "notes"  # not an upload folder: never touched
    other.mkdir()
    restarted = create_app(
        settings.model_copy(update={"keep_uploads": keep_uploads}), run_jobs=False
    )
    with TestClient(restarted) as browser:
        login(browser, "a@coach.test")
        assert browser.get(f"/jobs/{done.id}/files/plot.png").status_code == 200
    assert not orphan.exists() and other.is_dir()
    assert (arriving / "upload.part").is_file()
    assert (_folder(settings, waiting) / "video.mp4").is_file()  # still to be analysed
    assert (_folder(settings, done) / "video.mp4").is_file() == keep_uploads
    assert (_folder(settings, done) / "out" / "metrics.json").is_file()
    assert _folder(settings, failed).exists() == keep_uploads
