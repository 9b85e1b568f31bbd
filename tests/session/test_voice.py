"""Voice cues: the phrases for engine events, the fallback, and real espeak-ng WAV files."""

from __future__ import annotations

import doctest
import os
import shutil
import subprocess
import time
import wave
from pathlib import Path

import numpy as np
import pytest

from hiplab.session import voice as voice_module
from hiplab.session.engine import SessionEngine
from hiplab.session.voice import EspeakVoice, SilentVoice, cue_text, make_voice

from .items import HIP_FLEXOR

ESPEAK = shutil.which("espeak-ng")
needs_espeak = pytest.mark.skipif(
    ESPEAK is None and not os.environ.get("HIPLAB_REQUIRE_VOICE"),
    reason="espeak-ng is not installed (scripts/run_tests.sh installs it)",
)


def test_docstring_examples_run() -> None:
    assert doctest.testmod(voice_module).failed == 0


def test_a_whole_session_says_names_sides_switches_countdowns_rests_and_done() -> None:
    engine = SessionEngine((HIP_FLEXOR,), get_ready_s=5, switch_s=5)
    said = [
        text
        for event in engine.tick(0.0) + engine.tick(1000.0)
        if (text := cue_text(event, engine.items)) is not None
    ]
    count = ["3", "2", "1"]
    left = "Go: Half-kneeling hip flexor stretch, left side"
    right = "Go: Half-kneeling hip flexor stretch, right side"
    assert said == [
        "Get ready: Half-kneeling hip flexor stretch, left side",
        *count,
        left,
        *count,
        "Rest",
        *count,
        left,
        *count,
        "Switch sides",
        *count,
        right,
        *count,
        "Rest",
        *count,
        right,
        *count,
        "Done",
    ]


def test_a_rep_item_cue_gives_the_reps() -> None:
    from .items import CLAMSHELL

    engine = SessionEngine((CLAMSHELL,), get_ready_s=0)
    first = engine.tick(0.0)[0]
    assert cue_text(first, engine.items) == "Go: Clamshell, left side, 12 reps"


def test_voice_off_is_silent_without_a_notice() -> None:
    voice, notice = make_voice(False)
    assert isinstance(voice, SilentVoice)
    assert notice is None


def test_missing_espeak_falls_back_to_silence_with_a_notice(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PATH", "")
    voice, notice = make_voice(True)
    assert isinstance(voice, SilentVoice)
    assert notice == "espeak-ng not found: voice cues off"


def test_muting_silences_cues_until_unmuted() -> None:
    voice = SilentVoice()
    voice.say("one")
    assert voice.toggle_mute() is True
    voice.say("two")
    assert voice.toggle_mute() is False
    voice.say("three")
    assert voice.said == ["one", "three"]


def wav_seconds_and_peak(path: Path) -> tuple[float, float]:
    with wave.open(str(path), "rb") as wav:
        assert wav.getsampwidth() == 2
        frames = wav.readframes(wav.getnframes())
        seconds = wav.getnframes() / wav.getframerate()
    samples = np.frombuffer(frames, dtype="<i2").astype(np.float64) / 32768.0
    return seconds, float(np.abs(samples).max())


@needs_espeak
def test_espeak_writes_each_cue_as_a_spoken_wav(tmp_path: Path) -> None:
    voice, notice = make_voice(True, out_dir=tmp_path)
    assert notice is None
    assert isinstance(voice, EspeakVoice)
    voice.say("Half-kneeling hip flexor stretch, left side")
    voice.say("Switch sides")
    voice.toggle_mute()
    voice.say("not said while muted")
    voice.toggle_mute()
    voice.say("3")
    voice.close()
    files = sorted(tmp_path.glob("*.wav"))
    assert [f.name for f in files] == [
        "001-half-kneeling-hip-flexor-stretch-left-si.wav",  # slug cut at 40,
        "002-switch-sides.wav",
        "003-3.wav",
    ]
    long_seconds, long_peak = wav_seconds_and_peak(files[0])
    short_seconds, _ = wav_seconds_and_peak(files[2])
    assert long_seconds > 1.0
    assert long_peak > 0.05  # speech, not silence
    assert 0.1 < short_seconds < long_seconds
    if shutil.which("soxi"):
        soxi = subprocess.run(
            ["soxi", "-D", str(files[0])], capture_output=True, text=True, check=True
        )
        assert float(soxi.stdout) == pytest.approx(long_seconds, abs=0.01)


def test_playing_never_blocks_cuts_off_for_a_new_cue_and_drops_countdowns_while_busy(
    tmp_path: Path,
) -> None:
    # A stand-in for espeak-ng that logs what it is asked to say and then "speaks" for 30 s.
    said = tmp_path / "said.txt"
    fake = tmp_path / "fake-espeak"
    fake.write_text(
        f'#!/bin/sh\nfor a; do last="$a"; done\necho "$last" >> {said}\nexec sleep 30\n'
    )
    fake.chmod(0o755)
    voice = EspeakVoice(str(fake))

    def lines(n: int) -> list[str]:
        deadline = time.monotonic() + 5
        while (not said.exists() or len(said.read_text().splitlines()) < n) and (
            time.monotonic() < deadline
        ):
            time.sleep(0.02)
        return said.read_text().splitlines()

    started = time.monotonic()
    voice.say("Go: Clamshell, left side")
    assert time.monotonic() - started < 1.0
    assert lines(1) == ["Go: Clamshell, left side"]
    assert voice.speaking
    voice.say("3", interrupt=False)  # dropped: the cue before is still being spoken
    voice.say("Switch sides")  # cuts the first cue off
    assert lines(2) == ["Go: Clamshell, left side", "Switch sides"]
    assert voice.speaking
    voice.toggle_mute()  # muting cuts the cue being spoken off
    assert not voice.speaking
    voice.close()
    time.sleep(0.2)
    assert said.read_text().splitlines() == ["Go: Clamshell, left side", "Switch sides"]
