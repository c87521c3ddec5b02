"""Backup and restore of the whole database and the uploaded files (`stadsdel backup FILE`,
`stadsdel restore FILE`).

A backup is every row of every model of every installed app (the registry, plans, reports,
statistics, their change histories, users with their password hashes, sign-in logs), written
with Django's serializers as JSON Lines, so the same file restores into SQLite or PostgreSQL,
plus every uploaded file a FileField of those rows refers to (fund application attachments).
Sessions are left out: a restored database signs everyone out.

The file is gzip; read as one stream it is a one-line JSON header (format, schema version = the
latest applied migration of each app, row counts per model, the size and SHA-256 of the database
payload, and each file's field, name, size and SHA-256), then the payload, one object per line,
then the files' bytes one after the other in the header's order. It is written to a temporary
file beside the target and renamed into place, so a crash never leaves a half-written backup
under the target's name. It holds password hashes and personal data, so it is created readable
by its owner only (0600). A file the database refers to that is missing when the backup is taken
is named in the header (`files_missing`) and in the command's output.

A restore checks the header, the schema and every checksum before it touches the database,
writing the files to a temporary folder inside the media folder as it goes; then it empties
every table and loads the rows in one transaction: it either replaces everything or changes
nothing. Only after that transaction are the files moved into place (a rename on the same file
system). On PostgreSQL the id sequences are moved past the restored ids afterwards. A backup of
format 1 (from before files were included) restores the database and leaves the files as they
are; a format this version does not know is refused.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import io
import json
import os
import shutil
import tempfile
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path, PurePosixPath
from typing import Any

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.exceptions import FieldDoesNotExist, SuspiciousFileOperation
from django.core.management.color import no_style
from django.core.serializers.base import DeserializationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, models, transaction
from django.db.migrations.loader import MigrationLoader

import stadsdel
from stadsdel.core.progress import Progress, quiet
from stadsdel.followup.precompute import data_changed

FORMAT = "stadsdel-backup"
FORMAT_VERSION = 2
# Format 1 had no files; it is still read (the database only).
READABLE_FORMAT_VERSIONS = (1, 2)
# Sessions are sign-ins in progress, not data; restoring them would sign people back in.
# Sessions, and what is derived or transient: reports precomputed from the data (computed again
# after a restore), the task queue and the workers' state.
NOT_BACKED_UP = {"sessions.Session", "followup.DataVersion", "followup.PrecomputedReport", "jobs.WorkerBeat",
                 "jobs.TaskProgress", "django_tasks_db.DBTaskResult"}
MAX_HEADER_BYTES = 1 << 20
CHUNK = 1 << 20
BATCH = 2000


class BackupError(Exception):
    """A backup that cannot be written or a file that cannot be restored here; says why."""


class _PreciseEncoder(DjangoJSONEncoder):
    # Django's encoder keeps milliseconds only; a backup keeps the microseconds (change
    # histories are ordered by them).
    def default(self, o):
        if isinstance(o, dt.datetime | dt.time):
            text = o.isoformat()
            return text[:-6] + "Z" if text.endswith("+00:00") else text
        return super().default(o)


class _HashingWriter(io.RawIOBase):
    """Passes bytes on to `target` and hashes them on the way."""

    def __init__(self, target):
        self.target = target
        self.sha256 = hashlib.sha256()
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.sha256.update(data)
        self.target.write(data)
        self.size += len(data)
        return len(data)


def backed_up_models() -> list[type[models.Model]]:
    """Every model whose rows a backup holds, in a stable order. Many-to-many rows of
    auto-created tables travel inside their model's objects."""
    return sorted(
        (
            model for model in apps.get_models()
            if model._meta.managed and not model._meta.proxy and model._meta.label not in NOT_BACKED_UP
        ),
        key=lambda model: model._meta.label,
    )


def schema_state(*, using: str = DEFAULT_DB_ALIAS) -> dict[str, str]:
    """The database's schema version: for each app, its latest applied migration (the applied
    migrations no other applied migration of the app builds on; several after a merge)."""
    loader = MigrationLoader(connections[using], ignore_no_migrations=True)
    applied = set(loader.applied_migrations)
    latest: dict[str, list[str]] = {}
    for node in applied:
        if node not in loader.graph.node_map:
            continue  # replaced by a squashed migration
        children = {child for child in loader.graph.node_map[node].children if child[0] == node[0]}
        if not children & applied:
            latest.setdefault(node[0], []).append(node[1])
    return {app: ",".join(sorted(names)) for app, names in sorted(latest.items())}


