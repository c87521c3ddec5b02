"""The statistics of the follow-up: the indicator catalogue, observations per area and year, the
imports they came from, and the versioned rules that mark individuals and districts."""

from __future__ import annotations

from pathlib import PureWindowsPath

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from stadsdel.areas.models import County, Crosswalk, District, Municipality, StatisticalArea


class Dimension(models.TextChoices):
    """The seven dimensions of exclusion of seed 000, plus `all` for measures that span them."""

    EMPLOYMENT = "employment", _("employment")
    SOCIAL_ASSISTANCE = "social_assistance", _("social assistance")
    EDUCATION = "education", _("education")
    SCHOOL_RESULTS = "school_results", _("school results")
    SAFETY = "safety", _("safety")
    DEMOCRACY = "democracy", _("democracy and participation")
    HEALTH = "health", _("health")
    ALL = "all", _("all dimensions")


class Indicator(models.Model):
    """A measure in the catalogue (e.g. `employment_rate_20_64`, Kolada N00914): what it counts,
    how it is computed from numerator and denominator, which goal areas and which dimension of
    exclusion it follows, and where the figures come from."""

    class Unit(models.TextChoices):
        PERCENT = "percent", _("per cent")
        DAYS_PER_PERSON = "days_per_person", _("days per person")
        PER_1000 = "per_1000", _("per 1,000 inhabitants")
        COUNT = "count", _("count")
        INDEX = "index", _("index")

    class Direction(models.TextChoices):
        HIGHER_BETTER = "higher_better", _("higher is better")
        HIGHER_WORSE = "higher_worse", _("higher is worse")

    class Source(models.TextChoices):
        SCB = "scb", "SCB"
        FORSAKRINGSKASSAN = "forsakringskassan", "Försäkringskassan"
        ARBETSFORMEDLINGEN = "arbetsformedlingen", "Arbetsförmedlingen"
        POLISEN = "polisen", "Polisen"
        SKOLVERKET = "skolverket", "Skolverket"
        MUNICIPALITY = "municipality", _("the municipality")
        SURVEY = "survey", _("survey")
        VALMYNDIGHETEN = "valmyndigheten", "Valmyndigheten"
        SOCIALSTYRELSEN = "socialstyrelsen", "Socialstyrelsen"
        REGISTER = "register", _("register extract (microdata)")

    code = models.SlugField(_("code"), max_length=80, unique=True)
    name = models.CharField(_("name (Swedish)"), max_length=300)
    name_en = models.CharField(_("name (English)"), max_length=300)
    definition = models.TextField(_("definition"))
    unit = models.CharField(_("unit"), max_length=20, choices=Unit.choices)
    # value = scale × numerator / denominator: 100 for shares in per cent, 1 for days per person.
    scale = models.FloatField(_("scale"), default=100.0)
    is_share = models.BooleanField(
        _("is a share"), default=True,
        help_text=_("The numerator counts persons among the denominator's persons, so the complement "
                    "(denominator − numerator) is meaningful and is disclosure-controlled too."),
    )
    direction = models.CharField(_("direction"), max_length=20, choices=Direction.choices)
    dimension = models.CharField(_("dimension of exclusion"), max_length=30, choices=Dimension.choices, blank=True)
    goal_areas = models.JSONField(
        _("goal areas"), default=list, blank=True,
        help_text=_("Keys of the national programme's goal areas (arbete, utbildning, trygghet, tillvaxt)."),
    )
    source = models.CharField(_("source"), max_length=30, choices=Source.choices)
    numerator_definition = models.TextField(_("numerator"), blank=True)
    denominator_definition = models.TextField(_("denominator"), blank=True)
    kolada_kpi = models.CharField(_("Kolada KPI"), max_length=20, blank=True, db_index=True)
    scb_table = models.CharField(_("SCB table"), max_length=200, blank=True)
    catalogue_note = models.TextField(
        _("note"), blank=True, help_text=_("Verification of source ids, corrections and caveats."),
    )
    # The values an import may store: a figure outside them is refused with its file and row (a
    # population count imported as a share must not become 50 937 %). Shares 0–100, rates and
    # days ≥ 0, counts whole and ≥ 0; for a share (`is_share`) the numerator may not exceed the
    # denominator, and no numerator or denominator is negative.
    value_min = models.FloatField(_("lowest valid value"), null=True, blank=True)
    value_max = models.FloatField(_("highest valid value"), null=True, blank=True)
    whole_numbers = models.BooleanField(
        _("whole numbers only"), default=False, help_text=_("The values are counts, so a fraction is an error."),
    )
    decimals = models.PositiveSmallIntegerField(_("decimals shown"), default=1)
    position = models.PositiveSmallIntegerField(default=0, verbose_name=_("order"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(value_min__isnull=True) | models.Q(value_max__isnull=True)
                | models.Q(value_min__lte=models.F("value_max")),
                name="indicator_valid_range_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    def get_absolute_url(self) -> str:
        return reverse("indicators:indicator_detail", args=[self.code])


# The seeded rules' names for readers (a rule's `name` is a key; a rule added later without an
# entry here is shown by its key with spaces).
RULE_NAMES = {
    "stadsdel-standard": _("Standard for districts"),
    "individ-standard": _("Standard for individuals"),
}


class ExclusionRule(models.Model):
    """One version of a named rule that marks something as in exclusion: an *individual* rule
    (which person-years count in `individuals_in_exclusion`, default: age 20–64, not employed, not
    studying) or a *district* rule (when a district is "präglad av utanförskap"). Versions are
    never edited once figures refer to them; a change is a new version."""

    class Target(models.TextChoices):
        INDIVIDUAL = "individual", _("individual")
        DISTRICT = "district", _("district")

    target = models.CharField(_("applies to"), max_length=20, choices=Target.choices)
    name = models.SlugField(_("name"), max_length=80)
    version = models.PositiveIntegerField(_("version"))
    parameters = models.JSONField(_("parameters"))
    description = models.TextField(_("description"), blank=True)
    active = models.BooleanField(_("active"), default=False, help_text=_("The version used by default."))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["target", "name", "-version"]
        verbose_name = _("exclusion rule")
        verbose_name_plural = _("exclusion rules")
        constraints = [
            models.UniqueConstraint(fields=["target", "name", "version"], name="exclusion_rule_unique_version"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The rule as a reader meets it, in the page's language: “Standard for districts”, version 1."""
        name = RULE_NAMES.get(self.name) or self.name.replace("-", " ").replace("_", " ")
        return _("“%(name)s”, version %(version)s") % {"name": name, "version": self.version}


class ImportBatch(models.Model):
    """One import that wrote observations: which file (and its checksum) or which microdata run,
    who ran it and when, and what it changed. Every observation points to the batch that last set
    it; earlier values and their batches stay in the observation's history."""

    class Kind(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "Excel"
        PXWEB = "pxweb", "PxWeb json-stat2"
        KOLADA = "kolada", "Kolada"
        MICRODATA = "microdata", _("microdata")
        CROSSWALK = "crosswalk", _("crosswalk mapping")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    source_name = models.CharField(_("file or source"), max_length=500)
    file_sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    options = models.JSONField(_("options"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        verbose_name=_("imported by"),
    )
    created_by_name = models.CharField(
        _("imported by (name)"), max_length=150, blank=True,
        help_text=_("The account or, for the command line, the operating-system user."),
    )
    created_at = models.DateTimeField(_("imported at"), auto_now_add=True)
    rows_created = models.PositiveIntegerField(_("created"), default=0)
    rows_updated = models.PositiveIntegerField(_("updated"), default=0)
    rows_unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    rule = models.ForeignKey(
        ExclusionRule, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("individual rule"),
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self) -> str:
        # The file's name without its folders: a microdata run records the analyst's local path,
        # which only the import's own page shows, to those who may see who imported.
        name = PureWindowsPath(self.source_name).name if self.source_name else ""
        return f"{self.get_kind_display()} {name} ({self.created_at:%Y-%m-%d %H:%M})"


class RefusedImport(models.Model):
    """A file of figures the import refused: a fault in a row or cell, an unknown indicator or
    area, a file over a limit, or an upload the import page's form turned away. Nothing of the
    file was written; this record says who sent which file when, in which format and through
    which channel, and why (the importer's message, naming the file and row), so the analyst's
    start page can list the failed imports beside the latest ones. It is written after the
    import's transaction has rolled back, so the refusal is kept while the figures are not."""

    class Channel(models.TextChoices):
        PAGE = "page", _("import page")
        API = "api", _("API")
        COMMAND = "command", _("command line")

    fmt = models.CharField(_("format"), max_length=20, blank=True)
    source_name = models.CharField(_("file or source"), max_length=500)
    channel = models.CharField(_("sent through"), max_length=10, choices=Channel.choices)
    dry_run = models.BooleanField(_("dry run"), default=False)
    message = models.TextField(_("reason"))
    problem_count = models.PositiveIntegerField(_("faults"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("sent by"),
    )
    created_by_name = models.CharField(
        _("sent by (name)"), max_length=150, blank=True,
        help_text=_("The account or, for the command line, the operating-system user."),
    )
    created_at = models.DateTimeField(_("refused at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("refused import")
        verbose_name_plural = _("refused imports")

    def __str__(self) -> str:
        return f"{self.source_name} ({self.created_at:%Y-%m-%d %H:%M})"

    @property
    def kind_label(self) -> str:
        """The format's name as the import page lists it ("Excel"), else the format as sent."""
        return dict(ImportBatch.Kind.choices).get(self.fmt, self.fmt)

    @property
    def problems(self) -> list[str]:
        """The faults, one per line, without the heading line that names the file."""
        return [line.strip() for line in self.message.splitlines()[1:] if line.strip()]


class Level(models.TextChoices):
    """The kinds of unit an observation can describe, from the smallest to the country."""

    AREA = "area", _("statistical area")
    DISTRICT = "district", _("district")
    MUNICIPALITY = "municipality", _("municipality")
    COUNTY = "county", _("county")
    COUNTRY = "country", _("country")


def area_unit_key(system_code: str, code: str) -> str:
    """The unit key an area's figures are stored under (`Observation.unit_key`). Reads of an
    area's figures ask by it, with the indicators, so that the unique key's index finds them:
    the figures have no index by area, which a national import would write at thousands of
    scattered places (issue 21)."""
    return f"area:{system_code}:{code}"


def area_unit_keys_between(system_code: str | None = None) -> dict[str, str]:
    """Lookups for the unit keys of every area figure (of one code system when given): a range
    (`area:` up to `area;`), which the unique key's index (indicator, unit key, …) reads as one
    stretch per indicator. Asked for by level instead, SQLite takes the (level, year) index and
    reads every area figure of every indicator (seconds at national scale)."""
    first = area_unit_key(system_code, "") if system_code else "area:"
    return {"unit_key__gte": first, "unit_key__lt": first[:-1] + chr(ord(first[-1]) + 1)}


class Observation(models.Model):
    """One figure: an indicator for one unit (area, district, municipality, county or the country),
    year and sex (T total, K women, M men), with numerator and denominator where known. Values are
    stored unrounded. A suppressed cell (disclosure control) has no value. `batch` is the import
    that last set it; the history keeps what earlier imports said."""

    class Sex(models.TextChoices):
        TOTAL = "T", _("total")
        WOMEN = "K", _("women")
        MEN = "M", _("men")

    class Status(models.TextChoices):
        OK = "ok", _("ok")
        SUPPRESSED = "suppressed", _("suppressed")
        PROVISIONAL = "provisional", _("provisional")
        MISSING = "missing", _("missing")

    # The foreign keys get no index of their own: every index is written for every figure an
    # import inserts or updates (a national import writes millions), so each is either the
    # first column of an index below or a partial index over the rows that have it, or (the
    # area) read through the unit key (issue 21).
    # Nor a database constraint: the one writer (services.bulk) checks the rows they refer to a
    # set at a time, where PostgreSQL's constraint triggers cost more than the insert itself.
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="observations", db_index=False,
                                  db_constraint=False, verbose_name=_("indicator"))
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    # "area:SAMS:01270001", "district:12", "municipality:0127", "county:01", "country:SE": one key
    # for every kind of unit, so uniqueness holds without nullable columns in the constraint.
    unit_key = models.CharField(_("unit"), max_length=60)
    statistical_area = models.ForeignKey(StatisticalArea, on_delete=models.PROTECT, null=True, blank=True,
                                         related_name="observations", db_index=False, db_constraint=False,
                                         verbose_name=_("statistical area"))
    district = models.ForeignKey(District, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="observations", db_index=False, db_constraint=False,
                                 verbose_name=_("district"))
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="observations", db_index=False, db_constraint=False,
                                     verbose_name=_("municipality"))
    county = models.ForeignKey(County, on_delete=models.PROTECT, null=True, blank=True, related_name="observations",
                               db_index=False, db_constraint=False, verbose_name=_("county"))
    period = models.PositiveSmallIntegerField(_("year"))
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, default=Sex.TOTAL)
    value = models.FloatField(_("value"), null=True, blank=True)
    numerator = models.FloatField(_("numerator"), null=True, blank=True)
    denominator = models.FloatField(_("denominator"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OK)
    batch = models.ForeignKey(ImportBatch, on_delete=models.PROTECT, related_name="observations",
                              verbose_name=_("import"), db_constraint=False)
    rule = models.ForeignKey(
        ExclusionRule, on_delete=models.PROTECT, null=True, blank=True, related_name="observations",
        verbose_name=_("individual rule"), db_index=False, db_constraint=False,
    )
    crosswalk = models.ForeignKey(
        Crosswalk, on_delete=models.PROTECT, null=True, blank=True, related_name="observations",
        verbose_name=_("mapped through"), help_text=_("Set when the counts were mapped from another code system."),
        db_index=False, db_constraint=False,
    )
    # The history is read by figure (`id`, indexed) and by date; its copies of the foreign keys
    # go unindexed, since every changed figure writes a history row (issue 21).
    history = HistoricalRecords(no_db_index=[
        "indicator", "statistical_area", "district", "municipality", "county", "batch", "rule", "crosswalk"])

    class Meta:
        ordering = ["indicator", "unit_key", "period", "sex"]
        verbose_name = _("observation")
        verbose_name_plural = _("observations")
        constraints = [
            models.UniqueConstraint(fields=["indicator", "unit_key", "period", "sex"], name="observation_unique_key"),
            models.CheckConstraint(
                # Nothing that could identify a person is kept for a suppressed cell.
                condition=~models.Q(status="suppressed")
                | models.Q(value__isnull=True, numerator__isnull=True, denominator__isnull=True),
                name="observation_suppressed_has_no_value",
            ),
        ]
        # The unique key's index serves the indicator; a query for a district, a municipality,
        # a rule or a crosswalk names it, so a partial index over the rows that have one serves
        # it, and the other rows (most of them) cost these indexes nothing. An area's figures
        # have no index of their own: they are read by indicator and unit key (`area_unit_key`)
        # through the unique key's index. An index by area took each national file's figures
        # at some 6 000 scattered places (one per area): without it a national table set's new
        # figures cost 6–13 % fewer CPU seconds on SQLite and 12 % on PostgreSQL (issue 21,
        # bench/README.md).
        indexes = [
            models.Index(fields=["level", "period"]),
            models.Index(fields=["district", "indicator", "period"], name="observation_district",
                         condition=models.Q(district__isnull=False)),
            models.Index(fields=["municipality", "indicator", "period"], name="observation_municipality",
                         condition=models.Q(municipality__isnull=False)),
            models.Index(fields=["county"], name="observation_county", condition=models.Q(county__isnull=False)),
            models.Index(fields=["rule"], name="observation_rule", condition=models.Q(rule__isnull=False)),
            models.Index(fields=["crosswalk"], name="observation_crosswalk", condition=models.Q(crosswalk__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.unit_key} {self.period} {self.sex}"
