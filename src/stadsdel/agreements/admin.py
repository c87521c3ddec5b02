from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from stadsdel.agreements.models import (
    Agreement,
    AgreementSection,
    Commission,
    Commitment,
    CooperationAgreement,
    CooperationRevision,
    Organisation,
    Partnership,
    PartnershipMember,
    Signatory,
)
from stadsdel.sources.admin import SourceIssueInline


@admin.register(Organisation)
class OrganisationAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "parent", "municipality", "key"]
    list_filter = ["kind"]
    search_fields = ["name", "key"]
    list_select_related = ["parent", "municipality"]


class SectionInline(admin.StackedInline):
    model = AgreementSection
    extra = 0


class SignatoryInline(admin.TabularInline):
    model = Signatory
    extra = 0
    fields = ["name", "title", "organisation", "signed_on", "place", "position"]


@admin.register(Agreement)
class AgreementAdmin(SimpleHistoryAdmin):
    list_display = ["municipality", "period_start", "period_end", "status", "districts_stated"]
    list_filter = ["status", "period_start"]
    filter_horizontal = ["districts"]
    inlines = [SectionInline, SignatoryInline, SourceIssueInline]


@admin.register(Commission)
class CommissionAdmin(SimpleHistoryAdmin):
    list_display = ["title", "decided_year", "period_end", "coordinator"]
    filter_horizontal = ["recipients"]
    inlines = [SignatoryInline]


class MemberInline(admin.TabularInline):
    model = PartnershipMember
    extra = 0


@admin.register(Partnership)
class PartnershipAdmin(SimpleHistoryAdmin):
    list_display = ["name", "municipality", "formed_on", "published"]
    list_filter = ["published", "municipality"]
    filter_horizontal = ["districts"]
    inlines = [MemberInline]


class CommitmentInline(admin.TabularInline):
    model = Commitment
    extra = 0


class RevisionInline(admin.TabularInline):
    model = CooperationRevision
    extra = 0


@admin.register(CooperationAgreement)
class CooperationAgreementAdmin(SimpleHistoryAdmin):
    list_display = ["title", "municipality", "partner", "signed_on", "published"]
    list_filter = ["published", "municipality"]
    filter_horizontal = ["districts"]
    inlines = [CommitmentInline, SignatoryInline, RevisionInline]
