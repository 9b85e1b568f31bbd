"""PDF output: the HTML report printed by WeasyPrint (imported only when used)."""

from __future__ import annotations


def render_pdf(html: str) -> bytes:
    """Print an HTML report (see :func:`hiplab.report.html.render_html`) to PDF bytes.

    Parameters
    ----------
    html
        A standalone HTML document; it should need no external assets.

    Returns
    -------
    bytes
        The PDF document, A4 pages as set by the page's ``@page`` CSS.

    """
    from weasyprint import HTML  # type: ignore[import-untyped]  # heavy: import on use

    pdf = HTML(string=html).write_pdf()
    if not isinstance(pdf, bytes):
        raise TypeError(f"WeasyPrint returned {type(pdf).__name__}, expected bytes")
    return pdf