def _objects(model: type[models.Model]) -> Iterator[models.Model]:
    queryset = model._base_manager.order_by(model._meta.pk.name)
    m2m = [f.name for f in model._meta.many_to_many if f.remote_field.through._meta.auto_created]
    if m2m:
        queryset = queryset.prefetch_related(*m2m)
    return queryset.iterator(chunk_size=BATCH)


def _file_fields() -> Iterator[tuple[type[models.Model], models.FileField]]:
    """Every FileField (and ImageField) of the backed-up models. (Change histories keep a file's
    name as text, not as a FileField: the files themselves are those the records refer to now.)"""
    for model in backed_up_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, models.FileField):
                yield model, field


def _referenced_files(*, using: str) -> list[tuple[str, Any, str]]:
    """(field label, storage, name) of every stored file the rows refer to, each file once."""
    found: dict[tuple[int, str], tuple[str, Any, str]] = {}
    for model, field in _file_fields():
        names = (model._base_manager.using(using).exclude(**{field.attname: ""})
                 .exclude(**{f"{field.attname}__isnull": True}).order_by(field.attname)
                 .values_list(field.attname, flat=True).distinct())
        for name in names:
            found.setdefault((id(field.storage), name), (f"{model._meta.label}.{field.name}", field.storage, name))
    return sorted(found.values(), key=lambda ref: (ref[2], ref[0]))


def _counted(objects: Iterable, counter: list[int]) -> Iterator:
    for obj in objects:
        counter[0] += 1
        yield obj


def backup_write(path: Path | str, *, using: str = DEFAULT_DB_ALIAS, progress: Progress = quiet) -> dict[str, Any]:
    """Write a backup of the whole database to `path` (atomically); returns its header."""
    path = Path(path)
    if not path.parent.is_dir():
        raise BackupError(f"The folder {path.parent} does not exist.")
    with tempfile.TemporaryFile(dir=path.parent, prefix=f".{path.name}.", suffix=".payload") as payload:
        header, references = _write_payload(payload, using=using, progress=progress)
        header.update(_write_files(payload, references, progress=progress))
        part = None
        try:
            with tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.name}.", suffix=".part",
                                             delete=False) as final:
                part = final.name
                # Two gzip members in one file: gzip readers see one stream, the header line first.
                with gzip.GzipFile(fileobj=final, mode="wb") as head:
                    head.write(json.dumps(header, sort_keys=True).encode() + b"\n")
                payload.seek(0)
                while chunk := payload.read(CHUNK):
                    final.write(chunk)
                final.flush()
                os.fsync(final.fileno())
            os.replace(part, path)
        except BaseException:
            if part:
                Path(part).unlink(missing_ok=True)
            raise
    _fsync_dir(path.parent)
    return header


def _write_payload(payload, *, using: str, progress: Progress) -> tuple[dict[str, Any], list]:
    connection = connections[using]
    counts: dict[str, int] = {}
    own_transaction = not connection.in_atomic_block
    with transaction.atomic(using=using):
        if connection.vendor == "postgresql" and own_transaction:
            # One snapshot for every table, however long the backup takes. (Inside a caller's
            # transaction, such as a test's, the caller's snapshot rules.)
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        schema = schema_state(using=using)
        with gzip.GzipFile(fileobj=payload, mode="wb", compresslevel=6) as compressed:
            hashing = _HashingWriter(compressed)
            text = io.TextIOWrapper(io.BufferedWriter(hashing, CHUNK), encoding="utf-8", newline="\n")
            for model in backed_up_models():
                label = model._meta.label
                counter = [0]
                serializers.serialize("jsonl", _counted(_objects(model), counter), stream=text, cls=_PreciseEncoder)
                counts[label] = counter[0]
                progress(f"  {label}: {counter[0]}")
            text.flush()
            text.detach()
        # Which files the rows refer to, read in the same snapshot as the rows.
        references = _referenced_files(using=using)
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "created": dt.datetime.now(dt.UTC).isoformat(),
        "stadsdel_version": stadsdel.__version__,
        "database": connection.vendor,
        "schema": schema,
        "models": counts,
        "objects": sum(counts.values()),
        "payload_bytes": hashing.size,
        "sha256": hashing.sha256.hexdigest(),
    }, references


