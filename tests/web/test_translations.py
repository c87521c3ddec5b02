"""The Swedish catalogue is complete, compiled, and used for the pages' domain words."""

from __future__ import annotations

import ast
import gettext
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.utils import translation

import stadsdel

CATALOGUE = Path(stadsdel.__file__).resolve().parent / "locale" / "sv" / "LC_MESSAGES"


def _entries(po_text: str) -> list[dict[str, str]]:
    """msgid/msgstr pairs of a .po file (continuation lines joined); enough for a check."""
    entries = []
    for block in po_text.split("\n\n"):
        entry: dict[str, str] = {"flags": ""}
        key = None
        for line in block.splitlines():
            if line.startswith("#,"):
                entry["flags"] += line
            match = re.match(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d\])?) (".*")$', line)
            if match:
                key = match.group(1)
                entry[key] = ast.literal_eval(match.group(2))
            elif line.startswith('"') and key:
                entry[key] += ast.literal_eval(line)
        if entry.get("msgid"):
            entries.append(entry)
    return entries


def test_every_message_has_a_swedish_translation():
    entries = _entries((CATALOGUE / "django.po").read_text(encoding="utf-8"))
    assert len(entries) > 300
    untranslated = [e["msgid"] for e in entries if not all(v for k, v in e.items() if k.startswith("msgstr"))]
    assert untranslated == []
    assert [e["msgid"] for e in entries if "fuzzy" in e["flags"]] == []


def test_msgfmt_counts_no_untranslated_or_fuzzy_message():
    # GNU gettext's own count, beside the parse above: the two cannot both misread the file.
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        pytest.skip("msgfmt (GNU gettext) is not installed; the test above checks the same")
    done = subprocess.run([msgfmt, "--check", "--statistics", "-o", "/dev/null", str(CATALOGUE / "django.po")],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert re.fullmatch(r"\d+ translated messages?\.\n", done.stderr), done.stderr


def test_the_compiled_catalogue_matches_the_po_file():
    # Compares content, not file times (a git checkout sets those arbitrarily).
    with (CATALOGUE / "django.mo").open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    entries = _entries((CATALOGUE / "django.po").read_text(encoding="utf-8"))
    def compiled_text(e):
        # A message with a context (e.g. a comment's status "approved") is looked up in it.
        return compiled.pgettext(e["msgctxt"], e["msgid"]) if "msgctxt" in e else compiled.gettext(e["msgid"])

    stale = [e["msgid"] for e in entries if "msgstr" in e and compiled_text(e) != e["msgstr"]]
    assert stale == [], "run compilemessages after editing django.po"


def test_domain_words_follow_the_glossary():
    with translation.override("sv"):
        assert translation.gettext("Districts") == "Stadsdelar"
        assert translation.gettext("Municipalities") == "Kommuner"
        assert translation.gettext("local development agreement") == "lokalt utvecklingsavtal"
        assert translation.gettext("Government commissions") == "Regeringsuppdrag"
        assert translation.gettext("Local partnership") == "Lokalt partnerskap"
        assert translation.gettext("cooperation agreement") == "samverkansöverenskommelse"
        assert translation.gettext("Source faults") == "Källfel"


def test_every_field_a_change_history_shows_has_a_swedish_label():
    """The audit log and each record's history name a changed field by its verbose_name; one
    left to Django's default is the English field name ("submitted by") on Swedish pages."""
    from django.apps import apps

    unlabelled, untranslated = [], []
    for model in apps.get_models():
        if not model.__module__.startswith("stadsdel.") or not hasattr(model._meta, "simple_history_manager_attribute"):
            continue
        for field in model._meta.get_fields():
            if not getattr(field, "concrete", False) or not field.editable or field.auto_created:
                continue
            if field._verbose_name is None:
                unlabelled.append(f"{model._meta.label}.{field.name}")
                continue
            with translation.override("sv"):
                swedish = str(field.verbose_name)
            with translation.override("en"):
                english = str(field.verbose_name)
            if swedish == english and swedish not in SAME_IN_SWEDISH:
                untranslated.append(f"{model._meta.label}.{field.name}: {swedish}")
    assert unlabelled == []
    assert untranslated == []


# Labels that are the same word in both languages.
SAME_IN_SWEDISH = {"text", "organisation", "status", "partner", "prefix", "position", "budget (kr)", "version",
                   "definition", "import", "plan"}
