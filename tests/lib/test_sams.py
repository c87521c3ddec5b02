"""Tests for the compact SAMS code notation (stadsdel.lib.sams)."""

from __future__ import annotations

import contextlib
import re
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stadsdel.lib.sams import (
    SamsNotationError,
    compress_sams,
    expand_sams,
    sams_municipality_code,
)


def codes(municipality: str, *areas: int | tuple[int, int]) -> list[str]:
    """8-digit codes of one municipality; a (first, last) pair is an inclusive range."""
    result: list[str] = []
    for area in areas:
        first, last = area if isinstance(area, tuple) else (area, area)
        result.extend(f"{municipality}{n:04d}" for n in range(first, last + 1))
    return result


# Written with escapes because they look like ASCII; that is the point of testing them.
FULL_WIDTH_CODE = "12800109".translate({ord(d): ord(d) + 0xFEE0 for d in "0123456789"})
EN_DASH_RANGE = "12800109\N{EN DASH}10"

FOSIE = "12800109-10,234-35,44,46-55,58-60"
FOSIE_CODES = [
    "12800109",
    "12800110",
    "12800234",
    "12800235",
    "12800244",
    "12800246",
    "12800247",
    "12800248",
    "12800249",
    "12800250",
    "12800251",
    "12800252",
    "12800253",
    "12800254",
    "12800255",
    "12800258",
    "12800259",
    "12800260",
]

# Notations from the government's table, with their codes and the notation compress_sams
# writes for those codes (fewest digits per fragment).
REAL_EXAMPLES = [
    pytest.param(FOSIE, FOSIE_CODES, "12800109-10,234-5,44,6-55,8-60", id="fosie"),
    pytest.param(
        "01270001-2,4-5",
        ["01270001", "01270002", "01270004", "01270005"],
        "01270001-2,4-5",
        id="0127",
    ),
    pytest.param(
        "07800112-15, 07800120",
        ["07800112", "07800113", "07800114", "07800115", "07800120"],
        "07800112-5,20",
        id="0780-full-second-code",
    ),
    pytest.param(
        "12820001-8, 55-57",
        codes("1282", (1, 8), (55, 57)),
        "12820001-8,55-7",
        id="1282",
    ),
    pytest.param("01260032-3", ["01260032", "01260033"], "01260032-3", id="0126"),
    pytest.param(
        "12800158-9,201,208-9,217-18,224-5",
        [
            "12800158",
            "12800159",
            "12800201",
            "12800208",
            "12800209",
            "12800217",
            "12800218",
            "12800224",
            "12800225",
        ],
        "12800158-9,201,8-9,17-8,24-5",
        id="1280-hundreds",
    ),
    pytest.param(
        "12800089-94,97-104,206-7",
        codes("1280", (89, 94), (97, 104), (206, 207)),
        "12800089-94,7-104,206-7",
        id="1280-end-crosses-hundred",
    ),
]


@pytest.mark.parametrize(("notation", "expected_codes", "_minimal"), REAL_EXAMPLES)
def test_expand_real_examples_gives_every_code_in_order(
    notation: str, expected_codes: list[str], _minimal: str
) -> None:
    assert expand_sams(notation) == expected_codes


def test_expand_range_end_replaces_more_digits_than_it_shares() -> None:
    # 104 replaces the last three digits of 12800097, not the last two.
    assert expand_sams("12800097-104") == codes("1280", (97, 104))


@pytest.mark.parametrize(("_notation", "expected_codes", "minimal"), REAL_EXAMPLES)
def test_compress_real_example_codes_writes_fewest_digit_fragments(
    _notation: str, expected_codes: list[str], minimal: str
) -> None:
    assert compress_sams(expected_codes) == minimal
    assert expand_sams(minimal) == expected_codes


@pytest.mark.parametrize("notation", ["01270001-2,4-5", "01260032-3"])
def test_compress_reproduces_source_notation_that_used_fewest_digits(notation: str) -> None:
    assert compress_sams(expand_sams(notation)) == notation


