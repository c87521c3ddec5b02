"""The compact SAMS code notation of the government's area table: expand and compress.

A SAMS code has 8 digits: a 4-digit municipality code and a 4-digit area number (12800109 is
Malmö, area 0109). The table writes lists of codes compactly, as in
``12800109-10,234-35,44,46-55,58-60``:

* items are separated by ``,``; white space around items and around ``-`` is ignored;
* an item is a code or a range ``start-end`` (both ends included);
* a digit fragment shorter than 8 digits replaces the trailing digits of the code before it: a
  range end replaces those of its own range start, an item's start replaces those of the
  previous item's last code.

So the example is 12800109, 12800110, 12800234, 12800235, 12800244, 12800246 … 12800255 and
12800258 … 12800260. Codes must ascend strictly throughout.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from itertools import pairwise

__all__ = [
    "CODE_LENGTH",
    "MUNICIPALITY_CODE_LENGTH",
    "SamsNotationError",
    "compress_sams",
    "expand_sams",
    "sams_municipality_code",
]

CODE_LENGTH = 8
MUNICIPALITY_CODE_LENGTH = 4

# [0-9] rather than str.isdigit(): isdigit() also accepts '²' and digits of other scripts, which
# int() would then silently read as ordinary numbers.
_CODE_RE = re.compile(r"[0-9]{8}")
_DIGIT_CHARS = frozenset("0123456789")


class SamsNotationError(ValueError):
    """A SAMS notation that cannot be expanded.

    ``fragment`` is the offending fragment exactly as written (stripped of surrounding white
    space; empty for an empty notation or item), ``notation`` the whole notation, ``problem``
    what is wrong with the fragment. ``str()`` reads ``'<fragment>' <problem>``.
    """

    def __init__(self, fragment: str, problem: str, *, notation: str) -> None:
        self.fragment = fragment
        self.problem = problem
        self.notation = notation
        super().__init__(f"'{fragment}' {problem}")


def sams_municipality_code(code: str) -> str:
    """Return the 4-digit municipality code of an 8-digit SAMS code (``12800109`` -> ``1280``).

    Raises ValueError if ``code`` is not exactly 8 ASCII digits.
    """
    _check_code(code)
    return code[:MUNICIPALITY_CODE_LENGTH]


def expand_sams(notation: str) -> list[str]:
    """Expand a compact SAMS notation into its 8-digit codes, in order.

    >>> expand_sams("01270001-2,4-5")
    ['01270001', '01270002', '01270004', '01270005']

    Raises SamsNotationError, naming the faulty fragment, if the notation is empty or has an
    empty item; contains anything but digits, ``,``, ``-`` and white space; has an item with
    more than one ``-`` or a range with an empty start or end; has a fragment longer than 8
    digits; does not start with a full 8-digit code; or does not ascend strictly (a range end
    not after its start, or an item not after the previous item's last code).
    """
    # All items are checked for form before any is expanded, so that an error names the
    # malformed fragment rather than whatever a malformed item happens to make of its neighbour.
    items = _split_items(notation)

    codes: list[str] = []
    for item, start_fragment, end_fragment in items:
        if not codes:
            if len(start_fragment) != CODE_LENGTH:
                raise SamsNotationError(
                    start_fragment,
                    "is not an 8-digit code (first item must be a full code)",
                    notation=notation,
                )
            start = start_fragment
        else:
            previous = codes[-1]
            start = _replace_tail(previous, start_fragment)
            # Equal-length digit strings compare like the numbers they spell.
            if start <= previous:
                raise SamsNotationError(
                    start_fragment,
                    f"expands to {start}, which is not greater than the previous code "
                    f"{previous} (codes must ascend)",
                    notation=notation,
                )
        if end_fragment is None:
            codes.append(start)
            continue
        end = _replace_tail(start, end_fragment)
        if end <= start:
            raise SamsNotationError(
                end_fragment,
                f"ends the range '{item}' at {end}, which is not greater than its start {start}",
                notation=notation,
            )
        codes.extend(f"{n:0{CODE_LENGTH}d}" for n in range(int(start), int(end) + 1))
    return codes


def compress_sams(codes: Iterable[str], *, min_digits: int = 1) -> str:
    """Write strictly ascending 8-digit SAMS codes in the compact notation; the inverse of
    :func:`expand_sams`.

    >>> compress_sams(["01270001", "01270002", "01270004", "01270005"])
    '01270001-2,4-5'

    Consecutive codes become a range ``start-end`` (two codes included). Each fragment uses the
    fewest trailing digits that reproduce its code from the code before it, but at least
    ``min_digits`` (1-8). The government table mostly writes two digits or more (``234-35``,
    ``46-55``); ``min_digits=2`` mimics it. A code whose municipality differs from the code
    before it is always written in full, and a range never crosses municipalities.

    Raises ValueError if ``codes`` is empty, holds anything but 8-digit strings, or does not
    ascend strictly, or if ``min_digits`` is outside 1-8.
    """
    if not 1 <= min_digits <= CODE_LENGTH:
        raise ValueError(f"min_digits must be between 1 and {CODE_LENGTH}, not {min_digits}")
    code_list = list(codes)
    if not code_list:
        raise ValueError("cannot compress an empty list of SAMS codes")
    for code in code_list:
        _check_code(code)
    for before, after in pairwise(code_list):
        if after <= before:
            raise ValueError(f"SAMS codes must ascend strictly, but {after} follows {before}")

    runs: list[list[str]] = []
    for code in code_list:
        if runs and _continues_run(runs[-1][-1], code):
            runs[-1].append(code)
        else:
            runs.append([code])

    items: list[str] = []
    previous: str | None = None
    for run in runs:
        first, last = run[0], run[-1]
        item = _fragment(first, after=previous, min_digits=min_digits)
        if last != first:
            item += "-" + _fragment(last, after=first, min_digits=min_digits)
        items.append(item)
        previous = last
    return ",".join(items)


def _check_code(code: str) -> None:
    if not isinstance(code, str) or not _CODE_RE.fullmatch(code):
        raise ValueError(f"{code!r} is not an 8-digit SAMS code")


def _split_items(notation: str) -> list[tuple[str, str, str | None]]:
    """Check the form of every item; return (item, start fragment, end fragment or None)."""
    if not notation.strip():
        raise SamsNotationError("", "is not a SAMS notation: it is empty", notation=notation)

    items: list[tuple[str, str, str | None]] = []
    for number, raw_item in enumerate(notation.split(","), start=1):
        item = raw_item.strip()
        if not item:
            raise SamsNotationError(
                "",
                f"is an empty item (item {number}; look for a doubled, leading or trailing ',')",
                notation=notation,
            )
        parts = [part.strip() for part in item.split("-")]
        if len(parts) > 2:
            raise SamsNotationError(
                item,
                "has more than one '-' (an item is a code or one range start-end)",
                notation=notation,
            )
        if len(parts) == 2 and not parts[0]:
            raise SamsNotationError(item, "has an empty range start", notation=notation)
        if len(parts) == 2 and not parts[1]:
            raise SamsNotationError(item, "has an empty range end", notation=notation)
        for part in parts:
            _check_fragment(part, notation=notation)
        items.append((item, parts[0], parts[1] if len(parts) == 2 else None))
    return items


def _check_fragment(fragment: str, *, notation: str) -> None:
    stray = next((char for char in fragment if char not in _DIGIT_CHARS), None)
    if stray is not None:
        if stray.isspace():
            problem = "has white space inside a number"
        elif unicodedata.category(stray) == "Pd":
            # En and em dashes come along when the table is copied from a PDF or Word file.
            problem = f"contains {stray!r}; write ranges with the plain hyphen '-'"
        else:
            problem = (
                f"contains {stray!r}, which is not a digit "
                "(only digits, ',', '-' and white space are allowed)"
            )
        raise SamsNotationError(fragment, problem, notation=notation)
    if len(fragment) > CODE_LENGTH:
        raise SamsNotationError(
            fragment, f"has {len(fragment)} digits, more than the 8 of a code", notation=notation
        )


def _replace_tail(base: str, fragment: str) -> str:
    return base[: CODE_LENGTH - len(fragment)] + fragment


def _continues_run(previous: str, code: str) -> bool:
    # A range that crossed into the next municipality (12809999-10000) would be legal notation
    # but would hide the change of municipality from a human reader.
    return (
        int(code) == int(previous) + 1
        and code[:MUNICIPALITY_CODE_LENGTH] == previous[:MUNICIPALITY_CODE_LENGTH]
    )


def _fragment(code: str, *, after: str | None, min_digits: int) -> str:
    """The shortest tail of ``code`` (at least ``min_digits``) that turns ``after`` into it."""
    if after is None or after[:MUNICIPALITY_CODE_LENGTH] != code[:MUNICIPALITY_CODE_LENGTH]:
        return code
    shared = 0
    while after[shared] == code[shared]:
        shared += 1
    return code[min(shared, CODE_LENGTH - min_digits) :]
