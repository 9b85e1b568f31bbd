"""scripts/install_pose_models.py on local tarballs: installs, is idempotent, refuses bad checksums.

The tarballs are built here from the model files the real install put in
mediapipe's folder (so their pinned checksums hold) plus a small stand-in for
the web runtime; the registry's metadata is a local file. Nothing is fetched
and the installed files are only read.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from hiplab.motion.pose import mediapipe_model_dir
from hiplab.motion.pose_models import NPM_PACKAGE, NPM_VERSION, POSE_MODELS

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "install_pose_models.py"
WEB_RUNTIME = {"pose.js": b"// the web runtime\n", "pose_solution_wasm_bin.wasm": b"\0asm\1\0\0\0"}


def tarball(path: Path, *, damage: str | None = None) -> Path:
    """Write an npm-style tarball (``package/…``) of the three models and the web runtime."""
    installed = mediapipe_model_dir()
    files = {m.file: (installed / m.file).read_bytes() for m in POSE_MODELS.values()}
    if damage is not None:
        data = bytearray(files[damage])
        data[len(data) // 2] ^= 0xFF
        files[damage] = bytes(data)
    with tarfile.open(path, "w:gz", compresslevel=1) as archive:
        for name, data in {**files, **WEB_RUNTIME}.items():
            info = tarfile.TarInfo(f"package/{name}")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


def metadata(path: Path, tarball_path: Path, *, integrity_of: Path | None = None) -> Path:
    """Write registry metadata whose integrity is that of ``integrity_of`` (default the tarball)."""
    digest = hashlib.sha512((integrity_of or tarball_path).read_bytes()).digest()
    dist = {
        "integrity": "sha512-" + base64.b64encode(digest).decode(),
        "tarball": f"https://registry.npmjs.org/{NPM_PACKAGE}/-/pose-{NPM_VERSION}.tgz",
    }
    path.write_text(json.dumps({"name": NPM_PACKAGE, "versions": {NPM_VERSION: {"dist": dist}}}))
    return path


def modules_copy(root: Path) -> Path:
    """Return a copy of mediapipe's model folder holding only what the wheel ships."""
    folder = root / "modules" / "pose_landmark"
    folder.mkdir(parents=True)
    for model in POSE_MODELS.values():
        if model.in_wheel:
            shutil.copyfile(mediapipe_model_dir() / model.file, folder / model.file)
    return folder


def install(root: Path, tgz: Path, meta: Path, modules: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, str(SCRIPT), "--tarball", str(tgz), "--metadata", str(meta)]
    command += ["--prefix", str(root / "prefix"), "--modules", str(modules)]
    return subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)


@pytest.fixture(scope="module")
def good(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("npm")
    tgz = tarball(folder / "pose.tgz")
    return tgz, metadata(folder / "meta.json", tgz)


def test_installs_then_skips_when_everything_is_in_place(
    tmp_path: Path, good: tuple[Path, Path]
) -> None:
    modules = modules_copy(tmp_path)
    first = install(tmp_path, *good, modules)
    assert first.returncode == 0, first.stderr
    package = tmp_path / "prefix" / "share" / "hiplab" / "mediapipe-pose" / NPM_VERSION
    assert f"unpacked {NPM_PACKAGE} {NPM_VERSION} (checksums match)" in first.stdout
    assert "installed the lite pose model" in first.stdout
    assert "installed the heavy pose model" in first.stdout
    for model in POSE_MODELS.values():
        for folder in (modules, package):
            data = (folder / model.file).read_bytes()
            assert hashlib.sha256(data).hexdigest() == model.sha256, (folder, model.name)
    assert (package / "pose.js").read_bytes() == WEB_RUNTIME["pose.js"]  # the web runtime kept
    stamps = {p: p.stat().st_mtime_ns for p in [*modules.iterdir(), *package.iterdir()]}

    again = install(tmp_path, *good, modules)
    assert again.returncode == 0, again.stderr
    assert again.stdout.startswith("pose models (lite, full, heavy) already installed")
    assert len(again.stdout.splitlines()) == 1
    assert {p: p.stat().st_mtime_ns for p in stamps} == stamps  # nothing rewritten

    (modules / "pose_landmark_heavy.tflite").unlink()  # one file lost: put back, no fetch
    meta_gone = tmp_path / "no-such-metadata.json"
    third = install(tmp_path, good[0], meta_gone, modules)
    assert third.returncode == 0, third.stderr
    assert third.stdout.strip().startswith("installed the heavy pose model")


def test_refuses_a_model_that_does_not_match_its_pin(tmp_path: Path) -> None:
    tgz = tarball(tmp_path / "pose.tgz", damage="pose_landmark_heavy.tflite")
    modules = modules_copy(tmp_path)
    done = install(tmp_path, tgz, metadata(tmp_path / "meta.json", tgz), modules)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "pose_landmark_heavy.tflite in the tarball does not match its pinned checksum" in (
        done.stderr
    )
    assert len(done.stderr.splitlines()) == 1
    assert sorted(p.name for p in modules.iterdir()) == ["pose_landmark_full.tflite"]
    assert not list((tmp_path / "prefix" / "share" / "hiplab" / "mediapipe-pose").iterdir())


def test_refuses_a_tarball_that_does_not_match_the_registry(
    tmp_path: Path, good: tuple[Path, Path]
) -> None:
    other = tarball(tmp_path / "other.tgz", damage="pose_landmark_lite.tflite")
    meta = metadata(tmp_path / "meta.json", good[0], integrity_of=other)
    modules = modules_copy(tmp_path)
    done = install(tmp_path, good[0], meta, modules)
    assert done.returncode == 1
    assert "does not match the registry's checksum (sha512" in done.stderr
    assert "Traceback" not in done.stderr
    assert sorted(p.name for p in modules.iterdir()) == ["pose_landmark_full.tflite"]


def test_refuses_a_wheel_whose_full_model_is_not_the_pinned_one(
    tmp_path: Path, good: tuple[Path, Path]
) -> None:
    modules = modules_copy(tmp_path)
    (modules / "pose_landmark_full.tflite").write_bytes(b"not the model")
    done = install(tmp_path, *good, modules)
    assert done.returncode == 1
    assert "the mediapipe package's pose_landmark_full.tflite is not the pinned one" in done.stderr


def test_the_script_reads_the_table_hiplab_checks() -> None:
    """One table: the script loads src/hiplab/motion/pose_models.py by path, without hiplab."""
    code = (
        f"import sys; sys.path.insert(0, {str(SCRIPT.parent)!r}); "
        "import install_pose_models as s; t = s.load_table(); "
        "print(t.NPM_VERSION, *(f'{m.file}={m.sha256}' for m in t.POSE_MODELS.values()))"
    )
    done = subprocess.run(
        [sys.executable, "-S", "-c", code], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    expected = [NPM_VERSION, *(f"{m.file}={m.sha256}" for m in POSE_MODELS.values())]
    assert done.stdout.split() == expected