def test_compress_fosie_with_two_digit_minimum_reproduces_source_notation() -> None:
    assert compress_sams(FOSIE_CODES, min_digits=2) == FOSIE


def test_compress_single_code_is_the_full_code() -> None:
    assert compress_sams(["12800109"]) == "12800109"


def test_compress_two_consecutive_codes_form_a_range() -> None:
    assert compress_sams(["12800109", "12800110"]) == "12800109-10"


def test_compress_accepts_any_iterable() -> None:
    assert compress_sams(iter(["01270001", "01270002"])) == "01270001-2"


def test_compress_writes_full_code_when_municipality_changes() -> None:
    assert compress_sams(["12800260", "12810001", "12810002"]) == "12800260,12810001-2"


def test_compress_never_runs_a_range_across_municipalities() -> None:
    assert compress_sams(["12809998", "12809999", "12810000"]) == "12809998-9,12810000"


def test_compress_min_digits_pads_short_fragments_with_leading_zeros() -> None:
    notation = compress_sams(codes("1282", (1, 8)), min_digits=2)
    assert notation == "12820001-08"
    assert expand_sams(notation) == codes("1282", (1, 8))


@pytest.mark.parametrize(
    ("bad_codes", "message_part"),
    [
        ([], "empty"),
        (["12800110", "12800109"], "12800109 follows 12800110"),
        (["12800109", "12800109"], "12800109 follows 12800109"),
        (["1280010"], "'1280010' is not an 8-digit SAMS code"),
        (["128001090"], "'128001090' is not an 8-digit SAMS code"),
        (["1280010a"], "'1280010a' is not an 8-digit SAMS code"),
        ([" 12800109"], "' 12800109' is not an 8-digit SAMS code"),
        ([FULL_WIDTH_CODE], "is not an 8-digit SAMS code"),
        ([12800109], "12800109 is not an 8-digit SAMS code"),
    ],
)
def test_compress_rejects_empty_unordered_or_malformed_codes(
    bad_codes: list[str], message_part: str
) -> None:
    with pytest.raises(ValueError, match=re.escape(message_part)) as excinfo:
        compress_sams(bad_codes)
    assert not isinstance(excinfo.value, SamsNotationError)


@pytest.mark.parametrize("min_digits", [0, 9, -1])
def test_compress_rejects_min_digits_outside_1_to_8(min_digits: int) -> None:
    with pytest.raises(ValueError, match="min_digits"):
        compress_sams(["12800109"], min_digits=min_digits)


def test_municipality_code_is_first_four_digits() -> None:
    assert sams_municipality_code("12800109") == "1280"
    assert sams_municipality_code("01270001") == "0127"


@pytest.mark.parametrize("bad_code", ["1280010", "128001090", "1280-109", "", "12800109\n"])
def test_municipality_code_rejects_anything_but_8_digits(bad_code: str) -> None:
    with pytest.raises(ValueError, match="is not an 8-digit SAMS code"):
        sams_municipality_code(bad_code)


