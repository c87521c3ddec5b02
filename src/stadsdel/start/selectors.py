"""Reads of the start pages ("Min översikt"): for each of the user's memberships, what waits for
them, counted and listed, inside that membership's scope only.

Rights come from `accounts.scoping.scope_for` and from the apps' own scoped selectors; nothing
here widens them. A section is built per right the user holds (a coordinator of two
municipalities gets two coordinator sections), so a person with several memberships sees the
sections of each, and each section only what that membership may read.

"The year" of a section is the current year when an agreement the reader may see is in force in
it, else the latest earlier year with one: the agreements in the registry end in 2014, and a page
that always showed the empty current year would say nothing useful.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from stadsdel.accounts.models import Role
from stadsdel.accounts.scoping import descendant_ids, scope_for
from stadsdel.agreements.models import Agreement, CooperationAgreement, Organisation, Partnership
from stadsdel.agreements.selectors import (
    agreement_list,
    cooperation_list,
    districts_in_force,
    in_force,
    partnership_list,
)
from stadsdel.areas.models import District, Municipality
from stadsdel.evaluation.models import Evaluation
from stadsdel.evaluation.selectors import evaluation_list
from stadsdel.followup.compute import OFF_TRACK
from stadsdel.followup.content import goal_rows
from stadsdel.followup.models import (
    AgencyReport,
    FollowUpReport,
    NationalReport,
    ReportSection,
)
from stadsdel.followup.selectors import agency_report_list, report_list
from stadsdel.funding import rights
from stadsdel.funding.models import Application, Decision, FollowUp
from stadsdel.funding.selectors import application_list, decision_queue
from stadsdel.indicators.models import ImportBatch, Indicator, Level, Observation, RefusedImport
from stadsdel.indicators.selectors import import_list, refused_import_list
from stadsdel.indices.models import IndexModel
from stadsdel.indices.selectors import index_model_list
from stadsdel.plans.deadlines import DONE, DONE_LATE, OVERDUE, deadline_on, deadline_status
from stadsdel.plans.models import NATIONAL_PROGRAMME, DistrictPlan, PlanComment, Programme
from stadsdel.plans.selectors import plan_list
from stadsdel.reminders.models import ReminderSetting
from stadsdel.reminders.selectors import reminder_setting_get

# Deadlines this close (or already past and not met) are listed on a coordinator's page.
DEADLINE_HORIZON_DAYS = 60
RECENT_IMPORTS = 10
# The analyst's count of failed imports covers this many days (the list shows the latest ones).
REFUSED_DAYS = 30
# The unit levels of the freshness table, coarsest last (a column each).
FRESHNESS_LEVELS = (Level.AREA, Level.DISTRICT, Level.MUNICIPALITY, Level.COUNTY, Level.COUNTRY)


def working_year(agreements, *, today: dt.date) -> int | None:
    """The current year if one of `agreements` is in force in it, else the latest earlier year
    with one (else the earliest later one); None without any agreement."""
    years: set[int] = set()
    for start, end in agreements.order_by().values_list("period_start", "period_end"):
        years.update(range(start.year, end.year + 1))
    if not years:
        return None
    if today.year in years:
        return today.year
    earlier = [y for y in years if y < today.year]
    return max(earlier) if earlier else min(years)


# -- municipality coordinator -------------------------------------------------------------------


@dataclass
class PlanRow:
    district: District
    year: int
    plan: DistrictPlan | None
    off_track: int  # goals off track by the follow-up report's rule


@dataclass
class DeadlineRow:
    kind: str  # "plan" or "report"
    subject: str
    due: dt.date
    done_on: dt.date | None
    status: str  # plans.deadlines: done, done_late, due, overdue
    url: str

    @property
    def done(self) -> bool:
        return self.status in (DONE, DONE_LATE)


@dataclass
class CoordinatorSection:
    municipality: Municipality
    organisation: Organisation | None
    year: int | None
    agreements: list[Agreement]
    districts: list[District]  # under an agreement in force in the year
    plan_rows: list[PlanRow]
    deadlines: list[DeadlineRow]
    horizon: dt.date
    comments: list[tuple[DistrictPlan, int]]  # plans with comments awaiting moderation
    report: FollowUpReport | None
    report_missing: list[str]  # what the year's follow-up report still lacks, in words
    applications: list[Application]
    applications_by_status: list[tuple[str, int]]

    @property
    def comment_count(self) -> int:
        return sum(n for _plan, n in self.comments)

    @property
    def open_deadlines(self) -> int:
        return sum(1 for d in self.deadlines if not d.done)

    @property
    def off_track(self) -> int:
        return sum(r.off_track for r in self.plan_rows if r.year == self.year)


def _latest_plans(plans) -> dict[tuple[int, int], DistrictPlan]:
    """(district, year) → the plan's latest version."""
    out: dict[tuple[int, int], DistrictPlan] = {}
    for plan in plans.order_by("plan_version"):
        out[(plan.district_id, plan.year)] = plan
    return out


