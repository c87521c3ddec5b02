"""Uploaded files in backups (issue 15, finding 7): a backup holds every file a FileField refers
to, with its SHA-256, and a restore puts them back together with the database (a damaged file
refuses the whole restore); an attachment whose file is missing anyway is a clear 404 page, never
a 500; and `stadsdel restore FILE` without a terminal to confirm on says to use --noinput and
exits 2 instead of ending in an EOFError. Runs on SQLite and, with DATABASE_URL, on PostgreSQL."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import funding_cast
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from stadsdel.funding.models import Attachment
from stadsdel.ops.backup import backup_read_header

pytestmark = pytest.mark.django_db

CONTENT = b"%PDF-1.4\n% budget for Laxhjalp i Rinkeby\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"


@pytest.fixture
def attached(settings, tmp_path):
    """A draft application with one uploaded PDF, its applicant, and the page that serves it."""
    from stadsdel.funding import services

    settings.MEDIA_ROOT = tmp_path / "media"
    cast = funding_cast
    world = cast.world_create()
    app = cast.application_make(world)
    attachment = services.attachment_add(user=world["applicant"], application=app,
                                         file=SimpleUploadedFile("budget.pdf", CONTENT, "application/pdf"))
    return {"attachment": attachment, "applicant": world["applicant"], "url": f"/funding/attachments/{attachment.pk}/"}


def _download(client, url: str):
    response = client.get(url)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response.status_code, body


def test_a_restored_attachment_opens_with_the_same_bytes(client, settings, tmp_path, attached):
    client.force_login(attached["applicant"])
    assert _download(client, attached["url"]) == (200, CONTENT)
    path = tmp_path / "stadsdel.backup.gz"
    call_command("backup", str(path), stdout=io.StringIO())
    header = backup_read_header(path)
    name = attached["attachment"].file.name
    assert {"name": name, "size": len(CONTENT), "sha256": hashlib.sha256(CONTENT).hexdigest(),
            "field": "funding.Attachment.file"} in header["files"]

    # A new machine: the same database schema, an empty media folder; and the old rows changed.
    settings.MEDIA_ROOT = tmp_path / "elsewhere"
    Attachment.objects.filter(pk=attached["attachment"].pk).update(name="ändrat.pdf")
    out = io.StringIO()
    call_command("restore", str(path), interactive=False, stdout=out)
    assert "1 uploaded file" in out.getvalue()

    assert (tmp_path / "elsewhere" / name).read_bytes() == CONTENT
    assert Attachment.objects.get(pk=attached["attachment"].pk).name == "budget.pdf"
    client.force_login(attached["applicant"])  # the restore signed everyone out
    assert _download(client, attached["url"]) == (200, CONTENT)
    # Nothing of the restore's own is left beside the files.
    assert [p.name for p in (tmp_path / "elsewhere").iterdir()] == ["funding"]


def test_a_missing_attachment_file_is_a_404_page_not_a_500(client, attached):
    Path(attached["attachment"].file.path).unlink()
    client.force_login(attached["applicant"])
    response = client.get(attached["url"])
    assert response.status_code == 404
    assert "budget.pdf" in response.content.decode()  # the page names the attachment that is missing


def _stream(path: Path) -> tuple[bytes, bytes]:
    with gzip.open(path, "rb") as stream:
        return stream.readline(), stream.read()


def test_a_damaged_file_in_the_backup_refuses_the_whole_restore(client, settings, tmp_path, attached):
    path = tmp_path / "good.gz"
    call_command("backup", str(path), stdout=io.StringIO())
    head, rest = _stream(path)
    assert rest.count(CONTENT) == 1
    damaged = tmp_path / "damaged.gz"
    with gzip.open(damaged, "wb") as stream:  # the database part untouched, one byte of the file changed
        stream.write(head + rest.replace(CONTENT, CONTENT[:-3] + b"EOG" , 1))

    settings.MEDIA_ROOT = tmp_path / "elsewhere"
    Attachment.objects.filter(pk=attached["attachment"].pk).update(name="efter säkerhetskopian.pdf")
    with pytest.raises(CommandError, match="damaged") as info:
        call_command("restore", str(damaged), interactive=False, stdout=io.StringIO())
    assert info.value.returncode == 2
    assert Attachment.objects.get(pk=attached["attachment"].pk).name == "efter säkerhetskopian.pdf"
    elsewhere = tmp_path / "elsewhere"
    assert not elsewhere.exists() or list(elsewhere.iterdir()) == []  # no file written, no temporary folder


def test_a_backup_names_the_files_it_could_not_find(tmp_path, attached):
    Path(attached["attachment"].file.path).unlink()
    path = tmp_path / "b.gz"
    out = io.StringIO()
    call_command("backup", str(path), stdout=out)
    assert attached["attachment"].file.name in out.getvalue()
    header = backup_read_header(path)
    assert header["files"] == [] and header["files_missing"] == [attached["attachment"].file.name]


def test_a_backup_of_the_previous_format_still_restores_its_database(tmp_path, attached):
    """Format 1 (before files were included) is read as it was: the database is restored and the
    media folder is left as it is; a format this version does not know is refused by name."""
    path = tmp_path / "new.gz"
    call_command("backup", str(path), stdout=io.StringIO())
    head, rest = _stream(path)
    header = json.loads(head)
    payload = rest[:header["payload_bytes"]]
    old = {k: v for k, v in header.items() if not k.startswith("files")} | {"format_version": 1}
    older = tmp_path / "format1.gz"
    with gzip.open(older, "wb") as stream:
        stream.write(json.dumps(old).encode() + b"\n" + payload)
    Attachment.objects.filter(pk=attached["attachment"].pk).update(name="ändrat.pdf")
    out = io.StringIO()
    call_command("restore", str(older), interactive=False, stdout=out)
    assert Attachment.objects.get(pk=attached["attachment"].pk).name == "budget.pdf"
    assert "no uploaded files" in out.getvalue()
    assert Path(attached["attachment"].file.path).read_bytes() == CONTENT

    future = tmp_path / "format9.gz"
    with gzip.open(future, "wb") as stream:
        stream.write(json.dumps(header | {"format_version": 9}).encode() + b"\n" + rest)
    with pytest.raises(CommandError, match="format version 9") as info:
        call_command("restore", str(future), interactive=False, stdout=io.StringIO())
    assert info.value.returncode == 2


def test_restore_without_a_terminal_asks_for_noinput(tmp_path, attached):
    path = tmp_path / "b.gz"
    call_command("backup", str(path), stdout=io.StringIO())
    # In the test process: stdin is no terminal (pytest's captured stdin).
    with pytest.raises(CommandError, match="--noinput") as info:
        call_command("restore", str(path), stdout=io.StringIO())
    assert info.value.returncode == 2
    assert Attachment.objects.filter(pk=attached["attachment"].pk).exists()

    # The command line with stdin at end of file, and with stdin closed.
    env = {**os.environ, "STADSDEL_DATA_DIR": str(tmp_path)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("DATABASE_URL", None)  # refused before any database is opened
    command = [sys.executable, "-m", "stadsdel.cli", "restore", str(path)]
    for stdin in (subprocess.DEVNULL, "closed"):
        if stdin == "closed":
            result = subprocess.run(["/bin/sh", "-c", '"$@" <&-', "sh", *command], env=env, capture_output=True,
                                    text=True, timeout=120)
        else:
            result = subprocess.run(command, stdin=stdin, env=env, capture_output=True, text=True, timeout=120)
        assert result.returncode == 2, result.stderr
        assert "--noinput" in result.stderr and "Traceback" not in result.stderr
