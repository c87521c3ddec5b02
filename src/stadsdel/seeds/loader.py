"""Loads the seed registry from the curated data files in `seeds/data/` into the database.

The data files are derived by hand from the four source documents in `seeds/sources/` (a test
checks that they agree with the source text). The loader never repairs data silently: a fault in
the source (a 6-digit SAMS code, a code from another code system, a code outside its
municipality) becomes a SourceIssue on the record it concerns, and no code is guessed.

Loading is atomic (all or nothing) and idempotent: a record is written only when a value differs,
so a second run leaves the database, including its change history, exactly as it was.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import translation

from stadsdel.agreements.models import (
    Agreement,
    AgreementSection,
    Commission,
    Commitment,
    CooperationAgreement,
    Organisation,
    Partnership,
    PartnershipMember,
    Signatory,
)
from stadsdel.areas.models import (
    CodeSystem,
    County,
    District,
    DistrictArea,
    Municipality,
    StatisticalArea,
)
from stadsdel.areas.services import municipality_outlines_load
from stadsdel.indicators.services.catalogue import catalogue_sync
from stadsdel.indices.services import index_models_sync
from stadsdel.lib.index import IndexInputError
from stadsdel.lib.sams import SamsNotationError, expand_sams
from stadsdel.plans.models import (
    Goal,
    GoalArea,
    PriorityArea,
    Programme,
    Responsibility,
    SubCommitment,
)
from stadsdel.sources.models import SourceDocument, SourceIssue

DATA_DIR = Path(__file__).resolve().parent / "data"
BILAGA_2 = "Bilaga 2 (2011)"


class SeedDataError(ValueError):
    """A curated data file is inconsistent (names a municipality or organisation that does not
    exist, misses a field). The message names the file and the entry."""


@dataclass
class LoadReport:
    """What a load did, per model: created, updated, unchanged."""

    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)

    def record(self, model: type[models.Model], outcome: str) -> None:
        # English names: the report is command-line output for data work, not UI text.
        with translation.override("en"):
            getattr(self, outcome)[str(model._meta.verbose_name_plural)] += 1

    @property
    def changed(self) -> bool:
        return bool(sum(self.created.values()) or sum(self.updated.values()))

    def lines(self) -> list[str]:
        names = sorted(set(self.created) | set(self.updated) | set(self.unchanged))
        return [
            f"{name}: {self.created[name]} created, {self.updated[name]} updated, {self.unchanged[name]} unchanged"
            for name in names
        ]


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


class _Loader:
    def __init__(self, data_dir: Path, progress: Callable[[str], None]):
        self.data_dir = data_dir
        self.progress = progress
        self.report = LoadReport()
        self.sources: dict[str, SourceDocument] = {}
        self.municipalities: dict[str, Municipality] = {}
        self.organisations: dict[str, Organisation] = {}
        self.code_systems: dict[str, CodeSystem] = {}

    # -- generic helpers ------------------------------------------------------------------
    def read(self, name: str) -> Any:
        path = self.data_dir / name
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise SeedDataError(f"{path}: file missing") from None
        except json.JSONDecodeError as exc:
            raise SeedDataError(f"{path}: invalid JSON at line {exc.lineno}: {exc.msg}") from None

    def sync(self, model: type[models.Model], lookup: dict[str, Any], values: dict[str, Any]):
        """Create or update one row, saving only when a value differs (so reloads write nothing)."""
        obj = model.objects.filter(**lookup).first()
        if obj is None:
            obj = model.objects.create(**lookup, **values)
            self.report.record(model, "created")
            return obj
        changed = [name for name, value in values.items() if getattr(obj, name) != value]
        if changed:
            for name in changed:
                setattr(obj, name, values[name])
            obj.save()
            self.report.record(model, "updated")
        else:
            self.report.record(model, "unchanged")
        return obj

    def sync_m2m(self, manager, objs: Iterable[models.Model]) -> None:
        wanted = {o.pk for o in objs}
        if set(manager.values_list("pk", flat=True)) != wanted:
            manager.set(wanted)

    def prune(self, queryset: models.QuerySet, keep_ids: Iterable[int]) -> None:
        """Remove rows a previous load created that the data no longer has."""
        for obj in queryset.exclude(pk__in=set(keep_ids)):
            obj.delete()

    def municipality(self, code: str, where: str) -> Municipality:
        try:
            return self.municipalities[code]
        except KeyError:
            raise SeedDataError(f"{where}: unknown municipality code {code!r}") from None

    def organisation(self, key: str | None, where: str) -> Organisation | None:
        if key is None:
            return None
        try:
            return self.organisations[key]
        except KeyError:
            raise SeedDataError(f"{where}: unknown organisation key {key!r}") from None

    def source(self, key: str, where: str) -> SourceDocument:
        try:
            return self.sources[key]
        except KeyError:
            raise SeedDataError(f"{where}: unknown source {key!r}") from None

    def sync_issues(self, subject: models.Model, issues: list[dict[str, str]]) -> None:
        """Make the subject's recorded source issues exactly `issues` (each: source, severity,
        code, fragment, message)."""
        ct = ContentType.objects.get_for_model(subject)
        keep = []
        for issue in issues:
            obj = self.sync(
                SourceIssue,
                {"content_type": ct, "object_id": subject.pk, "code": issue["code"], "fragment": issue["fragment"]},
                {
                    "source": self.source(issue["source"], f"issue on {subject}"),
                    "severity": issue["severity"],
                    "message": issue["message"],
                },
            )
            keep.append(obj.pk)
        self.prune(SourceIssue.objects.filter(content_type=ct, object_id=subject.pk), keep)

    @staticmethod
    def notes(source: str, texts: list[str]) -> list[dict[str, str]]:
        """Source notes from a data file, as note-severity issues (the text is its own key)."""
        return [{"source": source, "severity": SourceIssue.Severity.NOTE, "code": "source_note",
                 "fragment": text[:300], "message": text} for text in texts]

    def district(self, municipality: Municipality, name: str, where: str, kind: str = District.Kind.DISTRICT) -> District:
        district = District.objects.filter(municipality=municipality, kind=kind, name=name).first()
        if district is None:
            raise SeedDataError(f"{where}: no district {name!r} in {municipality.name}")
        return district

    # -- the data files, in dependency order --------------------------------------------
    def load(self) -> LoadReport:
        steps = [
            ("source documents", self.load_sources),
            ("municipalities and counties", self.load_municipalities),
            ("code systems", self.load_code_systems),
            ("organisations", self.load_organisations),
            ("districts of Bilaga 2", self.load_districts),
            ("agreements, commissions, partnerships", self.load_agreements),
            ("programmes and goals", self.load_programmes),
            ("indicator catalogue and exclusion rules", self.load_indicators),
            ("social risk index models", self.load_index_models),
            ("municipality outlines for the maps", self.load_outlines),
        ]
        for number, (label, step) in enumerate(steps, start=1):
            self.progress(f"[{number}/{len(steps)}] {label}")
            step()
        return self.report

    def load_sources(self) -> None:
        for entry in self.read("sources.json"):
            self.sources[entry["key"]] = self.sync(
                SourceDocument,
                {"key": entry["key"]},
                {
                    "file": entry["file"],
                    "title": entry["title"],
                    "issued": entry.get("issued") or "",
                    "publisher": entry.get("publisher") or "",
                },
            )

    def load_outlines(self) -> None:
        """The shipped outlines of all municipalities (`areas/data/`), so a fresh install's maps
        show Sweden; an outline already stored is left alone."""
        outcome = municipality_outlines_load(progress=lambda msg: self.progress(f"  {msg}"))
        self.progress(f"  {outcome.summary()}")
        self.report.created["municipality boundaries"] += outcome.created
        self.report.updated["municipality boundaries"] += outcome.updated
        self.report.unchanged["municipality boundaries"] += outcome.unchanged

    def load_municipalities(self) -> None:
        data = self.read("municipalities.json")
        counties = {c["code"]: self.sync(County, {"code": c["code"]}, {"name": c["name"]}) for c in data["counties"]}
        for entry in data["municipalities"]:
            where = f"municipalities.json: {entry.get('name')}"
            if entry["county"] not in counties:
                raise SeedDataError(f"{where}: unknown county {entry['county']!r}")
            self.municipalities[entry["code"]] = self.sync(
                Municipality, {"code": entry["code"]}, {"name": entry["name"], "county": counties[entry["county"]]}
            )

    def load_code_systems(self) -> None:
        for entry in self.read("code_systems.json"):
            self.code_systems[entry["code"]] = self.sync(
                CodeSystem,
                {"code": entry["code"]},
                {
                    "name": entry["name"],
                    "description": entry["description"],
                    "code_pattern": entry["code_pattern"],
                    "municipality_specific": entry["municipality_specific"],
                    "valid_from": _date(entry["valid_from"]),
                    "valid_to": _date(entry["valid_to"]),
                },
            )

    def load_organisations(self) -> None:
        entries = self.read("organisations.json")
        # Two passes: parents may be listed after their children.
        for entry in entries:
            where = f"organisations.json: {entry['key']}"
            code = entry.get("municipality_code")
            self.organisations[entry["key"]] = self.sync(
                Organisation,
                {"key": entry["key"]},
                {
                    "name": entry["name"],
                    "kind": entry["kind"],
                    "municipality": self.municipality(code, where) if code else None,
                    "note": entry.get("note") or "",
                },
            )
        for entry in entries:
            parent = self.organisation(entry.get("parent"), f"organisations.json: {entry['key']}")
            org = self.organisations[entry["key"]]
            if org.parent_id != (parent.pk if parent else None):
                org.parent = parent
                org.save()

    def load_districts(self) -> None:
        sams = self.code_systems["SAMS"]
        for row in self.read("districts_2011.json"):
            where = f"districts_2011.json: {row['source_row']!r}"
            municipality = self.municipality(row["municipality_code"], where)
            system = self.code_systems.get(row["code_system"])
            if system is None:
                raise SeedDataError(f"{where}: unknown code system {row['code_system']!r}")
            aliases = [row["source_name"]] if row["source_name"] != row["name"] else []
            district = self.sync(
                District,
                {"municipality": municipality, "kind": District.Kind.DISTRICT, "name": row["name"]},
                {"aliases": aliases, "code_system": system},
            )
            issues = self.notes("003", row.get("source_notes", []))
            if aliases:
                issues.append({
                    "source": "003", "severity": SourceIssue.Severity.NOTE, "code": "name_repaired",
                    "fragment": row["source_name"],
                    "message": f"Namnet står som {row['source_name']!r} i bilaga 2 (OCR-skada); "
                               f"rättat till {row['name']!r}, originalstavningen sparad som alias.",
                })
            codes, code_issues = self.district_codes(row, municipality, system, sams)
            issues += code_issues
            keep = []
            for code in codes:
                area = self.sync(
                    StatisticalArea, {"code_system": system, "municipality": municipality, "code": code}, {}
                )
                keep.append(self.sync(DistrictArea, {"district": district, "area": area}, {"source": BILAGA_2}).pk)
            self.prune(district.memberships.all(), keep)
            self.sync_issues(district, issues)

    def district_codes(self, row, municipality, system, sams) -> tuple[list[str], list[dict[str, str]]]:
        """The codes a Bilaga 2 row states, and the faults found in them (never guessed)."""
        notation = row["notation"]
        issues: list[dict[str, str]] = []
        fault = {"source": "003", "severity": SourceIssue.Severity.ERROR, "fragment": notation}
        if system != sams:
            issues.append({
                **fault, "code": "code_system",
                "message": f"Bilaga 2 anger {row['code_system']} {notation} i kolumnen för SAMS-koder: "
                           f"{municipality.name}s egen nyckelkod, inte en SAMS-kod. Området lagras i kodsystemet "
                           f"{row['code_system']}; ingen SAMS-kod har gissats.",
            })
            return [notation], issues
        try:
            codes = expand_sams(notation)
        except SamsNotationError as exc:
            if exc.fragment.isdigit() and len(exc.fragment) != 8:
                problem = f"”{exc.fragment}” har {len(exc.fragment)} siffror, en SAMS-kod har 8"
            else:
                problem = f"fel i ”{exc.fragment}” ({exc.problem})"
            issues.append({
                **fault, "code": "sams_notation",
                "message": f"Bilaga 2 anger SAMS-koden ”{notation}”, som inte går att tolka: {problem}. "
                           f"Inga koder har gissats; distriktet saknar områden tills källan rättas.",
            })
            return [], issues
        foreign = [code for code in codes if not code.startswith(municipality.code)]
        for code in foreign:
            issues.append({
                **fault, "code": "code_prefix", "fragment": code,
                "message": f"SAMS-koden {code} hör inte till {municipality.name} ({municipality.code}); "
                           f"koden har inte lagts in.",
            })
        return [c for c in codes if c not in foreign], issues

    def load_agreements(self) -> None:
        data = self.read("agreements.json")
        template = data["template_sections"]
        for entry in data["agreements"]:
            where = f"agreements.json: {entry['municipality_code']} {entry['period_start']}"
            municipality = self.municipality(entry["municipality_code"], where)
            agreement = self.sync(
                Agreement,
                {"municipality": municipality, "period_start": _date(entry["period_start"])},
                {
                    "period_end": _date(entry["period_end"]),
                    "status": entry["status"],
                    "districts_stated": entry["districts_stated"],
                    "notes": "\n\n".join(entry.get("notes", [])),
                    "sources": entry.get("sources", []),
                },
            )
            self.sync_m2m(agreement.districts, [self.district(municipality, n, where) for n in entry["districts"]])
            # The 2011 agreements follow the government's template (seed 003, bilaga 1).
            sections = template if "003" in entry.get("sources", []) and agreement.period_start.year == 2011 else []
            keep = [
                self.sync(AgreementSection, {"agreement": agreement, "number": s["number"]},
                          {"title": s["title"], "text": s["text"]}).pk
                for s in sections
            ]
            self.prune(agreement.sections.all(), keep)

        for entry in data["commissions"]:
            where = f"agreements.json: commission {entry['key']}"
            decided = str(entry.get("decided") or "")
            commission = self.sync(
                Commission,
                {"key": entry["key"]},
                {
                    "title": entry["title"],
                    "decided_by": entry.get("decided_by") or "",
                    "issuer": self.organisation(entry.get("issuer"), where),
                    "decided_on": _date(decided) if len(decided) == 10 else None,
                    "decided_year": int(decided[:4]) if decided else None,
                    "period_start": _date(entry.get("period_start")),
                    "period_end": _date(entry.get("period_end")),
                    "coordinator": self.organisation(entry.get("coordinator"), where),
                    "coordinator_duty": entry.get("coordinator_duty") or "",
                    "legal_basis": entry.get("legal_basis") or "",
                    "reporting_duty": entry.get("reporting_duty") or "",
                    "text": entry.get("text") or "",
                    "source": entry.get("source") or "",
                },
            )
            self.sync_m2m(commission.recipients, [self.organisation(k, where) for k in entry.get("recipients", [])])
            self.sync_signatories(commission.signatories.all(), {"commission": commission}, entry.get("signatories", []), where)
            self.sync_issues(commission, self.notes(entry.get("source") or "002", entry.get("notes", [])))

        partnerships = {}
        for entry in data["partnerships"]:
            where = f"agreements.json: partnership {entry['key']}"
            municipality = self.municipality(entry["municipality_code"], where)
            members = entry.get("members", [])
            partnership = self.sync(
                Partnership,
                {"key": entry["key"]},
                {
                    "municipality": municipality,
                    "name": entry["name"],
                    "basis": entry.get("basis") or "",
                    "formed_on": _date(entry.get("formed_on")),
                    # The seed documents are public documents.
                    "published": True,
                },
            )
            partnerships[entry["key"]] = partnership
            self.sync_m2m(partnership.districts, [self.district(municipality, n, where) for n in entry["districts"]])
            keep = [
                self.sync(
                    PartnershipMember,
                    {"partnership": partnership, "organisation": self.organisation(m["organisation"], where)},
                    {"role": m["role"], "since": _date(m.get("since"))},
                ).pk
                for m in members
            ]
            self.prune(partnership.members.all(), keep)

        for entry in data["cooperation_agreements"]:
            where = f"agreements.json: cooperation agreement {entry['key']}"
            municipality = self.municipality(entry["municipality_code"], where)
            coop = self.sync(
                CooperationAgreement,
                {"key": entry["key"]},
                {
                    "partnership": partnerships.get(entry.get("partnership")),
                    "municipality": municipality,
                    "partner": self.organisation(entry["partner"], where),
                    "title": entry["title"],
                    "text": entry.get("text") or "",
                    "signed_on": _date(entry.get("signed_on")),
                    "place": entry.get("place") or "",
                    "period_start": _date(entry.get("period_start") or entry.get("signed_on")),
                    "period_end": _date(entry.get("period_end")),
                    "published": True,
                },
            )
            self.sync_m2m(coop.districts, [self.district(municipality, n, where) for n in entry["districts"]])
            keep = [
                self.sync(
                    Commitment,
                    {"cooperation_agreement": coop, "position": position},
                    {"party": self.organisation(c["party"], where), "text": c["text"]},
                ).pk
                for position, c in enumerate(entry.get("commitments", []))
            ]
            self.prune(coop.commitments.all(), keep)
            self.sync_signatories(coop.signatories.all(), {"cooperation_agreement": coop}, entry.get("signatories", []), where)
            self.sync_issues(coop, self.notes(entry.get("source") or "000", entry.get("source_notes", [])))

    def sync_signatories(self, existing, owner: dict[str, Any], entries: list[dict], where: str) -> None:
        keep = [
            self.sync(
                Signatory,
                {**owner, "position": position},
                {
                    "name": s["name"],
                    "title": s.get("title") or "",
                    "organisation": self.organisation(s.get("organisation"), where),
                    "signed_on": _date(s.get("signed_on")),
                    "place": s.get("place") or "",
                },
            ).pk
            for position, s in enumerate(entries)
        ]
        self.prune(existing, keep)

    def load_programmes(self) -> None:
        for entry in self.read("programmes.json"):
            where = f"programmes.json: {entry['key']}"
            code = entry.get("municipality_code")
            municipality = self.municipality(code, where) if code else None
            programme = self.sync(
                Programme,
                {"key": entry["key"]},
                {
                    "name": entry["name"],
                    "owner": self.organisation(entry["owner"], where),
                    "municipality": municipality,
                    "period_start": _date(entry["period_start"]),
                    "period_end": _date(entry["period_end"]),
                    "published": entry.get("published") or "",
                    "publisher": self.organisation(entry.get("publisher"), where),
                    "follow_up": self.organisation(entry.get("follow_up"), where),
                    "plan_deadline": entry.get("plan_deadline") or "",
                    "report_deadline": entry.get("report_deadline") or "",
                    "overarching_goals": entry.get("overarching_goals", []),
                    "exclusion_dimensions": entry.get("exclusion_dimensions", []),
                    "risk_index_note": entry.get("risk_index_note") or "",
                    "sources": entry.get("sources", []),
                },
            )
            areas = {}
            for position, area in enumerate(entry.get("goal_areas", [])):
                areas[area["key"]] = self.sync(
                    GoalArea,
                    {"programme": programme, "key": area["key"]},
                    {"name": area["name"], "name_en": area.get("name_en") or "",
                     "former_name": area.get("former_name") or "", "position": position},
                )
            self.prune(programme.goal_areas.all(), [a.pk for a in areas.values()])
            self.load_goals(programme, areas, entry.get("goals", []), where)
            self.load_priority_areas(programme, municipality, entry.get("priority_committees", []), where)

    def load_goals(self, programme: Programme, areas: dict[str, GoalArea], groups: list[dict], where: str) -> None:
        keep_goals: list[int] = []
        position = 0
        for group in groups:
            area = areas.get(group["area"])
            if area is None:
                raise SeedDataError(f"{where}: goal {group['number']} names unknown goal area {group['area']!r}")
            follow_up = self.organisation(group.get("follow_up"), where)
            position += 1
            parent = self.sync(
                Goal,
                {"goal_area": area, "number": group["number"]},
                {"programme": programme, "parent": None, "title": group.get("title") or "", "text": "",
                 "follow_up": follow_up, "source_notes": group.get("source_notes", []), "position": position},
            )
            keep_goals.append(parent.pk)
            for goal in group.get("goals", []):
                position += 1
                child = self.sync(
                    Goal,
                    {"goal_area": area, "number": goal["number"]},
                    {"programme": programme, "parent": parent, "title": "", "text": goal["text"],
                     "follow_up": follow_up, "source_notes": goal.get("source_notes", []), "position": position},
                )
                keep_goals.append(child.pk)
                self.sync_responsibilities(child.responsibilities.all(), {"goal": child}, goal.get("responsible", []), where)
            keep_subs = []
            for sub_position, sub in enumerate(group.get("sub_commitments", [])):
                commitment = self.sync(
                    SubCommitment, {"goal": parent, "position": sub_position}, {"text": sub["text"]}
                )
                keep_subs.append(commitment.pk)
                self.sync_responsibilities(
                    commitment.responsibilities.all(), {"sub_commitment": commitment}, sub.get("responsible", []), where
                )
            self.prune(parent.sub_commitments.all(), keep_subs)
        # Children before parents, so the cascade does not pull kept goals along.
        self.prune(programme.goals.exclude(parent=None), keep_goals)
        self.prune(programme.goals.all(), keep_goals)

    def sync_responsibilities(self, existing, owner: dict[str, Any], keys: list[str], where: str) -> None:
        keep = [
            self.sync(Responsibility, {**owner, "position": position}, {"organisation": self.organisation(key, where)}).pk
            for position, key in enumerate(keys)
        ]
        self.prune(existing, keep)

    def load_priority_areas(self, programme: Programme, municipality: Municipality | None,
                            committees: list[dict], where: str) -> None:
        keep = []
        for position, entry in enumerate(committees):
            if municipality is None:
                raise SeedDataError(f"{where}: priority committees need the programme's municipality")
            committee = self.organisation(entry["committee"], where)
            # The committee's area is itself a district (stadsdelsnämndsområde) that the named
            # districts nest in.
            area = self.sync(
                District,
                {"municipality": municipality, "kind": District.Kind.COMMITTEE_AREA, "name": entry["area_name"]},
                {"parent": None},
            )
            districts = []
            for name in entry["districts"]:
                districts.append(self.sync(
                    District,
                    {"municipality": municipality, "kind": District.Kind.DISTRICT, "name": name},
                    {"parent": area},
                ))
            priority = self.sync(
                PriorityArea,
                {"programme": programme, "area": area},
                {"committee": committee, "source_notes": entry.get("source_notes", []), "position": position},
            )
            self.sync_m2m(priority.districts, districts)
            keep.append(priority.pk)
        self.prune(programme.priority_areas.all(), keep)

    def load_indicators(self) -> None:
        # The catalogue belongs to the indicators app, which knows its rules (e.g. that a rule
        # version never changes); the loader supplies the file and its idempotent sync.
        try:
            catalogue_sync(self.read("indicators.json"), sync=self.sync)
        except ValueError as exc:
            raise SeedDataError(str(exc)) from exc

    def load_index_models(self) -> None:
        try:
            index_models_sync(self.read("index_models.json"))
        except IndexInputError as exc:
            raise SeedDataError(str(exc)) from exc


def seeds_load(*, data_dir: Path | None = None, progress: Callable[[str], None] = lambda _msg: None) -> LoadReport:
    """Load (or reload) the seed registry; all or nothing."""
    with transaction.atomic():
        return _Loader(data_dir or DATA_DIR, progress).load()