def year_deadlines(year: int) -> tuple[dt.date, dt.date]:
    """(the plans' deadline, the follow-up reports' deadline) of a year, from the national
    programme (31 December and 1 December by seed 003, §4 and §6)."""
    programme = Programme.objects.filter(key=NATIONAL_PROGRAMME).first()
    plan = (programme.plan_deadline if programme else "") or "12-31"
    report = (programme.report_deadline if programme else "") or "12-01"
    return deadline_on(plan, year), deadline_on(report, year)


def _submitted_on(record) -> dt.date | None:
    # A plan or report counts as delivered the day it was submitted (received comes later and is
    # the ministry's step, not the municipality's).
    if record is None or record.submitted_at is None or record.status == "draft":
        return None
    return record.submitted_at.date()


def coordinator_section(*, user, municipality: Municipality, today: dt.date) -> CoordinatorSection:
    agreements = list(agreement_list(user=user).filter(municipality=municipality).order_by("-period_start"))
    agreement_qs = Agreement.objects.filter(pk__in=[a.pk for a in agreements])
    year = working_year(agreement_qs, today=today)
    districts = list(districts_in_force(agreements=agreement_qs, year=year).select_related("municipality")
                     .order_by("name")) if year else []
    # Every year each district is under an agreement, newest first, with the plan's status.
    years_of: dict[int, set[int]] = defaultdict(set)
    all_districts: dict[int, District] = {}
    for agreement in agreements:
        for district in agreement.districts.all():
            years_of[district.pk].update(range(agreement.period_start.year, agreement.period_end.year + 1))
            all_districts[district.pk] = district
    plans = plan_list(user=user).filter(district__municipality=municipality)
    latest = _latest_plans(plans)
    off_track: Counter = Counter()
    for row in goal_rows(plans=[p.pk for p in latest.values()]):
        if row.status.status == OFF_TRACK:
            off_track[(row.goal.plan.district_id, row.goal.plan.year)] += 1
    plan_rows = [
        PlanRow(all_districts[pk], y, latest.get((pk, y)), off_track[(pk, y)])
        for pk in sorted(all_districts, key=lambda pk: all_districts[pk].name)
        for y in sorted(years_of[pk], reverse=True)
    ]
    horizon = today + dt.timedelta(days=DEADLINE_HORIZON_DAYS)
    deadlines: list[DeadlineRow] = []
    report = report_list(user=user).filter(municipality=municipality, year=year).first() if year else None
    if year and districts:
        plan_due, report_due = year_deadlines(year)
        if report_due <= horizon:
            done = _submitted_on(report)
            deadlines.append(DeadlineRow(
                "report", _("Follow-up report %(year)s") % {"year": year}, report_due, done,
                deadline_status(due=report_due, done_on=done, today=today),
                reverse("followup:report_edit", args=[municipality.code, year])))
        if plan_due <= horizon:
            for district in districts:
                plan = latest.get((district.pk, year))
                done = _submitted_on(plan)
                deadlines.append(DeadlineRow(
                    "plan", _("District plan %(year)s: %(district)s") % {"year": year, "district": district.name},
                    plan_due, done, deadline_status(due=plan_due, done_on=done, today=today),
                    # No plan yet: the plan list's form for a new plan is where it is written.
                    plan.get_absolute_url() if plan else reverse("plans:plan_list") + "#new-plan-heading"))
    pending = Counter(PlanComment.objects.filter(
        status=PlanComment.Status.PENDING, plan__in=plans).values_list("plan_id", flat=True))
    comment_plans = {p.pk: p for p in plans.filter(pk__in=pending.keys()).select_related("district")}
    comments = [(comment_plans[pk], n) for pk, n in sorted(pending.items(), key=lambda kv: -kv[1]) if pk in comment_plans]
    missing: list[str] = []
    if year:
        for district in districts:
            plan = latest.get((district.pk, year))
            if plan is None:
                missing.append(_("No district plan for %(district)s") % {"district": district.name})
            elif plan.status == DistrictPlan.Status.DRAFT:
                missing.append(_("The plan for %(district)s is still a draft") % {"district": district.name})
        texts = {s.key: s.text for s in report.sections.all()} if report else {}
        for key, label in ReportSection.Key.choices:
            if not (texts.get(key) or "").strip():
                missing.append(_("Empty section: %(section)s") % {"section": label})
    organisation = Organisation.objects.filter(municipality=municipality, kind=Organisation.Kind.MUNICIPALITY).first()
    applications = list(application_list(user=user).filter(applicant__municipality=municipality))
    counts = Counter(a.status for a in applications)
    by_status = [(label, counts[value]) for value, label in Application.Status.choices if counts[value]]
    return CoordinatorSection(municipality, organisation, year, agreements, districts, plan_rows, deadlines, horizon,
                              comments, report, missing, applications, by_status)


