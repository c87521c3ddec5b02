"""What every importer's parser returns, and how it reports bad input.

Parsers are pure: they read one file (or response) into `ParsedRow`s without touching the
database. Resolving indicator and area codes, finding duplicate keys across the file and writing
happen in `stadsdel.indicators.services.imports.observations_import`, in one transaction.

A file is read in a stream and stops at the first sign that it is larger than the limits
(`Limits`, from the settings `STADSDEL_IMPORT_MAX_*`): a hostile or mistaken file must not tie up
a worker for minutes before it is refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field

SEXES = ("T", "K", "M")
STATUSES = ("ok", "suppressed", "provisional", "missing")


@dataclass(frozen=True)
class Limits:
    """How large a file the importers read: data rows (and figures: a wide row gives one per
    filled cell), columns, and the unzipped size of a workbook."""

    max_rows: int
    max_columns: int
    max_unzipped_bytes: int

    @classmethod
    def from_settings(cls) -> Limits:
        from django.conf import settings

        return cls(
            max_rows=settings.STADSDEL_IMPORT_MAX_ROWS,
            max_columns=settings.STADSDEL_IMPORT_MAX_COLUMNS,
            max_unzipped_bytes=settings.STADSDEL_IMPORT_MAX_UNZIPPED_BYTES,
        )


@dataclass(frozen=True, slots=True)
class ParsedRow:
    """One figure as the file states it.

    `indicator` is the catalogue code (CSV/Excel, or the `--indicator` of a json-stat import) or,
    for Kolada, the KPI id (the service maps it through the catalogue); `indicator_is_kolada` says
    which. `area` is the unit's code as written in the file: a statistical area (SAMS 8 digits,
    DeSO/RegSO), a municipality (4 digits), a county (2 digits) or the country ("SE", "00", "0000"
    in Kolada). `location` says where in the file the row was, for error messages ("rad 12",
    "cell C7", "value[17]", "sida 2, values[3]").
    """

    indicator: str
    area: str
    period: int
    sex: str
    value: float | None
    numerator: float | None = None
    denominator: float | None = None
    status: str = "ok"
    location: str = ""
    indicator_is_kolada: bool = False


@dataclass
class Problem:
    """One fault in an input file, at a named place."""

    location: str
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.message}" if self.location else self.message


@dataclass
class ImportFileError(Exception):
    """The file cannot be imported. Lists every problem found (up to a limit), each naming the
    row, cell or JSON path, so a user can fix the file in one go."""

    file: str
    problems: list[Problem] = field(default_factory=list)

    def __str__(self) -> str:
        head = f"{self.file}: {len(self.problems)} fel" if len(self.problems) != 1 else f"{self.file}: 1 fel"
        lines = [head, *(f"  {p}" for p in self.problems[:50])]
        if len(self.problems) > 50:
            lines.append(f"  … och {len(self.problems) - 50} till")
        return "\n".join(lines)


class ImportLimitError(ImportFileError):
    """The file is larger than a limit; its one problem names the limit's setting."""


LIMIT_ROWS = "STADSDEL_IMPORT_MAX_ROWS"
LIMIT_BYTES = "STADSDEL_IMPORT_MAX_UNZIPPED_BYTES"


def count_text(number: int) -> str:
    """A count as a Swedish reader writes it: 200 000."""
    return f"{number:,}".replace(",", " ")


def too_many_rows(place: str, limit: int, what: str = "filen") -> Problem:
    return Problem(place, f"{what} har fler än {count_text(limit)} datarader (gränsen {LIMIT_ROWS}); dela upp filen")


def too_many_figures(place: str, limit: int) -> Problem:
    return Problem(place, f"filen ger fler än {count_text(limit)} värden (gränsen {LIMIT_ROWS}); dela upp filen")


def too_large(place: str, size: int, limit: int) -> Problem:
    return Problem(place, f"filen är {size // 1_000_000} MB, mer än {limit // 1_000_000} MB (gränsen {LIMIT_BYTES})")


class ParsedColumns:
    """A file's figures as columns, one list per field (the same fields as `ParsedRow`).

    A national file has hundreds of thousands of figures; two Python objects per figure cost
    more than checking and writing them (issue 21). The parsers of the large formats (json-stat2,
    long CSV) fill lists instead, and the import checks, resolves and compares them a column at
    a time. `numerator` and `denominator` are None when the file has none; `status` is None when
    every figure is "ok". A row's place in the file is `place(places[i])` ("rad 12", "value[17]"),
    built only when a fault is reported. `keys_unique` says the parser already made sure no two
    rows share indicator, area, period and sex as written in the file.
    """

    __slots__ = (
        "area",
        "denominator",
        "indicator",
        "indicator_is_kolada",
        "keys_unique",
        "numerator",
        "period",
        "place",
        "places",
        "sex",
        "status",
        "value",
    )

    def __init__(self, *, indicator: list[str], area: list[str], period: list[int], sex: list[str],
                 value: list[float | None], numerator: list[float | None] | None = None,
                 denominator: list[float | None] | None = None, status: list[str] | None = None,
                 places: list, place, indicator_is_kolada: bool = False, keys_unique: bool = False) -> None:
        self.indicator, self.area, self.period, self.sex, self.value = indicator, area, period, sex, value
        self.numerator, self.denominator, self.status = numerator, denominator, status
        self.places, self.place = places, place
        self.indicator_is_kolada, self.keys_unique = indicator_is_kolada, keys_unique

    def __len__(self) -> int:
        return len(self.area)

    def location(self, i: int) -> str:
        return self.place(self.places[i])

    def row(self, i: int) -> ParsedRow:
        return ParsedRow(
            self.indicator[i], self.area[i], self.period[i], self.sex[i], self.value[i],
            self.numerator[i] if self.numerator is not None else None,
            self.denominator[i] if self.denominator is not None else None,
            self.status[i] if self.status is not None else "ok", self.location(i), self.indicator_is_kolada,
        )

    def rows(self) -> list[ParsedRow]:
        return [self.row(i) for i in range(len(self))]

    @classmethod
    def from_rows(cls, rows: list[ParsedRow]) -> ParsedColumns:
        """The columns of rows a parser built one by one (Excel, wide CSV, Kolada)."""
        return cls(
            indicator=[r.indicator for r in rows], area=[r.area for r in rows], period=[r.period for r in rows],
            sex=[r.sex for r in rows], value=[r.value for r in rows], numerator=[r.numerator for r in rows],
            denominator=[r.denominator for r in rows], status=[r.status for r in rows],
            places=[r.location for r in rows], place=str,
            indicator_is_kolada=any(r.indicator_is_kolada for r in rows),
        )
