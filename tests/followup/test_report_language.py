"""A report's generated words are in the language it is built in (the reader's, or the site's
default when the worker prepares it): the deadlines, the note on goals, the goal areas."""

from __future__ import annotations

import datetime as dt

from django.utils import translation

from stadsdel.areas.models import Municipality
from stadsdel.followup.content import followup_content, national_content

TODAY = dt.date(2012, 6, 1)


def test_the_national_report_says_its_deadlines_and_notes_in_the_readers_language(db):
    with translation.override("en"):
        english = national_content(year=2011, public=True, today=TODAY)
    with translation.override("sv"):
        swedish = national_content(year=2011, public=True, today=TODAY)
    subjects = {d.kind: d.subject for d in english.due}
    assert subjects["report"] == "Follow-up report 2011"
    assert subjects["plan"].startswith("Strategic district plan 2011: ")
    assert {d.kind: d.subject for d in swedish.due}["report"] == "Uppföljning 2011"
    # The seed registry has no plans, so the note on goals is there, in each language.
    assert english.notes == ["No goals in the plans that the year's report includes."]
    assert swedish.notes == ["Inga mål i planer som ingår i redovisningen för året."]


def test_a_follow_up_names_its_goal_areas_in_the_readers_language(db):
    haninge = Municipality.objects.get(code="0136")
    with translation.override("en"):
        english = followup_content(municipality=haninge, year=2011, public=True, today=TODAY)
    with translation.override("sv"):
        swedish = followup_content(municipality=haninge, year=2011, public=True, today=TODAY)
    assert english.districts, "Haninge has a district under an agreement in 2011 (Jordbro)"
    assert {name for name, _series in english.districts[0].goal_areas} == {"Work", "Education", "Safety", "Growth"}
    assert {name for name, _series in swedish.districts[0].goal_areas} == {"Arbete", "Utbildning", "Trygghet", "Tillväxt"}