# -- ministry -----------------------------------------------------------------------------------

RECEIVED, WAITING, MISSING, LATE = "received", "waiting", "missing", "late"


@dataclass
class MunicipalityReceipt:
    municipality: Municipality
    plans: dict[str, int]  # received / waiting / missing / late → count of districts
    report: str  # received / waiting / missing / late

    @property
    def plan_total(self) -> int:
        return sum(self.plans.values())


@dataclass
class MinistrySection:
    year: int | None
    agreements: list[Agreement]
    rows: list[MunicipalityReceipt]
    totals: dict[str, int]
    report_totals: dict[str, int]
    agency_reports: list[AgencyReport]
    national: NationalReport | None


def _receipt(record, status: str) -> str:
    """Where a plan or report stands for the ministry. Submitted counts as delivered even when
    late: the ministry's next step is to receive it. `status` is its deadline's status."""
    if record is not None and record.status == "received":
        return RECEIVED
    if record is not None and record.status == "submitted":
        return WAITING
    return LATE if status == OVERDUE else MISSING


def ministry_section(*, user, today: dt.date) -> MinistrySection:
    agreements_qs = agreement_list(user=user)
    year = working_year(agreements_qs, today=today)
    if year is None:
        return MinistrySection(None, [], [], {}, {}, [], NationalReport.objects.order_by("-year").first())
    agreements = list(in_force(agreements_qs, year=year).order_by("municipality__name", "period_start"))
    districts = list(districts_in_force(agreements=agreements_qs, year=year).select_related("municipality"))
    plan_due, report_due = year_deadlines(year)
    plans = _latest_plans(plan_list(user=user).filter(year=year, district__in=districts))
    reports = {r.municipality_id: r for r in report_list(user=user).filter(year=year)}
    rows: dict[int, MunicipalityReceipt] = {}
    for district in districts:
        municipality = district.municipality
        row = rows.get(municipality.pk)
        if row is None:
            report = reports.get(municipality.pk)
            row = rows[municipality.pk] = MunicipalityReceipt(
                municipality, dict.fromkeys((RECEIVED, WAITING, MISSING, LATE), 0),
                _receipt(report, deadline_status(due=report_due, done_on=_submitted_on(report), today=today)))
        plan = plans.get((district.pk, year))
        row.plans[_receipt(plan, deadline_status(due=plan_due, done_on=_submitted_on(plan), today=today))] += 1
    ordered = sorted(rows.values(), key=lambda r: r.municipality.name)
    totals = {k: sum(r.plans[k] for r in ordered) for k in (RECEIVED, WAITING, MISSING, LATE)}
    report_totals = {k: sum(1 for r in ordered if r.report == k) for k in (RECEIVED, WAITING, MISSING, LATE)}
    agency = list(agency_report_list(user=user).filter(year=year).order_by("organisation__name"))
    national = NationalReport.objects.order_by("-year").first()
    return MinistrySection(year, agreements, ordered, totals, report_totals, agency, national)