def _write_files(payload, references: list[tuple[str, Any, str]], *, progress: Progress) -> dict[str, Any]:
    """Append the referenced files to the payload (their own gzip member), hashing each."""
    files: list[dict[str, Any]] = []
    missing: list[str] = []
    with gzip.GzipFile(fileobj=payload, mode="wb", compresslevel=6) as compressed:
        for label, storage, name in references:
            try:
                source = storage.open(name, "rb")
            except FileNotFoundError:
                missing.append(name)
                progress(f"  missing: {name} ({label}) is referred to but not on disk; it is not in the backup")
                continue
            digest, size = hashlib.sha256(), 0
            with source:
                while chunk := source.read(CHUNK):
                    compressed.write(chunk)
                    digest.update(chunk)
                    size += len(chunk)
            files.append({"field": label, "name": name, "size": size, "sha256": digest.hexdigest()})
    total = sum(f["size"] for f in files)
    progress(f"  uploaded files: {len(files)} ({total} bytes)")
    return {"files": files, "files_bytes": total, "files_missing": missing}


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def backup_read_header(path: Path | str) -> dict[str, Any]:
    """The header of a backup file; BackupError if the file is not one."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"{path} does not exist.")
    try:
        with gzip.open(path, "rb") as stream:
            line = stream.readline(MAX_HEADER_BYTES)
        header = json.loads(line)
    except (OSError, EOFError, zlib.error, ValueError) as exc:
        raise BackupError(f"{path} is not a Stadsdel backup, or it is damaged ({exc}).") from None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise BackupError(f"{path} is not a Stadsdel backup.")
    if header.get("format_version") not in READABLE_FORMAT_VERSIONS:
        raise BackupError(
            f"{path} is a backup in format version {header.get('format_version')}; this version of Stadsdel "
            f"reads versions {' and '.join(map(str, READABLE_FORMAT_VERSIONS))} (restore it with the Stadsdel "
            "version that wrote it)."
        )
    if header["format_version"] >= 2 and not _valid_files(header):
        raise BackupError(f"{path} is damaged: its list of files is not valid.")
    return header


def _valid_files(header: dict[str, Any]) -> bool:
    files, size = header.get("files"), header.get("payload_bytes")
    return (isinstance(size, int) and size >= 0 and isinstance(files, list) and all(
        isinstance(f, dict) and isinstance(f.get("field"), str) and isinstance(f.get("name"), str)
        and isinstance(f.get("size"), int) and f["size"] >= 0 and isinstance(f.get("sha256"), str)
        for f in files))


class _RestoredFiles:
    """A backup's files on their way in: each is written to a temporary folder inside its
    storage's folder (the same file system, so moving it in later is a rename) and moved into
    place only after the database has been restored; on any failure before that the temporary
    folders are removed and nothing under the media folder has changed."""

    def __init__(self):
        self.folders: dict[Path, Path] = {}
        self.moves: list[tuple[Path, Path]] = []

    def target(self, entry: dict[str, Any]) -> Path:
        """Where to write the entry's bytes for now (and remember where they go)."""
        name = entry["name"]
        parts = PurePosixPath(name).parts
        if not parts or PurePosixPath(name).is_absolute() or ".." in parts or "\\" in name:
            raise BackupError(f"The backup names a file outside the media folder: {name!r}.")
        try:
            label, field_name = entry["field"].rsplit(".", 1)
            storage = apps.get_model(label)._meta.get_field(field_name).storage
            destination, root = Path(storage.path(name)), Path(storage.location)
        except (ValueError, LookupError, FieldDoesNotExist, AttributeError) as exc:
            raise BackupError(f"The backup's file {name} belongs to {entry['field']}, which is not a file field "
                              f"here ({exc}).") from None
        except (NotImplementedError, SuspiciousFileOperation) as exc:
            raise BackupError(f"The backup's file {name} cannot be restored to this storage ({exc}).") from None
        folder = self.folders.get(root)
        if folder is None:
            root.mkdir(parents=True, exist_ok=True)
            folder = self.folders[root] = Path(tempfile.mkdtemp(dir=root, prefix=".restore-"))
        temporary = folder / f"{len(self.moves):06d}"
        self.moves.append((temporary, destination))
        return temporary

    def move_in(self) -> None:
        for temporary, destination in self.moves:
            destination.parent.mkdir(parents=True, exist_ok=True)
            os.replace(temporary, destination)

    def discard(self) -> None:
        for folder in self.folders.values():
            shutil.rmtree(folder, ignore_errors=True)


