"""Reading the index command's input files (DATA.csv, GROUPS.csv, MODEL.json) with errors that
name the file and the row or field."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pandas as pd

from stadsdel.lib.index import (
    IndexInputError,
    ModelSpec,
    Panel,
    groups_from_frame,
    model_parse,
    panel_from_frame,
)


def _read_table(path: Path) -> pd.DataFrame:
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            header = handle.readline()
    except FileNotFoundError:
        raise IndexInputError(f"{path}: no such file") from None
    except UnicodeDecodeError:
        raise IndexInputError(f"{path}: not UTF-8 text") from None
    # Swedish spreadsheets save CSV with semicolons; the header tells which one this is.
    sep = ";" if header.count(";") > header.count(",") else ","
    try:
        # Everything as text, so area codes keep their leading zeros; only a blank cell is missing.
        frame = pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False, na_values=[""], encoding="utf-8-sig")
    except (pd.errors.ParserError, csv.Error, UnicodeDecodeError) as exc:
        raise IndexInputError(f"{path.name}: cannot be read as CSV ({exc})") from None
    except pd.errors.EmptyDataError:
        raise IndexInputError(f"{path.name}: the file is empty") from None
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    # "Area" and "area " become the same name; a repeated column would then be read as a table.
    repeated = frame.columns[frame.columns.duplicated()]
    if len(repeated):
        raise IndexInputError(f"{path.name}: the column {repeated[0]!r} appears twice in the header")
    return frame


def json_file_read(path: Path):
    """A model file's JSON; a missing or malformed file is an IndexInputError naming it."""
    try:
        return json.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise IndexInputError(f"{path}: no such file") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise IndexInputError(f"{path.name}: not valid JSON ({exc})") from None
    except (ValueError, RecursionError):
        # json's answer to an integer of more than 4300 digits, or to nesting deeper than
        # Python's recursion limit.
        raise IndexInputError(f"{path.name}: not valid JSON (a number is too long or the nesting too deep)") from None


def model_file_read(path: Path) -> ModelSpec:
    return model_parse(json_file_read(path), source=path.name)


def data_file_read(path: Path, *, model: ModelSpec) -> Panel:
    protective = {i.code for d in model.domains for i in d.indicators if i.orientation == "protective"}
    return panel_from_frame(_read_table(path), source=path.name, protective=protective)


def groups_file_read(path: Path) -> dict[str, list[str]]:
    return groups_from_frame(_read_table(path), source=path.name)
