"""`stadsdel backup` and `stadsdel restore`: a backup restores to exactly the database it was
taken from (every row of every model, compared field by field), and a damaged file or one from
another schema version is refused with exit status 2, leaving the database as it was.
Runs on SQLite and, with DATABASE_URL, on PostgreSQL."""

from __future__ import annotations

import gzip
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core import serializers
from django.core.management import call_command
from django.core.management.base import CommandError

from stadsdel.accounts.models import Membership, Role
from stadsdel.agreements.models import Organisation, Partnership
from stadsdel.areas.models import District
from stadsdel.indicators.models import ImportBatch, Observation
from stadsdel.ops.backup import backed_up_models, backup_read_header
from stadsdel.plans.models import DistrictPlan

pytestmark = pytest.mark.django_db


def canonical() -> dict[str, list[dict]]:
    """Every row of every backed-up model, by primary key, with many-to-many lists sorted:
    two databases with equal canonical dumps hold the same data."""
    dump = {}
    for model in backed_up_models():
        m2m = {f.name for f in model._meta.many_to_many}
        rows = serializers.serialize("python", model._base_manager.order_by(model._meta.pk.name))
        for row in rows:
            for name in m2m & row["fields"].keys():
                row["fields"][name] = sorted(row["fields"][name], key=str)
        dump[model._meta.label] = rows
    return dump


def assert_same(after: dict, before: dict) -> None:
    assert after.keys() == before.keys()
    for label in before:
        assert len(after[label]) == len(before[label]), label
        assert after[label] == before[label], label


@pytest.fixture
def data(tmp_path, analyst_user):
    """Some of everything on top of the seed registry: a user with a membership, an
    observation import through the CSV importer, and a plan with a goal."""
    from stadsdel.indicators.services.imports import observations_import
    from stadsdel.plans.services import goal_create, plan_create

    coordinator = get_user_model().objects.create_user("kristina", password="en-lösenordsfras-för-test",
                                                       first_name="Kristina", last_name="Åberg")
    Membership.objects.create(user=coordinator, organisation=Organisation.objects.get(key="haninge_kommun"),
                              role=Role.MUNICIPALITY)
    csv = tmp_path / "figures.csv"
    csv.write_text(
        "indicator,area,period,sex,value,numerator,denominator\n"
        "employment_rate_20_64,01270001,2012,T,51.2,512,1000\n"
        "employment_rate_20_64,01270002,2012,T,49.5,495,1000\n",
        encoding="utf-8",
    )
    observations_import(path=csv, fmt="csv", user=analyst_user)
    jordbro = District.objects.get(name="Jordbro", kind=District.Kind.DISTRICT)
    plan = plan_create(user=coordinator, district=jordbro, year=2030, period_end=2032)
    goal_area = plan.programme.goal_areas.first()
    goal_create(user=coordinator, plan=plan, fields={"goal_area": goal_area, "number": "1", "title": "Fler i arbete"},
                scope_districts=[jordbro])
    return {"coordinator": coordinator, "plan": plan}


def test_backup_and_restore_round_trip_the_whole_database(tmp_path, data, capsys):
    before = canonical()
    path = tmp_path / "stadsdel.backup.gz"
    call_command("backup", str(path))
    out = capsys.readouterr().out
    assert "agreements.Partnership:" in out and "Backup written" in out
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temporary files left
    assert path.stat().st_mode & 0o777 == 0o600  # password hashes and personal data: the owner's only
    header = backup_read_header(path)
    assert header["schema"]["plans"] and len(header["sha256"]) == 64
    assert "sessions.Session" not in header["models"]

    # Change, add and delete things of several kinds.
    jordbro = Partnership.objects.get(key="jordbro")
    jordbro.name = "Ändrat namn"
    jordbro.save()
    jordbro.districts.clear()
    data["plan"].goals.all().delete()
    data["plan"].delete()
    Observation.objects.filter(batch__in=ImportBatch.objects.all()).update(value=0)
    Membership.objects.filter(user=data["coordinator"]).delete()
    get_user_model().objects.create_user("intruder", password="x")
    assert canonical() != before

    call_command("restore", str(path), interactive=False)
    out = capsys.readouterr().out
    assert "matches this database's schema and its checksum" in out and "Restored" in out
    assert_same(canonical(), before)
    user = get_user_model().objects.get(username="kristina")
    assert user.check_password("en-lösenordsfras-för-test")  # the password hash came back

    # New rows get fresh ids (on PostgreSQL the sequences were moved past the restored ids).
    newest = DistrictPlan.objects.order_by("-pk").first().pk
    jordbro_district = District.objects.get(name="Jordbro", kind=District.Kind.DISTRICT)
    from stadsdel.plans.services import plan_create

    plan = plan_create(user=user, district=jordbro_district, year=2035, period_end=2036)
    assert plan.pk > newest
    assert get_user_model().objects.create_user("ny-användare").pk > user.pk