def _payload_chunks(path: Path) -> Iterator[bytes]:
    with gzip.open(path, "rb") as stream:
        stream.readline(MAX_HEADER_BYTES)
        while chunk := stream.read(CHUNK):
            yield chunk


def backup_verify(path: Path | str, *, using: str = DEFAULT_DB_ALIAS, files: _RestoredFiles | None = None
                  ) -> dict[str, Any]:
    """Check a backup against this database before anything is changed: its format, that its
    schema version is the database's, and that its content (the rows and each file) matches its
    checksums. With `files`, the files are written to their temporary places on the way."""
    path = Path(path)
    header = backup_read_header(path)
    ours = schema_state(using=using)
    theirs = header.get("schema")
    if theirs != ours:
        differences = sorted(
            f"{app}: backup {theirs.get(app, '—') if isinstance(theirs, dict) else '?'}, database {ours.get(app, '—')}"
            for app in set(ours) | set(theirs if isinstance(theirs, dict) else {})
            if not isinstance(theirs, dict) or theirs.get(app) != ours.get(app)
        )
        raise BackupError(
            "The backup is from another schema version than this database; restore it with the "
            "Stadsdel version that wrote it, or migrate the database to the same migrations.\n  "
            + "\n  ".join(differences)
        )
    try:
        if header["format_version"] == 1:
            digest = hashlib.sha256()
            size = 0
            for chunk in _payload_chunks(path):
                digest.update(chunk)
                size += len(chunk)
            if size != header.get("payload_bytes") or digest.hexdigest() != header.get("sha256"):
                raise BackupError(f"{path} is damaged: its content does not match its SHA-256 checksum.")
        else:
            _check_parts(path, header, files)
    except (OSError, EOFError, zlib.error) as exc:
        raise BackupError(f"{path} is damaged: {exc}.") from None
    return header


def _copy_exactly(stream, size: int, sink) -> str:
    """Read `size` bytes of `stream` into `sink` (a callable), returning their SHA-256; EOFError
    if the stream ends first."""
    digest = hashlib.sha256()
    while size > 0:
        chunk = stream.read(min(CHUNK, size))
        if not chunk:
            raise EOFError("the file ends early")
        digest.update(chunk)
        sink(chunk)
        size -= len(chunk)
    return digest.hexdigest()


def _check_parts(path: Path, header: dict[str, Any], files: _RestoredFiles | None) -> None:
    with gzip.open(path, "rb") as stream:
        stream.readline(MAX_HEADER_BYTES)
        if _copy_exactly(stream, header["payload_bytes"], lambda chunk: None) != header.get("sha256"):
            raise BackupError(f"{path} is damaged: its content does not match its SHA-256 checksum.")
        for entry in header["files"]:
            if files is None:
                digest = _copy_exactly(stream, entry["size"], lambda chunk: None)
            else:
                with open(files.target(entry), "xb") as out:
                    digest = _copy_exactly(stream, entry["size"], out.write)
            if digest != entry["sha256"]:
                raise BackupError(f"{path} is damaged: the uploaded file {entry['name']} does not match its "
                                  "SHA-256 checksum.")
        if stream.read(1):
            raise BackupError(f"{path} is damaged: there is more in it than its header lists.")


def _insert(model: type[models.Model], objects: list[models.Model], *, using: str) -> None:
    # A raw insert, as loaddata's save(raw=True) does, but many rows per statement: values are
    # stored as they are (auto_now dates keep the backup's, not today's) and no signals run (no
    # change-history rows are made for the load itself).
    if not objects:
        return
    fields = [f for f in model._meta.local_concrete_fields if not getattr(f, "generated", False)]
    size = max(1, connections[using].ops.bulk_batch_size(fields, objects))
    for start in range(0, len(objects), size):
        model._base_manager.using(using)._insert(objects[start:start + size], fields=fields, using=using, raw=True)


