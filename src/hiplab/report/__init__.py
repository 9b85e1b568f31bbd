"""Reports of an assessment: terminal text, standalone HTML, PDF and SVG pictures.

Every renderer is a pure function of typed values; WeasyPrint is imported
only inside :func:`render_pdf`.
"""

from __future__ import annotations

from hiplab.report.bars import bar_range, norm_bar_svg
from hiplab.report.chain_svg import chain_svg
from hiplab.report.figure import pose_points, pose_svg
from hiplab.report.html import render_exercise_card, render_html
from hiplab.report.pdf import render_pdf
from hiplab.report.text import render_text

__all__ = [
    "bar_range",
    "chain_svg",
    "norm_bar_svg",
    "pose_points",
    "pose_svg",
    "render_exercise_card",
    "render_html",
    "render_pdf",
    "render_text",
]
