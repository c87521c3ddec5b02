"""`stadsdel import` over several files (issue 20): each file its own all-or-nothing import, the
first refused file stops the command naming it (the ones before it stay and are named), and a
progress bar on a terminal only (nothing of it in CI or a pipe)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from stadsdel.core.progress import TerminalBar
from stadsdel.indicators.models import ImportBatch

FILES = Path(__file__).parent / "files"


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_bar_draws_on_a_terminal_and_nothing_elsewhere():
    terminal, pipe = Terminal(), io.StringIO()
    for stream in (terminal, pipe):
        bar = TerminalBar(stream, total=4)
        bar.advance(1, "a.csv")
        bar.step("läser a.csv")
        bar.advance(4, "d.csv")
        bar.close()
    drawn = terminal.getvalue()
    assert "\r[########" in drawn and " 25 % 1/4 a.csv" in drawn and "läser a.csv" in drawn
    assert "100 % 4/4 d.csv" in drawn and drawn.endswith("\r\x1b[K")
    assert pipe.getvalue() == "" and TerminalBar(pipe, total=1).lines


@pytest.mark.django_db
def test_several_files_are_imported_each_whole(tmp_path):
    out, err = io.StringIO(), io.StringIO()
    second = tmp_path / "wide_years.csv"
    second.write_bytes((FILES / "wide_years.csv").read_bytes())
    call_command("import", str(FILES / "long.csv"), str(second), "--format", "csv", stdout=out, stderr=err)
    lines = out.getvalue().splitlines()
    assert [line.split(":")[0] for line in lines] == ["long.csv", "wide_years.csv"]
    assert ImportBatch.objects.count() == 2
    assert "\r" not in err.getvalue() and "läser long.csv" in err.getvalue()  # lines, not a bar, off a terminal


@pytest.mark.django_db
def test_the_first_refused_file_stops_the_command_and_names_what_was_imported_before_it():
    with pytest.raises(CommandError) as exc:
        call_command("import", str(FILES / "long.csv"), str(FILES / "bad_value.csv"), str(FILES / "long_semicolon.csv"),
                     "--format", "csv", stdout=io.StringIO(), stderr=io.StringIO())
    assert exc.value.returncode == 2
    message = str(exc.value)
    assert "bad_value.csv" in message and "rad" in message and "imported before it: long.csv" in message
    assert list(ImportBatch.objects.values_list("source_name", flat=True)) == ["long.csv"]