# -- agency -------------------------------------------------------------------------------------


@dataclass
class AgencySection:
    organisation: Organisation
    year: int | None
    cooperation: list[CooperationAgreement]
    partnerships: list[Partnership]
    report: AgencyReport | None


def agency_section(*, user, organisation: Organisation, today: dt.date) -> AgencySection:
    ids = descendant_ids({organisation.pk})
    cooperation = list(cooperation_list(user=user).filter(partner_id__in=ids).select_related("municipality", "partner")
                       .order_by("municipality__name", "title"))
    partnerships = list(partnership_list(user=user).filter(members__organisation_id__in=ids).distinct()
                        .order_by("municipality__name", "name"))
    year = working_year(agreement_list(user=user), today=today)
    report = agency_report_list(user=user).filter(organisation=organisation, year=year).first() if year else None
    return AgencySection(organisation, year, cooperation, partnerships, report)


# -- analyst ------------------------------------------------------------------------------------


@dataclass
class FreshnessRow:
    indicator: Indicator
    latest: list[tuple[str, int | None]]  # (level's name, latest year) per FRESHNESS_LEVELS


@dataclass
class AnalystSection:
    imports: list[ImportBatch]
    refused: list[RefusedImport]  # the latest files the import refused, newest first
    refused_recent: int  # files refused in the last REFUSED_DAYS days
    freshness: list[FreshnessRow]
    levels: list[str]  # the levels' names, for the table head
    evaluations: list[Evaluation]
    index_models: list[IndexModel]


def analyst_section(*, user, today: dt.date | None = None) -> AnalystSection:
    latest: dict[tuple[int, str], int] = {
        (i, level): year for i, level, year in
        Observation.objects.filter(value__isnull=False).order_by().values("indicator_id", "level")
        .annotate(latest=Max("period")).values_list("indicator_id", "level", "latest")
    }
    indicators = Indicator.objects.filter(pk__in={i for i, _level in latest}).order_by("name")
    labels = dict(Level.choices)
    freshness = [FreshnessRow(i, [(labels[level], latest.get((i.pk, level))) for level in FRESHNESS_LEVELS])
                 for i in indicators]
    evaluations = list(evaluation_list(user=user).filter(published=False))
    since = (today or timezone.localdate()) - dt.timedelta(days=REFUSED_DAYS)
    refused_recent = refused_import_list(limit=None).filter(created_at__date__gt=since).count()
    return AnalystSection(list(import_list(limit=RECENT_IMPORTS)), list(refused_import_list(limit=RECENT_IMPORTS)),
                          refused_recent, freshness,
                          [labels[level] for level in FRESHNESS_LEVELS], evaluations,
                          list(index_model_list().select_related("reference_municipality")))


# -- committee member ---------------------------------------------------------------------------


@dataclass
class CommitteeSection:
    organisations: list[Organisation]
    queue: list[Application]  # at the user's step, oldest first
    decisions: list[Decision]  # made by the user's organisations this month
    month: dt.date


def committee_section(*, user, today: dt.date) -> CommitteeSection:
    ids = rights.decision_organisation_ids(user=user)
    month = today.replace(day=1)
    decisions = list(Decision.objects.filter(
        organisation_id__in=ids, decided_on__gte=month, decided_on__lte=today,
    ).select_related("application__applicant", "organisation", "step").order_by("-decided_on", "-recorded_at"))
    return CommitteeSection(list(Organisation.objects.filter(pk__in=ids).order_by("name")), decision_queue(user=user),
                            decisions, month)


# -- applicant ----------------------------------------------------------------------------------


@dataclass
class ApplicationRow:
    application: Application
    next_step: str
    url: str


@dataclass
class ApplicantSection:
    organisations: list[Organisation]
    rows: list[ApplicationRow]
    by_status: list[tuple[str, int]]
    followups: list[FollowUp]
    today: dt.date


