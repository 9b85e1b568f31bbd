"""Structured input errors reach the web with the form's field name, and their own status."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi import FastAPI

from hiplab.errors import InputError, NotFoundError
from hiplab.services.videos import uploads
from hiplab.web.errors import FORM_FIELDS, form_message
from tests.web.conftest import TestClient, World, login
from tests.web.test_videos import api_upload, form_upload
from tests.web.video_helpers import gray_video


@pytest.fixture
def coach(client: TestClient, world: World) -> str:
    return login(client, "a@coach.test")


def test_a_structured_option_error_names_the_form_field(
    client: TestClient, world: World, coach: str, tmp_path: Path
) -> None:
    video = gray_video(tmp_path / "gray.avi")
    fields = {"task": "squat", "fps": "fast"}
    detail = api_upload(client, coach, world.alice, video, fields=fields).json()["detail"]
    assert detail.startswith("fps 'fast' is not a number; allowed: 1 to 1000 frames per second")
    assert "--fps" not in detail
    page = form_upload(client, coach, world.alice, video, fields=fields)
    assert page.status_code == 422 and "fps &#39;fast&#39; is not a number" in page.text


def test_a_missing_video_names_the_file_field(client: TestClient, world: World, coach: str) -> None:
    answer = client.post(
        f"/api/v1/people/{world.alice}/videos",
        data={"task": "squat"},
        headers={"X-CSRF-Token": coach},
    )
    assert answer.status_code == 422
    assert answer.json()["detail"].startswith("video is needed: choose a video file to upload")


def test_the_form_names_a_source_error_as_its_video_field() -> None:
    error = InputError("has no frames", field="source", value="clip.mp4")
    assert FORM_FIELDS["source"] == "video"
    assert form_message(error) == "video 'clip.mp4' has no frames"
    assert str(error) == "source 'clip.mp4' has no frames"


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (uploads.too_large(2**20), 413),
        (uploads.UnsupportedVideo("is no accepted video", field="video", value="a.txt"), 415),
        (NotFoundError("no such job"), 404),
        (InputError("plain"), 422),
    ],
)
def test_the_one_handler_answers_with_the_status_the_error_carries(
    app: FastAPI, client: TestClient, error: InputError, status: int
) -> None:
    async def refuse() -> None:
        raise error

    app.add_api_route("/api/v1/test-refusal", refuse, methods=["GET"])
    answer = client.get("/api/v1/test-refusal")
    assert answer.status_code == status == error.http_status
    assert answer.json() == {"detail": form_message(error)}