def _rewrite(path: Path, target: Path, *, header_change=None, payload_change=None) -> None:
    with gzip.open(path, "rb") as stream:
        header = json.loads(stream.readline())
        payload = stream.read()
    if header_change:
        header_change(header)
    if payload_change:
        payload = payload_change(payload)
    with gzip.open(target, "wb") as stream:
        stream.write(json.dumps(header).encode() + b"\n" + payload)


def _refused(path: Path, message: str) -> None:
    with pytest.raises(CommandError, match=message) as info:
        call_command("restore", str(path), interactive=False)
    assert info.value.returncode == 2


def test_a_damaged_or_foreign_file_is_refused_and_changes_nothing(tmp_path, data):
    path = tmp_path / "good.gz"
    call_command("backup", str(path), stdout=io.StringIO())
    Partnership.objects.filter(key="jordbro").update(name="Efter säkerhetskopian")
    before = canonical()

    # A changed value inside the payload: the checksum no longer matches.
    edited = tmp_path / "edited.gz"
    _rewrite(path, edited, payload_change=lambda p: p.replace(b"Jordbro", b"Jordbrx", 1))
    _refused(edited, "does not match its SHA-256 checksum")

    # Bytes flipped in the compressed file: gzip's own check fails.
    flipped = tmp_path / "flipped.gz"
    raw = bytearray(path.read_bytes())
    middle = len(raw) // 2
    raw[middle:middle + 16] = bytes(b ^ 0xFF for b in raw[middle:middle + 16])
    flipped.write_bytes(bytes(raw))
    _refused(flipped, "damaged")

    # Cut short.
    truncated = tmp_path / "truncated.gz"
    truncated.write_bytes(path.read_bytes()[: len(raw) // 3])
    _refused(truncated, "damaged")

    # Another schema version.
    older = tmp_path / "older.gz"
    _rewrite(path, older, header_change=lambda h: h["schema"].update(plans="0001_initial"))
    _refused(older, "another schema version")

    # Not a backup at all.
    other = tmp_path / "notes.txt"
    other.write_text("inte en säkerhetskopia", encoding="utf-8")
    _refused(other, "not a Stadsdel backup")

    assert_same(canonical(), before)


def test_a_backup_that_fails_to_load_rolls_back(tmp_path, data):
    """A file whose checksum is right but whose content cannot be loaded (here: one object
    too few for its header) fails inside the transaction: the emptied tables come back."""
    path = tmp_path / "good.gz"
    call_command("backup", str(path), stdout=io.StringIO())

    def claim_one_plan_more(header):
        header["models"]["plans.DistrictPlan"] += 1
        header["objects"] += 1

    inconsistent = tmp_path / "inconsistent.gz"
    _rewrite(path, inconsistent, header_change=claim_one_plan_more)
    before = canonical()
    _refused(inconsistent, "do not match the counts")
    assert_same(canonical(), before)


def test_backup_into_a_missing_folder_fails_cleanly(tmp_path):
    with pytest.raises(CommandError, match="does not exist") as info:
        call_command("backup", str(tmp_path / "no" / "such" / "file.gz"), stdout=io.StringIO())
    assert info.value.returncode == 2


def test_the_command_line_exits_with_status_2_on_a_bad_file(tmp_path):
    bad = tmp_path / "bad.gz"
    bad.write_bytes(b"\x1f\x8b garbage")
    env = {**os.environ, "STADSDEL_DATA_DIR": str(tmp_path)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("DATABASE_URL", None)  # the file is refused before any database is opened
    result = subprocess.run([sys.executable, "-m", "stadsdel.cli", "restore", str(bad), "--no-input"],
                            env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert "not a Stadsdel backup, or it is damaged" in result.stderr
