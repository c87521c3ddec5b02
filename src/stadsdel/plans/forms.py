"""Forms of the plan pages. They carry only what the services accept and are never saved with
`form.save()`: the view hands the cleaned values to `plans.services`, which checks scope and
version."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from stadsdel.agreements.models import Organisation
from stadsdel.areas.models import District
from stadsdel.indicators.models import Indicator
from stadsdel.plans.models import DistrictPlan, PlanComment, ResidentDialogue
from stadsdel.plans.selectors import dialogue_goal_choices, dialogue_organiser_choices
from stadsdel.ui.templatetags.stadsdel import in_language
from stadsdel.ui.widgets import DateInput


def _responsible_choices(municipality_id: int):
    # The municipality's own bodies and the partners a plan names most: state agencies and regions.
    return Organisation.objects.filter(
        Q(municipality_id=municipality_id)
        | Q(kind__in=[Organisation.Kind.STATE_AGENCY, Organisation.Kind.REGION]),
    ).order_by("name")


class PlanCreateForm(forms.Form):
    district = forms.ModelChoiceField(label=_("District"), queryset=District.objects.none())
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    period_end = forms.IntegerField(
        label=_("Plan period ends"), min_value=2000, max_value=2100,
        help_text=_("The last year the goals may aim for: the agreement's period."),
    )

    def __init__(self, *args, municipality_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = District.objects.filter(
            municipality_id__in=municipality_ids, kind=District.Kind.DISTRICT,
        ).select_related("municipality").order_by("municipality__name", "name")


class GoalForm(forms.Form):
    goal_area = forms.ModelChoiceField(label=_("Goal area"), queryset=None)
    number = forms.CharField(label=_("Number"), max_length=20, help_text=_("E.g. 1.1"))
    title = forms.CharField(label=_("Title"), max_length=300, required=False)
    text = forms.CharField(label=_("Goal"), widget=forms.Textarea(attrs={"rows": 3}))
    scope_districts = forms.ModelMultipleChoiceField(
        label=_("For the districts"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple,
    )
    population_group = forms.CharField(label=_("Or for the population group"), max_length=300, required=False)
    indicator = forms.ModelChoiceField(label=_("Indicator"), queryset=Indicator.objects.all(), required=False)
    baseline_value = forms.FloatField(label=_("Baseline value"), required=False)
    baseline_year = forms.IntegerField(label=_("Baseline year"), required=False, min_value=1990, max_value=2100)
    target_value = forms.FloatField(label=_("Target value"), required=False)
    target_year = forms.IntegerField(label=_("Target year"), required=False, min_value=1990, max_value=2100)
    main_responsible = forms.ModelChoiceField(label=_("Main responsible"), queryset=None, required=False)
    co_responsible = forms.ModelMultipleChoiceField(
        label=_("Also responsible"), queryset=None, required=False, widget=forms.SelectMultiple(attrs={"size": 5}),
    )
    accepted_by = forms.CharField(label=_("Accepted by"), max_length=300, required=False,
                                  help_text=_("The body that decided the goal, e.g. kommunstyrelsen."))
    accepted_on = forms.DateField(label=_("Accepted on"), required=False, widget=DateInput())
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, plan: DistrictPlan, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = plan
        municipality_id = plan.district.municipality_id
        self.fields["goal_area"].queryset = plan.programme.goal_areas.all()
        self.fields["goal_area"].label_from_instance = in_language
        self.fields["scope_districts"].queryset = District.objects.filter(
            municipality_id=municipality_id, kind=District.Kind.DISTRICT,
        ).order_by("name")
        self.fields["main_responsible"].queryset = _responsible_choices(municipality_id)
        self.fields["co_responsible"].queryset = _responsible_choices(municipality_id)
        # Every value field says its unit: the indicator's choices name it, and once an
        # indicator is chosen the baseline and target fields do too.
        self.fields["indicator"].label_from_instance = lambda i: f"{in_language(i)} ({i.get_unit_display()})"
        chosen = self.data.get("indicator") if self.is_bound else self.initial.get("indicator")
        indicator = chosen if isinstance(chosen, Indicator) else Indicator.objects.filter(
            pk=chosen).first() if str(chosen or "").isdigit() else None
        if indicator is not None:
            unit = _("In %(unit)s, as the indicator is measured.") % {"unit": indicator.get_unit_display()}
            self.fields["baseline_value"].help_text = unit
            self.fields["target_value"].help_text = unit

    @staticmethod
    def initial_for(goal) -> dict:
        responsible = [r.organisation for r in goal.responsibilities.all()]
        return {
            "goal_area": goal.goal_area, "number": goal.number, "title": goal.title, "text": goal.text,
            "scope_districts": list(goal.scope_districts.all()), "population_group": goal.population_group,
            "indicator": next(iter(goal.indicators.all()), None), "baseline_value": goal.baseline_value,
            "baseline_year": goal.baseline_year, "target_value": goal.target_value, "target_year": goal.target_year,
            "main_responsible": responsible[0] if responsible else None, "co_responsible": responsible[1:],
            "accepted_by": goal.accepted_by, "accepted_on": goal.accepted_on, "version": goal.version,
        }

    def responsible(self) -> list[Organisation]:
        main = self.cleaned_data.get("main_responsible")
        others = [o for o in self.cleaned_data.get("co_responsible") or [] if o != main]
        return ([main] if main else []) + others

    def service_fields(self) -> dict:
        d = self.cleaned_data
        return {name: d[name] if d[name] is not None else ("" if name in ("title", "population_group", "accepted_by")
                                                            else None)
                for name in ("goal_area", "number", "title", "text", "population_group", "baseline_value",
                             "baseline_year", "target_value", "target_year", "accepted_by", "accepted_on")}


class ReviseForm(forms.Form):
    year = forms.IntegerField(label=_("New year"), min_value=2000, max_value=2100)


# -- residents' participation ---------------------------------------------------------------------


def _goal_label(goal) -> str:
    owner = f"{goal.plan.district.name} {goal.plan.year}" if goal.plan_id else goal.programme.name
    return f"{owner} · {goal.number} {goal.title or goal.text[:80]}"


class ResidentDialogueForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300, help_text=_("E.g. “Boendedialog om tryggheten kring torget”."))
    held_on = forms.DateField(label=_("Held on"), widget=DateInput())
    districts = forms.ModelMultipleChoiceField(
        label=_("Districts"), queryset=District.objects.none(), required=False, widget=forms.CheckboxSelectMultiple,
    )
    organiser = forms.ModelChoiceField(label=_("Organiser"), queryset=Organisation.objects.none(), required=False)
    organiser_text = forms.CharField(
        label=_("Organiser (as written)"), max_length=300, required=False,
        help_text=_("E.g. an organiser that is not in the registry, or several together."),
    )
    participants = forms.IntegerField(label=_("Number of participants"), min_value=0, required=False)
    participants_description = forms.CharField(
        label=_("Who took part"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Groups, not persons: e.g. “parents of pupils at the school, young people 16–20”. "
                    "Never names or other personal data."),
    )
    themes = forms.CharField(label=_("Themes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    outcome = forms.CharField(label=_("Outcome"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
                              help_text=_("What came out of the dialogue."))
    goals = forms.ModelMultipleChoiceField(
        label=_("Goals the dialogue fed"), queryset=None, required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    published = forms.BooleanField(label=_("Published (anyone may read it)"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    TEXT_FIELDS = ("organiser_text", "participants_description", "themes", "outcome")

    def __init__(self, *args, municipality_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["districts"].queryset = District.objects.filter(
            municipality_id=municipality_id, kind=District.Kind.DISTRICT,
        ).order_by("name")
        self.fields["districts"].label_from_instance = lambda district: district.name
        self.fields["organiser"].queryset = dialogue_organiser_choices(municipality_id=municipality_id)
        self.fields["goals"].queryset = dialogue_goal_choices(municipality_id=municipality_id)
        self.fields["goals"].label_from_instance = _goal_label

    @staticmethod
    def initial_for(dialogue: ResidentDialogue) -> dict:
        return {
            "title": dialogue.title, "held_on": dialogue.held_on, "districts": list(dialogue.districts.all()),
            "organiser": dialogue.organiser, "organiser_text": dialogue.organiser_text,
            "participants": dialogue.participants, "participants_description": dialogue.participants_description,
            "themes": dialogue.themes, "outcome": dialogue.outcome, "goals": list(dialogue.goals.all()),
            "published": dialogue.published, "version": dialogue.version,
        }

    def service_fields(self) -> dict:
        d = self.cleaned_data
        return {
            "title": d["title"], "held_on": d["held_on"], "organiser": d["organiser"],
            "participants": d["participants"], "published": d["published"],
            **{name: d[name] or "" for name in self.TEXT_FIELDS},
        }


class PlanCommentForm(forms.Form):
    """What anyone may send on a plan open for comments: the comment and, if they like, a name.
    Nothing else about the writer is asked. `website` is a honeypot: hidden from people (and from
    screen readers), so only a bot fills it in."""

    text = forms.CharField(label=_("Your comment"), max_length=2000, widget=forms.Textarea(attrs={"rows": 6}))
    name = forms.CharField(
        label=_("Name (optional)"), max_length=100, required=False,
        help_text=_("Shown with your comment if it is published. Leave it empty to comment anonymously."),
    )
    website = forms.CharField(label=_("Leave this field empty"), required=False,
                              widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}))

    def is_bot(self) -> bool:
        return bool(self.cleaned_data.get("website"))


class CommentModerationForm(forms.Form):
    status = forms.ChoiceField(choices=[(PlanComment.Status.APPROVED, PlanComment.Status.APPROVED.label),
                                        (PlanComment.Status.REJECTED, PlanComment.Status.REJECTED.label)])
    version = forms.IntegerField(widget=forms.HiddenInput)


class CommentAnswerForm(forms.Form):
    answer = forms.CharField(label=_("The municipality's answer"), max_length=4000, required=False,
                             widget=forms.Textarea(attrs={"rows": 3}))
    version = forms.IntegerField(widget=forms.HiddenInput)


class CommentsOpenForm(forms.Form):
    comments_open = forms.BooleanField(required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)