MALFORMED = [
    # (notation, fragment named, words the message must contain)
    pytest.param("", "", "empty", id="empty"),
    pytest.param("  \t\n", "", "empty", id="blank"),
    pytest.param("1,,2", "", "empty item (item 2;", id="doubled-comma"),
    pytest.param("12800109,,10", "", "empty item (item 2;", id="doubled-comma-valid-codes"),
    pytest.param("12800109,", "", "empty item (item 2;", id="trailing-comma"),
    pytest.param(",12800109", "", "empty item (item 1;", id="leading-comma"),
    pytest.param("12800109, ,10", "", "empty item (item 2;", id="blank-item"),
    pytest.param("12800109-1a", "1a", "'a', which is not a digit", id="letter-in-end"),
    pytest.param("1280O109", "1280O109", "'O', which is not a digit", id="letter-o-for-zero"),
    pytest.param("12800109;10", "12800109;10", "';', which is not a digit", id="semicolon"),
    pytest.param("12800109.", "12800109.", "'.', which is not a digit", id="full-stop"),
    pytest.param(EN_DASH_RANGE, EN_DASH_RANGE, "plain hyphen", id="en-dash"),
    pytest.param("12800 109", "12800 109", "white space inside a number", id="inner-space"),
    pytest.param(FULL_WIDTH_CODE, FULL_WIDTH_CODE, "not a digit", id="full-width-digits"),
    pytest.param("12800109,²", "²", "not a digit", id="superscript-two"),
    pytest.param("149041-45", "149041", "not an 8-digit code (first item", id="6-digit-first"),
    pytest.param("1280010", "1280010", "not an 8-digit code (first item", id="7-digit-first"),
    pytest.param("109-10", "109", "not an 8-digit code (first item", id="fragment-first"),
    pytest.param("128001090", "128001090", "9 digits, more than the 8", id="9-digit-first"),
    pytest.param("12800109,128001100", "128001100", "9 digits, more than the 8", id="9-digit-item"),
    pytest.param("12800109-128001100", "128001100", "9 digits, more than the 8", id="9-digit-end"),
    pytest.param(
        "12800110-09",
        "09",
        "at 12800109, which is not greater than its start 12800110",
        id="descending-range",
    ),
    pytest.param(
        "12800110-0",
        "0",
        "at 12800110, which is not greater than its start 12800110",
        id="equal-range",
    ),
    pytest.param(
        "12800110-12800110",
        "12800110",
        "not greater than its start 12800110",
        id="equal-range-full-codes",
    ),
    pytest.param(
        "12800109,234-35,44,46-45", "45", "'46-45' at 12800245", id="descending-later-range"
    ),
    pytest.param(
        "12800110,05",
        "05",
        "expands to 12800105, which is not greater than the previous code 12800110",
        id="descending-item",
    ),
    pytest.param(
        "12800109-10,10",
        "10",
        "expands to 12800110, which is not greater than the previous",
        id="repeated-code",
    ),
    pytest.param(
        "12800109-15,3", "3", "expands to 12800113, which is not greater", id="item-inside-range"
    ),
    pytest.param(
        "12800110,12800105",
        "12800105",
        "not greater than the previous code 12800110",
        id="descending-full-codes",
    ),
    pytest.param("12800109-10-11", "12800109-10-11", "more than one '-'", id="two-dashes"),
    pytest.param("12800109--10", "12800109--10", "more than one '-'", id="double-dash"),
    pytest.param("12800109-", "12800109-", "empty range end", id="empty-end"),
    pytest.param("12800109 - ", "12800109 -", "empty range end", id="empty-end-spaced"),
    pytest.param("-12800109", "-12800109", "empty range start", id="empty-start"),
    pytest.param("12800109,-5", "-5", "empty range start", id="empty-start-later-item"),
    pytest.param("-", "-", "empty range start", id="lone-dash"),
]


@pytest.mark.parametrize(("notation", "fragment", "message_part"), MALFORMED)
def test_expand_malformed_notation_names_the_faulty_fragment(
    notation: str, fragment: str, message_part: str
) -> None:
    with pytest.raises(SamsNotationError) as excinfo:
        expand_sams(notation)
    error = excinfo.value
    assert error.fragment == fragment
    assert error.notation == notation
    assert str(error).startswith(f"'{fragment}' ")
    assert message_part in str(error)


def test_notation_error_is_a_value_error_with_readable_message() -> None:
    with pytest.raises(ValueError) as excinfo:
        expand_sams("149041-45")
    assert isinstance(excinfo.value, SamsNotationError)
    assert str(excinfo.value) == (
        "'149041' is not an 8-digit code (first item must be a full code)"
    )


def test_expand_checks_every_item_form_before_expanding() -> None:
    # The letter in the last item is reported, not the descending second item.
    with pytest.raises(SamsNotationError) as excinfo:
        expand_sams("12800110,05,x")
    assert excinfo.value.fragment == "x"


def test_expand_ignores_white_space_around_items_and_dashes() -> None:
    assert expand_sams(" 12800109 -\t10 ,\n234 - 35, 44 ,46-55,58 -60 ") == FOSIE_CODES


