"""SCB's PxWeb responses in json-stat 2.0 (https://json-stat.org/full/).

Both PxWeb APIs answer in the same format when asked for it: API v1
(`POST https://api.scb.se/OV0104/v1/doris/sv/ssd/...` with `"response": {"format":
"json-stat2"}`) and API v2 (`https://statistikdatabasen.scb.se/api/v2/tables/TAB.../data?
outputFormat=json-stat2`). A dataset is a cube: `id` names the dimensions in order, `size` gives
their lengths, and `value` lists the cells with the last dimension varying fastest, either as an
array or as a sparse object {"17": 3.2}. `status` flags cells the same way (a string for all
cells, an array, or an object).

The cube must reduce to indicator × area × year × sex: the time dimension (role "time", else
SCB's `Tid`), the region dimension (role "geo", else `Region`), optionally the content dimension
(role "metric", else `ContentsCode`) with one category or the one chosen by `content`, optionally
SCB's sex dimension `Kon`, and any other dimension with a single category.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from pathlib import Path

from .base import (
    ImportFileError,
    ImportLimitError,
    Limits,
    ParsedColumns,
    ParsedRow,
    Problem,
    too_large,
    too_many_figures,
)

__all__ = ["jsonstat_columns", "load_json_file", "parse_jsonstat", "parse_pxweb", "read_pxweb_columns"]

YEAR_MIN = 1990
YEAR_MAX = 2100

TIME_IDS = ("Tid",)
REGION_IDS = ("Region",)
CONTENT_IDS = ("ContentsCode",)
SEX_IDS = ("Kon",)

# SCB: 1 = män, 2 = kvinnor, 1+2 = totalt. The letters appear in hand-made and other tables.
_SEX_CODES = {"1": "M", "2": "K", "1+2": "T", "M": "M", "K": "K", "T": "T"}

# PxWeb v2 writes DeSO/RegSO codes of the 2025 code lists with the list as a suffix
# ("0180C1010_DeSO2025"); the area itself is the part before it.
_REGION_SUFFIX = re.compile(r"_(?:DeSO|RegSO)[0-9]*$", re.IGNORECASE)
_YEAR_RE = re.compile(r"[0-9]{4}")

# Cell flags. SCB's ".." means "not available or too uncertain", "." "cannot occur"; both with
# a null value are a missing figure. These mark a figure withheld for confidentiality.
_SECRECY_FLAGS = frozenset({"x", "X", "C", "S", "sekretess"})
_PROVISIONAL_FLAGS = frozenset({"p", "P", "prel", "Prel", "preliminär", "preliminary"})


def _finite(value: int | float) -> bool:
    # math.isfinite turns an int into a float first, and a JSON integer of 309 digits or more
    # does not fit one.
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


@dataclass(frozen=True)
class _Dimension:
    id: str
    codes: list[str]


def parse_pxweb(
    path: Path, *, indicator: str, content: str | None = None, limits: Limits | None = None
) -> list[ParsedRow]:
    """Read a saved PxWeb json-stat2 response; every cell becomes a row for `indicator`.

    `content` picks one category of the content dimension when the response has several.
    Raises ImportFileError naming each fault by JSON path (`value[17]`, `dimension.Tid`).
    """
    return read_pxweb_columns(path, indicator=indicator, content=content, limits=limits).rows()


def read_pxweb_columns(
    path: Path, *, indicator: str, content: str | None = None, limits: Limits | None = None
) -> ParsedColumns:
    """`parse_pxweb`, its figures as columns (what the import reads)."""
    path = Path(path)
    limits = limits or Limits.from_settings()
    data = load_json_file(path, limits=limits)
    return jsonstat_columns(data, file=path.name, indicator=indicator, content=content, limits=limits)


def load_json_file(path: Path, *, limits: Limits | None = None) -> object:
    """Decode a saved JSON response; an empty, non-UTF-8 or broken file is an ImportFileError
    naming the line and column (a download cut short ends mid-way). A file larger than the
    limit's bytes is refused before it is read: decoding holds all of it in memory, several
    times its size."""
    path = Path(path)
    limits = limits or Limits.from_settings()
    size = path.stat().st_size
    if size > limits.max_unzipped_bytes:
        raise ImportLimitError(file=path.name, problems=[too_large("", size, limits.max_unzipped_bytes)])
    raw = path.read_bytes()
    if not raw.strip():
        raise ImportFileError(file=path.name, problems=[Problem("", "filen är tom")])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ImportFileError(
            file=path.name, problems=[Problem(f"rad {line}", "filen är inte UTF-8")]
        ) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFileError(
            file=path.name,
            problems=[
                Problem(
                    f"rad {exc.lineno}, kolumn {exc.colno}",
                    f"ogiltig JSON ({exc.msg}); filen är trasig eller avkortad",
                )
            ],
        ) from None
    except (ValueError, RecursionError):
        # json gives these, not a JSONDecodeError, for an integer of more than 4300 digits and
        # for nesting deeper than Python's recursion limit.
        raise ImportFileError(
            file=path.name,
            problems=[Problem("", "filen kan inte läsas: ett tal är för långt eller nästlingen för djup")],
        ) from None


def parse_jsonstat(
    data: object, *, file: str, indicator: str, content: str | None = None, limits: Limits | None = None
) -> list[ParsedRow]:
    """Read an already decoded json-stat dataset (see parse_pxweb)."""
    return jsonstat_columns(data, file=file, indicator=indicator, content=content, limits=limits).rows()


def jsonstat_columns(
    data: object, *, file: str, indicator: str, content: str | None = None, limits: Limits | None = None
) -> ParsedColumns:
    """`parse_jsonstat`, its figures as columns."""
    problems: list[Problem] = []
    limits = limits or Limits.from_settings()
    reader = _Reader(problems, indicator=indicator, content=content, max_rows=limits.max_rows)
    columns = reader.read(data)
    if reader.over_limit:
        raise ImportLimitError(file=file, problems=[reader.over_limit])
    if problems:
        raise ImportFileError(file=file, problems=problems)
    return columns if columns is not None else _no_columns()


def _value_place(index: int) -> str:
    return f"value[{index}]"


def _no_columns() -> ParsedColumns:
    return ParsedColumns(indicator=[], area=[], period=[], sex=[], value=[], places=[], place=_value_place,
                         keys_unique=True)


class _Reader:
    def __init__(self, problems: list[Problem], *, indicator: str, content: str | None, max_rows: int) -> None:
        self.problems = problems
        self.indicator = indicator
        self.content = content
        self.max_rows = max_rows
        self.over_limit: Problem | None = None

    def problem(self, location: str, message: str) -> None:
        self.problems.append(Problem(location, message))

    # ----------------------------------------------------------------------------------------

    def read(self, data: object) -> ParsedColumns | None:
        dataset = self._dataset(data)
        if dataset is None:
            return None
        dimensions = self._dimensions(dataset)
        if dimensions is None:
            return None
        roles = self._roles(dataset, dimensions)
        if roles is None:
            return None
        cells = self._cells(dataset, dimensions)
        if cells is None:
            return None
        return self._rows(dimensions, roles, cells)

    def _dataset(self, data: object) -> dict | None:
        if not isinstance(data, dict):
            self.problem("", "filen är inget json-stat-dataset (väntade ett JSON-objekt)")
            return None
        if "columns" in data and "data" in data:
            self.problem(
                "", "filen är PxWebs format 'json'; hämta tabellen med formatet 'json-stat2'"
            )
            return None
        if "id" not in data and "dimension" not in data:
            # json-stat 1 (PxWeb's "json-stat") wraps the dataset in a bundle and keeps id,
            # size and role inside `dimension`.
            inner = [v for v in data.values() if isinstance(v, dict) and "dimension" in v]
            if len(inner) == 1 and isinstance(inner[0]["dimension"], dict):
                dataset = dict(inner[0])
                dimension = dict(dataset["dimension"])
                for key in ("id", "size", "role"):
                    if key in dimension:
                        dataset[key] = dimension.pop(key)
                dataset["dimension"] = dimension
                return dataset
            self.problem("", "filen är inget json-stat-dataset (saknar 'id' och 'dimension')")
            return None
        return data

    def _dimensions(self, dataset: dict) -> list[_Dimension] | None:
        ids, sizes = dataset.get("id"), dataset.get("size")
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            self.problem("id", "'id' ska vara en lista med dimensionernas namn")
            return None
        if not isinstance(sizes, list) or not all(
            isinstance(s, int) and not isinstance(s, bool) and s >= 0 for s in sizes
        ):
            self.problem("size", "'size' ska vara en lista med heltal")
            return None
        if len(ids) != len(sizes):
            self.problem("size", f"'id' har {len(ids)} dimensioner men 'size' har {len(sizes)}")
            return None
        described = dataset.get("dimension")
        if not isinstance(described, dict):
            self.problem("dimension", "'dimension' saknas")
            return None

        dimensions: list[_Dimension] = []
        for dim_id, size in zip(ids, sizes, strict=True):
            codes = self._codes(dim_id, described.get(dim_id))
            if codes is None:
                continue
            if len(codes) != size:
                self.problem(
                    f"dimension.{dim_id}",
                    f"'size' anger {size} kategorier men dimensionen har {len(codes)}",
                )
                continue
            dimensions.append(_Dimension(dim_id, codes))
        return dimensions if len(dimensions) == len(ids) else None

    def _codes(self, dim_id: str, dimension: object) -> list[str] | None:
        place = f"dimension.{dim_id}"
        if not isinstance(dimension, dict) or not isinstance(dimension.get("category"), dict):
            self.problem(place, "dimensionen saknas eller saknar 'category'")
            return None
        category = dimension["category"]
        index = category.get("index")
        if index is None:
            # json-stat allows leaving out the index when there is a single category.
            labels = category.get("label")
            if isinstance(labels, dict) and len(labels) == 1:
                return [str(next(iter(labels)))]
            self.problem(place, "'category.index' saknas")
            return None
        if isinstance(index, list):
            if not all(isinstance(code, str) for code in index) or len(set(index)) != len(index):
                self.problem(place, "'category.index' ska vara en lista med olika koder")
                return None
            return list(index)
        if isinstance(index, dict):
            if not all(isinstance(pos, int | float) for pos in index.values()):
                self.problem(place, "'category.index' ska ge varje kod en egen position 0, 1, 2, …")
                return None
            positions = sorted(index.items(), key=lambda item: item[1])
            if [pos for _, pos in positions] != list(range(len(positions))):
                self.problem(place, "'category.index' ska ge varje kod en egen position 0, 1, 2, …")
                return None
            return [code for code, _ in positions]
        self.problem(place, "'category.index' ska vara en lista eller ett objekt")
        return None

    def _roles(self, dataset: dict, dimensions: list[_Dimension]) -> dict[str, int] | None:
        """Positions of the time, region, content and sex dimensions."""
        by_id = {dim.id: pos for pos, dim in enumerate(dimensions)}
        role = dataset.get("role") if isinstance(dataset.get("role"), dict) else {}

        def find(role_name: str | None, fallback: tuple[str, ...]) -> int | None:
            named = role.get(role_name) if role_name else None
            if isinstance(named, list):
                for dim_id in named:
                    if isinstance(dim_id, str) and dim_id in by_id:
                        return by_id[dim_id]
            return next((by_id[dim_id] for dim_id in fallback if dim_id in by_id), None)

        roles = {
            "time": find("time", TIME_IDS),
            "region": find("geo", REGION_IDS),
            "content": find("metric", CONTENT_IDS),
            "sex": find(None, SEX_IDS),
        }
        if roles["time"] is None:
            self.problem("role.time", "hittar ingen tidsdimension (role.time eller 'Tid')")
        if roles["region"] is None:
            self.problem("role.geo", "hittar ingen regiondimension (role.geo eller 'Region')")

        content_pos = roles["content"]
        if content_pos is None:
            if self.content is not None:
                self.problem(
                    "role.metric",
                    f"innehållet '{self.content}' angavs men svaret har ingen "
                    "innehållsdimension (role.metric eller 'ContentsCode')",
                )
        else:
            codes = dimensions[content_pos].codes
            place = f"dimension.{dimensions[content_pos].id}"
            if self.content is not None and self.content not in codes:
                self.problem(
                    place,
                    f"innehållet '{self.content}' finns inte i svaret (finns: {', '.join(codes)})",
                )
            elif self.content is None and len(codes) > 1:
                self.problem(
                    place,
                    f"svaret har {len(codes)} tabellinnehåll ({', '.join(codes)}); ange vilket "
                    "som ska importeras",
                )

        used = {pos for pos in roles.values() if pos is not None}
        for pos, dim in enumerate(dimensions):
            if pos not in used and len(dim.codes) != 1:
                self.problem(
                    f"dimension.{dim.id}",
                    f"dimensionen '{dim.id}' har {len(dim.codes)} kategorier; välj en enda "
                    "kategori i frågan till PxWeb",
                )
        return None if self.problems else roles

    def _cells(self, dataset: dict, dimensions: list[_Dimension]) -> tuple[list, list, list | None] | None:
        """Every cell present in the file: (indices, values, flags or None when none is flagged)."""
        total = math.prod(len(dim.codes) for dim in dimensions)
        values = dataset.get("value")
        present: dict[int, object] = {}
        # Every cell given (a list's every entry, a sparse object's every key) becomes a figure;
        # counted before one is built, so a huge table is refused at once.
        if isinstance(values, list | dict) and len(values) > self.max_rows:
            self.over_limit = too_many_figures("value", self.max_rows)
            return None
        if isinstance(values, list):
            if len(values) != total:
                sizes = " × ".join(str(len(dim.codes)) for dim in dimensions)
                self.problem(
                    "value",
                    f"storlekarna i 'size' ({sizes}) ger {total} celler men 'value' har "
                    f"{len(values)}",
                )
                return None
            present = values  # indexed like the dict of a sparse response
        elif isinstance(values, dict):
            present = self._sparse(values, total, "value")
        else:
            self.problem("value", "'value' saknas eller är varken en lista eller ett objekt")
            return None

        flags: dict[int, object] = {}
        status = dataset.get("status")
        if isinstance(status, str):
            flags = dict.fromkeys(range(total) if isinstance(present, list) else present, status)
        elif isinstance(status, list):
            if len(status) == 1:
                flags = dict.fromkeys(range(total) if isinstance(present, list) else present, status[0])
            elif len(status) == total:
                flags = {i: flag for i, flag in enumerate(status) if flag not in (None, "")}
            else:
                self.problem(
                    "status", f"'status' har {len(status)} poster men datasetet har {total} celler"
                )
        elif isinstance(status, dict):
            flags = self._sparse(status, total, "status")
        elif status is not None:
            self.problem("status", "'status' ska vara en sträng, en lista eller ett objekt")
        if self.problems:
            return None

        if isinstance(values, list) and not flags:
            # Dense and unflagged, the common response: the cells are the list itself.
            return list(range(total)), values, None
        # A sparse response may flag a cell it gives no value for (a suppressed figure).
        if isinstance(present, list):
            present = dict(enumerate(present))
        indices = sorted(set(present) | {i for i, flag in flags.items() if flag not in (None, "")})
        return indices, [present.get(i) for i in indices], [flags.get(i) for i in indices] if flags else None

    def _sparse(self, mapping: dict, total: int, name: str) -> dict[int, object]:
        result: dict[int, object] = {}
        for key, item in mapping.items():
            if not (isinstance(key, str) and key.isascii() and key.isdigit()):
                self.problem(f'{name}["{key}"]', "nyckeln ska vara ett cellnummer")
                continue
            # A key of thousands of digits is beyond int() (and beyond any cell).
            digits = key.lstrip("0") or "0"
            if len(digits) > len(str(total)) or int(digits) >= total:
                self.problem(
                    f'{name}["{key}"]',
                    f"cell {key} finns inte; datasetet har celler 0–{total - 1}",
                )
                continue
            result[int(digits)] = item
        return result

    def _rows(
        self, dimensions: list[_Dimension], roles: dict[str, int], cells: tuple[list, list, list | None]
    ) -> ParsedColumns | None:
        time_pos, region_pos = roles["time"], roles["region"]
        content_pos, sex_pos = roles["content"], roles["sex"]

        years = self._years(dimensions[time_pos])
        sexes = self._sexes(dimensions[sex_pos]) if sex_pos is not None else None
        if self.problems:
            return None
        areas = [_REGION_SUFFIX.sub("", code) for code in dimensions[region_pos].codes]
        # _roles made sure the content dimension has one category or `content` names one.
        wanted_content = 0
        if content_pos is not None and self.content is not None:
            wanted_content = dimensions[content_pos].codes.index(self.content)

        strides = []
        stride = 1
        for dim in reversed(dimensions):
            strides.append(stride)
            stride *= len(dim.codes)
        strides.reverse()

        def coordinate(pos: int | None) -> tuple[int, int]:
            # A dimension without a position (no content or sex dimension) is one category.
            return (strides[pos], len(dimensions[pos].codes)) if pos is not None else (1, 1)

        # Only the four dimensions that matter are located; the others have one category.
        (region_stride, region_n), (time_stride, time_n) = coordinate(region_pos), coordinate(time_pos)
        (content_stride, content_n), (sex_stride, sex_n) = coordinate(content_pos), coordinate(sex_pos)
        sexes = sexes if sexes is not None else ["T"]
        # Two cells can only name the same area, year and sex when two region codes differ only
        # in their suffix or two sex codes mean the same; only then is every key remembered.
        may_repeat = len(set(areas)) < len(areas) or len(set(sexes)) < len(sexes)
        indices, values, flags = cells
        if content_n > 1:
            keep = [k for k, index in enumerate(indices) if (index // content_stride) % content_n == wanted_content]
            indices = [indices[k] for k in keep]
            values = [values[k] for k in keep]
            flags = [flags[k] for k in keep] if flags is not None else None
        statuses: list[str] | None = None
        if not may_repeat and flags is None and all(type(v) is float for v in values) and _finite(sum(values)):
            # The common file: every cell a finite number without a flag (a sum over them is
            # finite only when each is), read a column at a time.
            numbers = values
        else:
            numbers, statuses, indices = self._cells_one_by_one(
                indices, values, flags, may_repeat, areas, region_stride, region_n, years, time_stride, time_n,
                sexes, sex_stride, sex_n)
        if self.problems:
            return None
        n = len(indices)
        return ParsedColumns(
            indicator=[self.indicator] * n,
            area=[areas[(index // region_stride) % region_n] for index in indices] if region_n > 1 else areas * n,
            period=[years[(index // time_stride) % time_n] for index in indices] if time_n > 1 else years * n,
            sex=[sexes[(index // sex_stride) % sex_n] for index in indices] if sex_n > 1 else sexes * n,
            value=numbers, status=statuses, places=indices, place=_value_place, keys_unique=True,
        )

    def _cells_one_by_one(self, indices, values, flags, may_repeat, areas, region_stride, region_n, years,
                          time_stride, time_n, sexes, sex_stride, sex_n):
        """Each cell read and checked on its own: flags, nulls, integers, or a fault somewhere."""
        kept: list[int] = []
        numbers: list[float | None] = []
        statuses: list[str] = []
        seen: dict[tuple[str, int, str], str] = {}
        for k, index in enumerate(indices):
            value = values[k]
            flag = flags[k] if flags is not None else None
            place = f"value[{index}]"
            if flag is None and type(value) is float and _finite(value):
                number, status = value, "ok"  # the common cell, as _cell would read it
            else:
                parsed = self._cell(value, flag, place)
                if parsed is None:
                    continue
                number, status = parsed
            if may_repeat:
                area = areas[(index // region_stride) % region_n]
                year = years[(index // time_stride) % time_n]
                sex = sexes[(index // sex_stride) % sex_n]
                key = (area, year, sex)
                if key in seen:
                    self.problem(
                        place,
                        f"samma område, år och kön ({area}, {year}, {sex}) som {seen[key]}; "
                        "regionkoderna skiljer sig bara i suffix",
                    )
                    continue
                seen[key] = place
            kept.append(index)
            numbers.append(number)
            statuses.append(status)
        return numbers, statuses, kept

    def _cell(self, value: object, flag: object, place: str) -> tuple[float | None, str] | None:
        flag_text = flag.strip() if isinstance(flag, str) else ""
        if value is None:
            return None, "suppressed" if flag_text in _SECRECY_FLAGS else "missing"
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.problem(place, f"'{value}' är inget tal")
            return None
        if not _finite(value):
            self.problem(place, f"'{value}' är inget tal")
            return None
        if flag_text in _SECRECY_FLAGS:
            self.problem(place, f"cellen är markerad som skyddad ('{flag_text}') men har ett värde")
            return None
        status = "provisional" if flag_text in _PROVISIONAL_FLAGS else "ok"
        return float(value), status

    def _years(self, dimension: _Dimension) -> list[int]:
        years = []
        for code in dimension.codes:
            place = f"dimension.{dimension.id}"
            if not _YEAR_RE.fullmatch(code):
                self.problem(
                    place,
                    f"perioden '{code}' är inte ett år; bara årsvärden stöds (t.ex. 2012), "
                    "inte månader eller kvartal",
                )
                years.append(0)
            elif not YEAR_MIN <= int(code) <= YEAR_MAX:
                self.problem(place, f"året {code} ligger utanför {YEAR_MIN}–{YEAR_MAX}")
                years.append(0)
            else:
                years.append(int(code))
        return years

    def _sexes(self, dimension: _Dimension) -> list[str]:
        sexes = []
        for code in dimension.codes:
            sex = _SEX_CODES.get(code)
            if sex is None:
                self.problem(
                    f"dimension.{dimension.id}",
                    f"okänd kod för kön '{code}' (väntade 1 = män, 2 = kvinnor, 1+2 = totalt)",
                )
            sexes.append(sex or "")
        return sexes