def backup_restore(path: Path | str, *, using: str = DEFAULT_DB_ALIAS, progress: Progress = quiet) -> dict[str, Any]:
    """Replace everything in the database with the backup in `path`, in one transaction, and
    then put the backup's uploaded files in place."""
    path = Path(path)
    files = _RestoredFiles()
    try:
        header = backup_verify(path, using=using, files=files)
        progress(f"The backup of {header.get('created', '?')} matches this database's schema and its checksum.")
        _restore_rows(path, header, using=using, progress=progress)
        data_changed()  # the reports are computed again from the restored data
    except BaseException:
        files.discard()
        raise
    if header["format_version"] == 1:
        progress("This backup (format 1) has no uploaded files; the media folder is left as it is.")
        return header
    try:
        files.move_in()
    except OSError as exc:
        raise BackupError(
            f"The database was restored, but the uploaded files could not all be moved into place ({exc}); "
            f"those not yet moved are in {', '.join(map(str, files.folders.values()))}."
        ) from None
    files.discard()
    progress(f"Restored {len(header['files'])} uploaded file(s).")
    return header


def _restore_rows(path: Path, header: dict[str, Any], *, using: str, progress: Progress) -> None:
    connection = connections[using]
    counts: dict[str, int] = {}
    try:
        with transaction.atomic(using=using):
            if connection.vendor == "postgresql":
                # Deferred foreign-key checks still pending in this transaction would make
                # PostgreSQL refuse to TRUNCATE; run them now.
                connection.check_constraints()
            tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
            connection.ops.execute_sql_flush(
                connection.ops.sql_flush(no_style(), tables, reset_sequences=True, allow_cascade=False)
            )
            progress(f"Emptied {len(tables)} tables; loading {header.get('objects', '?')} objects.")
            _load(path, counts=counts, using=using, progress=progress,
                  size=header["payload_bytes"] if header["format_version"] >= 2 else None)
            expected = {label: n for label, n in header.get("models", {}).items() if n}
            if {label: n for label, n in counts.items() if n} != expected:
                raise BackupError("The backup's objects do not match the counts in its header.")
            if connection.vendor == "postgresql":
                _reset_sequences(using=using)
    except (DeserializationError, DatabaseError, ValueError, LookupError, OSError, EOFError, zlib.error) as exc:
        raise BackupError(f"The backup could not be loaded; the database is unchanged. ({exc})") from None
    ContentType.objects.clear_cache()


class _Limited(io.RawIOBase):
    """The first `size` bytes of a stream (the rows, without the files that follow them)."""

    def __init__(self, stream, size: int):
        self.stream, self.left = stream, size

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self.stream.read(min(len(buffer), self.left))
        self.left -= len(data)
        buffer[:len(data)] = data
        return len(data)


def _load(path: Path, *, counts: dict[str, int], using: str, progress: Progress, size: int | None) -> None:
    pending: list[models.Model] = []
    pending_model: type[models.Model] | None = None
    through_rows: dict[type[models.Model], list[models.Model]] = {}

    def flush() -> None:
        if pending_model is not None:
            _insert(pending_model, pending, using=using)
        pending.clear()

    with gzip.open(path, "rb") as stream:
        stream.readline(MAX_HEADER_BYTES)
        rows = stream if size is None else io.BufferedReader(_Limited(stream, size), CHUNK)
        text = io.TextIOWrapper(rows, encoding="utf-8", newline="\n")
        for deserialized in serializers.deserialize("jsonl", text, using=using):
            obj = deserialized.object
            model = type(obj)
            if model is not pending_model:
                flush()
                if pending_model is not None:
                    progress(f"  {pending_model._meta.label}: {counts[pending_model._meta.label]}")
                pending_model = model
            counts[model._meta.label] = counts.get(model._meta.label, 0) + 1
            if model._meta.parents:
                deserialized.save(using=using)  # multi-table inheritance: save() writes each table
            else:
                pending.append(obj)
            for name, related_ids in (deserialized.m2m_data or {}).items():
                field = model._meta.get_field(name)
                through = field.remote_field.through
                source = through._meta.get_field(field.m2m_field_name()).attname
                target = through._meta.get_field(field.m2m_reverse_field_name()).attname
                through_rows.setdefault(through, []).extend(
                    through(**{source: obj.pk, target: related_id}) for related_id in related_ids
                )
            if len(pending) >= BATCH:
                flush()
        flush()
        if pending_model is not None:
            progress(f"  {pending_model._meta.label}: {counts[pending_model._meta.label]}")
    for through, rows in through_rows.items():
        through._base_manager.using(using).bulk_create(rows, batch_size=BATCH)


def _reset_sequences(*, using: str) -> None:
    # What `sqlsequencereset` prints, for every model: the next id follows the largest restored.
    connection = connections[using]
    statements = connection.ops.sequence_reset_sql(no_style(), apps.get_models(include_auto_created=True))
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
