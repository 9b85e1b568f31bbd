"""The camera set-up guide: one set of sentences, said the same in docs/camera-setup.md."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from hiplab.errors import InputError
from hiplab.motion.setup_guide import guide
from hiplab.motion.tasks.filming import COMMON_STEPS
from hiplab.motion.tasks.names import TASK_NAMES
from hiplab.motion.tasks.registry import TASKS

DOCS = Path(__file__).resolve().parents[2] / "docs"
PAGE = DOCS / "camera-setup.md"


def sections(text: str) -> dict[str, list[str]]:
    """Return each ``## heading``'s bullets, a wrapped bullet joined into one line."""
    found: dict[str, list[str]] = {}
    bullets: list[str] | None = None
    for line in text.splitlines():
        if line.startswith("## "):
            bullets = found.setdefault(line[3:].strip(), [])
        elif bullets is not None and line.startswith("- "):
            bullets.append(line[2:].strip())
        elif bullets is not None and line.startswith("  ") and bullets:
            bullets[-1] += " " + line.strip()
    return found


def test_every_task_has_its_own_steps_before_the_common_ones() -> None:
    for task, spec in TASKS.items():
        assert spec.setup_steps and spec.title
        assert guide(task) == (*spec.setup_steps, *COMMON_STEPS)


@pytest.mark.parametrize("task", TASK_NAMES)
def test_the_docs_say_each_tasks_guide_sentence_for_sentence(task: str) -> None:
    page = sections(PAGE.read_text(encoding="utf-8"))
    assert page[TASKS[task].title] == list(TASKS[task].setup_steps)
    assert page["Every task"] == list(COMMON_STEPS)


def test_each_guide_covers_the_set_up() -> None:
    for task in TASK_NAMES:
        text = " ".join(guide(task))
        for needle in ("side", "hip height", "3–4 m", "frames per second", "level", "still"):
            assert needle in text, (task, needle)
        for needle in ("fitted clothes", "Light", "Only the person being measured"):
            assert needle in text, (task, needle)
    assert "120 frames per second" in " ".join(guide("landing"))
    assert "30 frames per second or more" in " ".join(guide("squat"))
    with pytest.raises(InputError, match="jump"):
        guide("jump")


def test_the_guide_is_linked_from_the_analyze_page_and_the_index() -> None:
    for page in ("commands/analyze.md", "index.md"):
        text = (DOCS / page).read_text(encoding="utf-8")
        assert re.search(r"\]\((\.\./)?camera-setup\.md(#[^)]*)?\)", text), page
