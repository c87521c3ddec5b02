"""An import that dies half-way leaves the database as it was.

`stadsdel import BIG.csv` runs as a real process against a real database — a copy of the test
database in an SQLite file, or on PostgreSQL the test database itself — and is killed with SIGKILL
once it says it is writing and its uncommitted rows have reached the database; the observation,
history, batch and area counts are then those from before. A second test makes the service fail
in-process after its observations are written and checks the same.
"""

from __future__ import annotations

import os
import queue
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

from stadsdel.areas.models import StatisticalArea
from stadsdel.indicators.models import ImportBatch, Indicator, Observation
from stadsdel.indicators.services import imports
from stadsdel.indicators.services.imports import observations_import

pytestmark = pytest.mark.django_db

TABLES = {
    "observations": Observation._meta.db_table,
    "observation history": Observation.history.model._meta.db_table,
    "batches": ImportBatch._meta.db_table,
    "areas": StatisticalArea._meta.db_table,
}
YEARS = range(1990, 2014)  # with 15 indicators × ~166 areas: about 60 000 rows
DEADLINE = 90  # seconds for the whole subprocess part, a hung import included


def _big_csv(path: Path) -> int:
    """A valid long-form file of known areas: every catalogue indicator × national statistical
    area × year. Returns the number of data rows."""
    indicators = list(Indicator.objects.order_by("code").values_list("code", flat=True))
    areas = list(StatisticalArea.objects.filter(code_system__municipality_specific=False)
                 .order_by("code").values_list("code", flat=True))
    rows = 0
    with path.open("w", encoding="utf-8") as out:
        out.write("indicator,area,period,sex,value\n")
        for indicator in indicators:
            for area in areas:
                for year in YEARS:
                    out.write(f"{indicator},{area},{year},T,{(rows % 997) / 10}\n")
                    rows += 1
    return rows


class _Database:
    """The database the subprocess writes to, and how the test counts rows in it."""

    def __init__(self, tmp_path: Path) -> None:
        self.vendor = connection.vendor
        settings = connection.settings_dict
        if self.vendor == "sqlite":
            # The test database is in memory, so the process gets a copy of it (migrated and seeded
            # like any other) in a real file; the copy is opened with WAL as the app opens it.
            self.file = tmp_path / "stadsdel.sqlite3"
            connection.ensure_connection()
            target = sqlite3.connect(self.file)
            connection.connection.backup(target)
            target.close()
            self.url = f"sqlite:///{self.file}"
        elif self.vendor == "postgresql":
            # The test database itself: seeds are committed, the test's own transaction writes nothing.
            password = f":{quote(settings['PASSWORD'], safe='')}" if settings.get("PASSWORD") else ""
            self.url = (f"postgres://{quote(settings['USER'] or '', safe='')}{password}@{settings['HOST'] or 'localhost'}"
                        f":{settings['PORT'] or 5432}/{settings['NAME']}")
        else:
            pytest.skip(f"no subprocess set-up for {self.vendor}")

    def counts(self) -> dict[str, int]:
        if self.vendor == "sqlite":
            with sqlite3.connect(self.file) as db:  # opening it recovers the WAL, as the app would
                return {name: db.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0] for name, table in TABLES.items()}
        with connection.cursor() as cursor:
            result = {}
            for name, table in TABLES.items():
                cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
                result[name] = cursor.fetchone()[0]
            return result

    def integrity(self) -> str:
        if self.vendor != "sqlite":
            return "ok"
        with sqlite3.connect(self.file) as db:
            return db.execute("PRAGMA integrity_check").fetchone()[0]

    def uncommitted_writes(self) -> bool:
        """Has the import's open transaction written rows the database already holds?"""
        if self.vendor == "sqlite":
            # Rows that no longer fit SQLite's page cache go to the WAL before the commit.
            wal = Path(f"{self.file}-wal")
            return wal.exists() and wal.stat().st_size > 1_000_000
        return self._writing_backends() > 0

    def _writing_backends(self) -> int:
        with connection.cursor() as cursor:
            # pg_stat_activity is a snapshot taken once per transaction; the test runs in one.
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND backend_xid IS NOT NULL"
            )
            return cursor.fetchone()[0]

    def wait_until_aborted(self, deadline: float) -> None:
        """On PostgreSQL the killed client's server process rolls back when it notices; wait for
        it, so no lock outlives the test."""
        while self.vendor == "postgresql" and self._writing_backends():
            assert time.monotonic() < deadline, "the killed import's transaction is still open"
            time.sleep(0.05)


