"""Where the work happens: counties, municipalities, statistical areas and districts."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class County(models.Model):
    """A län: the region a municipality lies in, and the second reference level of the
    exclusion dimensions (a district is compared with its municipality and its region)."""

    code = models.CharField(_("code"), max_length=2, unique=True, validators=[RegexValidator(r"^\d{2}$")])
    name = models.CharField(_("name"), max_length=100)
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("county")
        verbose_name_plural = _("counties")

    def __str__(self) -> str:
        return self.name


class Municipality(models.Model):
    """A kommun, identified by its 4-digit municipality code (e.g. 0136 Haninge). Signs the local
    development agreement with the state and owns its districts, partnership and plans."""

    code = models.CharField(_("code"), max_length=4, unique=True, validators=[RegexValidator(r"^\d{4}$")])
    name = models.CharField(_("name"), max_length=100)
    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="municipalities",
                               verbose_name=_("county"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("areas:municipality_detail", args=[self.code])


class CodeSystem(models.Model):
    """A system of statistical area codes (SAMS, DeSO, RegSO, a municipality's own NYKO).
    Systems replace each other over time; crosswalks (later) map one onto another."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    code_pattern = models.CharField(
        _("code pattern"), max_length=100, blank=True,
        help_text=_("Regular expression every area code in this system must match."),
    )
    municipality_specific = models.BooleanField(
        _("municipality specific"), default=False,
        help_text=_("Codes are only unique within one municipality (e.g. NYKO)."),
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("code system")
        verbose_name_plural = _("code systems")

    def __str__(self) -> str:
        return self.code


class StatisticalArea(models.Model):
    """One area of a code system (e.g. SAMS 01360017); the building block districts are made of
    and the unit statistics are reported for."""

    code_system = models.ForeignKey(CodeSystem, on_delete=models.PROTECT, related_name="areas",
                                    verbose_name=_("code system"))
    code = models.CharField(_("code"), max_length=20)
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="statistical_areas",
        verbose_name=_("municipality")
    )
    name = models.CharField(_("name"), max_length=200, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["code_system", "code"]
        verbose_name = _("statistical area")
        verbose_name_plural = _("statistical areas")
        constraints = [
            models.UniqueConstraint(fields=["code_system", "municipality", "code"], name="area_unique_code"),
        ]

    def __str__(self) -> str:
        return f"{self.code_system.code} {self.code}"


class District(models.Model):
    """A stadsdel: a named part of a municipality, defined as a set of statistical areas at a
    given time. Districts nest: a district committee area (stadsdelsnämndsområde) such as
    Rinkeby-Kista contains the districts Rinkeby, Husby, Akalla and Kista."""

    class Kind(models.TextChoices):
        DISTRICT = "district", _("district")
        COMMITTEE_AREA = "committee_area", _("district committee area")

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="districts",
                                     verbose_name=_("municipality"))
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.DISTRICT)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children",
        verbose_name=_("part of")
    )
    aliases = models.JSONField(
        _("aliases"), default=list, blank=True,
        help_text=_("Other spellings, e.g. the original spelling in a source document."),
    )
    code_system = models.ForeignKey(
        CodeSystem, on_delete=models.PROTECT, null=True, blank=True, related_name="districts",
        verbose_name=_("code system"), help_text=_("The code system the district's definition is stated in."),
    )
    description = models.TextField(_("description"), blank=True)
    areas = models.ManyToManyField(StatisticalArea, through="DistrictArea", related_name="districts", blank=True,
                                   verbose_name=_("statistical areas"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["municipality__name", "name"]
        verbose_name = _("district")
        verbose_name_plural = _("districts")
        constraints = [
            models.UniqueConstraint(fields=["municipality", "kind", "name"], name="district_unique_name"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.municipality.name})"

    def get_absolute_url(self) -> str:
        return reverse("areas:district_detail", args=[self.pk])


class DistrictArea(models.Model):
    """Membership of a statistical area in a district for a validity period (open ends mean
    'as long as the code system is valid'), with the source that states it."""

    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="memberships",
                                 verbose_name=_("district"))
    area = models.ForeignKey(StatisticalArea, on_delete=models.PROTECT, related_name="memberships",
                             verbose_name=_("statistical area"))
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["district", "area__code"]
        verbose_name = _("district area")
        verbose_name_plural = _("district areas")
        constraints = [
            models.UniqueConstraint(fields=["district", "area"], name="district_area_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.district.name}: {self.area.code}"


class Crosswalk(models.Model):
    """A key from one code system to another (e.g. DeSO 2018 → SAMS), loaded from a
    `from_code,to_code,weight` file. A weight is the share of the from-area's counts that falls in
    the to-area, so a district defined in SAMS keeps an unbroken series after 2018."""

    from_system = models.ForeignKey(CodeSystem, on_delete=models.PROTECT, related_name="crosswalks_from",
                                    verbose_name=_("from code system"))
    to_system = models.ForeignKey(CodeSystem, on_delete=models.PROTECT, related_name="crosswalks_to",
                                  verbose_name=_("to code system"))
    name = models.CharField(_("name"), max_length=200)
    source_file = models.CharField(_("source file"), max_length=300, blank=True)
    file_sha256 = models.CharField(_("SHA-256 of the file"), max_length=64, blank=True)
    loaded_at = models.DateTimeField(_("loaded at"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["from_system", "to_system"]
        verbose_name = _("crosswalk")
        verbose_name_plural = _("crosswalks")
        constraints = [
            models.UniqueConstraint(fields=["from_system", "to_system"], name="crosswalk_unique_systems"),
        ]

    def __str__(self) -> str:
        return f"{self.from_system.code} → {self.to_system.code}"


class CrosswalkLink(models.Model):
    """One row of a crosswalk: this share (weight) of the from-area's counts belongs to the to-area."""

    crosswalk = models.ForeignKey(Crosswalk, on_delete=models.CASCADE, related_name="links")
    from_area = models.ForeignKey(StatisticalArea, on_delete=models.PROTECT, related_name="crosswalk_from")
    to_area = models.ForeignKey(StatisticalArea, on_delete=models.PROTECT, related_name="crosswalk_to")
    weight = models.FloatField(_("weight"))

    class Meta:
        ordering = ["crosswalk", "from_area__code", "to_area__code"]
        verbose_name = _("crosswalk link")
        verbose_name_plural = _("crosswalk links")
        constraints = [
            models.UniqueConstraint(fields=["crosswalk", "from_area", "to_area"], name="crosswalk_link_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.from_area.code} → {self.to_area.code} ({self.weight})"


class Outline(models.Model):
    """What every outline on a map has: the shape as GeoJSON (Polygon or MultiPolygon, WGS84
    longitude/latitude) and the file it was loaded from. Abstract: the areas', municipalities' and
    counties' outlines each have a table of their own."""

    geometry = models.JSONField(_("geometry"), help_text=_("GeoJSON Polygon or MultiPolygon, WGS84 longitude/latitude."))
    source = models.CharField(_("source file"), max_length=300)
    file_sha256 = models.CharField(_("SHA-256 of the file"), max_length=64)
    loaded_at = models.DateTimeField(_("loaded at"), auto_now=True)

    class Meta:
        abstract = True


class AreaBoundary(Outline):
    """Where a statistical area lies: its boundary as a GeoJSON Polygon or MultiPolygon in WGS84
    longitude/latitude, as loaded from a boundary file (SCB's DeSO or SAMS maps, or the demo's
    synthetic ones). Drawn as the areas of a choropleth map; the file and its SHA-256 say where
    the shape came from.

    No simple-history here, unlike the registry around it: a geometry is large (thousands of
    positions) and is only ever replaced whole by a newer file, so a history row per load would
    copy the whole map each time while the file name and checksum already identify the version.
    """

    area = models.OneToOneField(
        StatisticalArea, on_delete=models.CASCADE, related_name="boundary",
        verbose_name=_("statistical area"),
    )

    class Meta:
        ordering = ["area__code_system", "area__code"]
        verbose_name = _("area boundary")
        verbose_name_plural = _("area boundaries")

    def __str__(self) -> str:
        return str(self.area)


class MunicipalityBoundary(Outline):
    """Where a municipality lies: its outline as a GeoJSON Polygon or MultiPolygon in WGS84
    longitude/latitude. Drawn as the map of Sweden in the national report and as the frame a
    district's areas are drawn in. The product ships a simplified outline of all 290
    municipalities (`areas/data/`), fit for overview maps, not for measuring areas.

    No simple-history, for the reason given on AreaBoundary: a newer file replaces a shape whole,
    and its name and checksum identify the version."""

    municipality = models.OneToOneField(
        Municipality, on_delete=models.CASCADE, related_name="boundary", verbose_name=_("municipality"),
    )

    class Meta:
        ordering = ["municipality__code"]
        verbose_name = _("municipality boundary")
        verbose_name_plural = _("municipality boundaries")

    def __str__(self) -> str:
        return str(self.municipality)


class CountyBoundary(Outline):
    """Where a county lies: its outline as a GeoJSON Polygon or MultiPolygon in WGS84
    longitude/latitude, loaded like a municipality's (`stadsdel boundaries load --code-system
    Län`). No simple-history, as for the other boundaries."""

    county = models.OneToOneField(County, on_delete=models.CASCADE, related_name="boundary",
                                  verbose_name=_("county"))

    class Meta:
        ordering = ["county__code"]
        verbose_name = _("county boundary")
        verbose_name_plural = _("county boundaries")

    def __str__(self) -> str:
        return str(self.county)