def test_expand_accepts_full_code_as_later_item_and_range_end() -> None:
    assert expand_sams("12800109-12800110,12810001") == ["12800109", "12800110", "12810001"]


# Property tests. Codes come from a few municipalities, so the prefix changes now and then
# (1280 and 1281 share three digits), and mostly from narrow bands of area numbers, so that
# consecutive codes and hence ranges are common; the 99xx band reaches the end of a
# municipality's numbers.
MUNICIPALITIES = ("0127", "0780", "1280", "1281", "1282")
AREA_NUMBERS = st.one_of(
    st.integers(0, 40),
    st.integers(90, 130),
    st.integers(990, 1010),
    st.integers(9970, 9999),
    st.integers(0, 9999),
)
SAMS_CODES = st.builds(
    lambda municipality, area: f"{municipality}{area:04d}",
    st.sampled_from(MUNICIPALITIES),
    AREA_NUMBERS,
)
ASCENDING_CODE_LISTS = st.lists(SAMS_CODES, min_size=1, max_size=60, unique=True).map(sorted)
WHITE_SPACE = st.text(alphabet=" \t\n", max_size=3)


def _tokens(notation: str) -> list[str]:
    """Digit fragments and the ',' and '-' between them."""
    return re.split(r"([,-])", notation)


@given(ASCENDING_CODE_LISTS)
def test_expand_of_compress_gives_back_the_codes(code_list: list[str]) -> None:
    assert expand_sams(compress_sams(code_list)) == code_list


@given(ASCENDING_CODE_LISTS, st.integers(1, 8))
def test_expand_of_compress_with_min_digits_gives_back_the_codes(
    code_list: list[str], min_digits: int
) -> None:
    assert expand_sams(compress_sams(code_list, min_digits=min_digits)) == code_list


@given(ASCENDING_CODE_LISTS, st.data())
def test_expand_of_compressed_notation_gives_ascending_8_digit_codes_whatever_the_spacing(
    code_list: list[str], data: st.DataObject
) -> None:
    notation = compress_sams(code_list)
    tokens = _tokens(notation)
    spaced = "".join(data.draw(WHITE_SPACE) + token + data.draw(WHITE_SPACE) for token in tokens)

    result = expand_sams(spaced)

    assert result == expand_sams(notation)
    assert all(re.fullmatch(r"[0-9]{8}", code) for code in result)
    assert all(before < after for before, after in pairwise(result))


@given(ASCENDING_CODE_LISTS)
def test_compress_fragments_cannot_be_shortened(code_list: list[str]) -> None:
    # Dropping the leading digit of any short fragment must change what the notation means.
    # Full 8-digit codes are left out: compress writes one in full at a change of
    # municipality even where fewer digits would do.
    tokens = _tokens(compress_sams(code_list))
    for index, token in enumerate(tokens):
        if token in {",", "-"} or len(token) in {1, 8}:
            continue
        shortened = "".join([*tokens[:index], token[1:], *tokens[index + 1 :]])
        with contextlib.suppress(SamsNotationError):
            assert expand_sams(shortened) != code_list


@given(ASCENDING_CODE_LISTS)
def test_compress_starts_each_municipality_with_its_full_code(code_list: list[str]) -> None:
    notation = compress_sams(code_list)
    full_codes = [token for token in re.split(r"[,-]", notation) if len(token) == 8]
    municipalities = sorted({sams_municipality_code(code) for code in code_list})
    assert [code[:4] for code in full_codes] == municipalities
    assert full_codes[0] == code_list[0]


# Short enough that no range can spell out an enormous expansion.
@given(st.text(alphabet="0123456789,- a", max_size=13))
def test_expand_of_arbitrary_text_raises_notation_error_or_gives_ascending_codes(
    notation: str,
) -> None:
    try:
        result = expand_sams(notation)
    except SamsNotationError as error:
        assert error.notation == notation
        assert str(error).startswith(f"'{error.fragment}' ")
        return
    assert result
    assert all(re.fullmatch(r"[0-9]{8}", code) for code in result)
    assert all(before < after for before, after in pairwise(result))