def _lines(stream, into: queue.Queue) -> None:
    for line in stream:
        into.put(line.rstrip("\n"))
    into.put(None)


def test_an_import_killed_while_writing_leaves_the_database_as_before(tmp_path):
    deadline = time.monotonic() + DEADLINE
    database = _Database(tmp_path)
    path = tmp_path / "BIG.csv"
    rows = _big_csv(path)
    assert rows > 50_000
    before = database.counts()

    env = {**os.environ, "DATABASE_URL": database.url, "PYTHONUNBUFFERED": "1",
           "DJANGO_SETTINGS_MODULE": "stadsdel.config.settings"}
    # --skip-checks: the system checks import every URL and API module, which this test is not about.
    command = [sys.executable, "-m", "stadsdel.cli", "import", str(path), "--format", "csv", "--skip-checks"]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    output: queue.Queue = queue.Queue()
    threading.Thread(target=_lines, args=(process.stdout, output), daemon=True).start()
    seen: list[str] = []
    try:
        # The command reports "läser …", "N rader tolkade …", then "skapar N observationer" as it
        # starts writing inside its transaction.
        while not any(line.startswith("skapar ") for line in seen):
            assert time.monotonic() < deadline, f"no 'skapar' line in time; output so far: {seen}"
            try:
                line = output.get(timeout=0.2)
            except queue.Empty:
                continue
            assert line is not None, f"the import ended before it wrote: {seen}"
            seen.append(line)
        while not database.uncommitted_writes():
            assert process.poll() is None, f"the import finished before it could be killed: {seen}"
            assert time.monotonic() < deadline, "the import's writes never reached the database"
            time.sleep(0.02)
        assert process.poll() is None, f"the import finished before it could be killed: {seen}"
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=max(1.0, deadline - time.monotonic()))
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == -signal.SIGKILL
    while (line := _drain(output)) is not None:
        seen.append(line)
    assert not any("skapade" in line for line in seen), f"the import finished after all: {seen}"

    database.wait_until_aborted(deadline)
    assert database.counts() == before
    assert database.integrity() == "ok"


def _drain(output: queue.Queue) -> str | None:
    try:
        return output.get(timeout=0.5)
    except queue.Empty:
        return None


def test_an_import_that_fails_after_writing_its_observations_leaves_nothing(tmp_path, monkeypatch):
    """The write phase is inside the transaction too: a failure after the observations and the new
    areas are written (here in the district aggregation) takes them all back."""
    path = tmp_path / "half.csv"
    lines = ["indicator,area,period,sex,value,numerator,denominator"]
    lines += [f"employment_rate_20_64,0180{9000 + i:04d},2012,T,50,50,100" for i in range(50)]  # new areas
    lines += [f"employment_rate_20_64,{code},{year},T,60,60,100"
              for code in ("01270001", "01270002", "01270004", "01270005") for year in range(2000, 2013)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    def counts():
        return (Observation.objects.count(), Observation.history.count(), ImportBatch.objects.count(),
                StatisticalArea.objects.count())

    before = counts()
    written = {}

    def failing_aggregation(**kwargs):
        written["counts"] = counts()
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(imports, "aggregates_refresh", failing_aggregation)
    with pytest.raises(RuntimeError, match="the disk is full"):
        observations_import(path=path, fmt="csv")
    observations, history, batches, areas = written["counts"]
    # New figures write no history rows: their batch is their history until they change (issue 21).
    assert observations == before[0] + 102 and history == before[1] and batches == before[2] + 1
    assert areas == before[3] + 50
    assert counts() == before
