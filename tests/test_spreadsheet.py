"""Formula-injection safety of every CSV cell (:mod:`hiplab.spreadsheet`)."""

from __future__ import annotations

import csv
import io

import pytest

from hiplab.spreadsheet import FORMULA_STARTS, csv_text, safe_cell


@pytest.mark.parametrize("start", FORMULA_STARTS)
def test_text_starting_with_a_formula_character_is_quoted(start: str) -> None:
    assert safe_cell(f"{start}HYPERLINK(1)") == f"'{start}HYPERLINK(1)"


@pytest.mark.parametrize("text", ["-5.2", "+3", "-1.5e-3", "-0", ".5", "-7."])
def test_decimal_numbers_in_text_stay_numbers(text: str) -> None:
    assert safe_cell(text) == text


@pytest.mark.parametrize("value", [-5.2, -3, 0.0, True, None])
def test_non_text_values_are_left_alone(value: object) -> None:
    assert safe_cell(value) is value


@pytest.mark.parametrize("text", ["-1+1", "-cmd|' /C calc'!A0", "+-1", "-", "- 5", "-5.2\t"])
def test_formulas_that_look_a_little_like_numbers_are_quoted(text: str) -> None:
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("text", ["", "Alex K.", "a=b", "5-3", "'=already"])
def test_other_text_is_unchanged(text: str) -> None:
    assert safe_cell(text) == text


def test_csv_text_quotes_every_cell_and_reads_back() -> None:
    text = csv_text([["name", "value"], ["=1+2", -5.2], ["\r@x", "-5.200"]])
    assert list(csv.reader(io.StringIO(text, newline=""))) == [
        ["name", "value"],
        ["'=1+2", "-5.2"],
        ["'\r@x", "-5.200"],
    ]


def test_a_carriage_return_inside_a_cell_cannot_start_a_row() -> None:
    text = csv_text([["name"], ["Al\r=cmd"], ["Bo"]])
    assert text == 'name\n"Al\r=cmd"\nBo\n'
    assert list(csv.reader(io.StringIO(text, newline=""))) == [["name"], ["Al\r=cmd"], ["Bo"]]