def _next_step(application: Application, pending: dict[int, FollowUp]) -> tuple[str, str]:
    status = application.status
    if status == Application.Status.DRAFT:
        return _("Complete the application and submit it"), reverse("funding:application_edit", args=[application.pk])
    if status == Application.Status.RETURNED:
        return (_("Returned for completion: read the comments, complete it and submit it again"),
                reverse("funding:application_edit", args=[application.pk]))
    if status == Application.Status.IN_REVIEW:
        # Name the deciding organisation (Rinkeby-Kista's own steering group), not only the
        # step's generic name ("Lokal styrgrupp").
        step = application.current_step
        deciding = rights.step_organisation(step=step, application=application) if step else None
        name = deciding.name if deciding is not None else (step.name if step else "")
        return _("Waiting for the decision of %(body)s") % {"body": name}, application.get_absolute_url()
    if status == Application.Status.GRANTED:
        follow_up = pending.get(application.pk)
        if follow_up is not None:
            return (_("Report the follow-up by %(date)s") % {"date": date_format(follow_up.due_on, "DATE_FORMAT")},
                    reverse("funding:followup_edit", args=[follow_up.pk]))
        return _("Granted: nothing to do now"), application.get_absolute_url()
    return _("Rejected: nothing more to do"), application.get_absolute_url()


def applicant_section(*, user, today: dt.date) -> ApplicantSection:
    ids = {org for role, org in scope_for(user).memberships if role == Role.APPLICANT}
    applications = list(application_list(user=user).filter(applicant_id__in=ids).select_related(
        "current_step__organisation", "area__steering_group")
                        .order_by("status", "-created_at"))
    followups = list(FollowUp.objects.filter(application__in=[a.pk for a in applications], submitted_at__isnull=True)
                     .select_related("application").order_by("due_on"))
    pending = {}
    for f in followups:
        pending.setdefault(f.application_id, f)
    order = {value: k for k, value in enumerate(Application.Status.values)}
    applications.sort(key=lambda a: (order[a.status], -a.created_at.timestamp()))
    rows = [ApplicationRow(a, *_next_step(a, pending)) for a in applications]
    counts = Counter(a.status for a in applications)
    return ApplicantSection(list(Organisation.objects.filter(pk__in=ids).order_by("name")), rows,
                            [(label, counts[value]) for value, label in Application.Status.choices if counts[value]],
                            followups, today)


# -- the page -----------------------------------------------------------------------------------


@dataclass
class Overview:
    today: dt.date
    coordinator: list[CoordinatorSection] = field(default_factory=list)
    ministry: MinistrySection | None = None
    agency: list[AgencySection] = field(default_factory=list)
    analyst: AnalystSection | None = None
    committee: CommitteeSection | None = None
    applicant: ApplicantSection | None = None
    # The user's deadline reminders by e-mail, for those with deadlines (coordinators, agencies).
    reminders: ReminderSetting | None = None

    @property
    def empty(self) -> bool:
        return not (self.coordinator or self.ministry or self.agency or self.analyst or self.committee
                    or self.applicant)


def overview_for(*, user, today: dt.date) -> Overview:
    """Every section the user's memberships give them, each within its own membership's rights."""
    scope = scope_for(user)
    overview = Overview(today)
    for municipality in Municipality.objects.filter(pk__in=scope.coordinated_municipality_ids).order_by("name"):
        overview.coordinator.append(coordinator_section(user=user, municipality=municipality, today=today))
    if scope.national:
        overview.ministry = ministry_section(user=user, today=today)
    agency_roots = {org for role, org in scope.memberships if role == Role.AGENCY}
    for organisation in Organisation.objects.filter(pk__in=agency_roots).order_by("name"):
        overview.agency.append(agency_section(user=user, organisation=organisation, today=today))
    if scope.analyst_organisation_ids:
        overview.analyst = analyst_section(user=user, today=today)
    if overview.coordinator or overview.agency:
        overview.reminders = reminder_setting_get(user=user)
    if rights.decision_organisation_ids(user=user):
        overview.committee = committee_section(user=user, today=today)
    if any(role == Role.APPLICANT for role, _org in scope.memberships):
        overview.applicant = applicant_section(user=user, today=today)
    return overview

