"""Reads of recorded source issues."""

from __future__ import annotations

from collections import defaultdict

from django.contrib.contenttypes.models import ContentType
from django.db import models

from stadsdel.sources.models import SourceIssue


def source_issues_for(objs: list[models.Model]) -> dict[int, list[SourceIssue]]:
    """The recorded issues of each object (one query for a whole list, not one per object)."""
    if not objs:
        return {}
    ct = ContentType.objects.get_for_model(objs[0])
    by_id: dict[int, list[SourceIssue]] = defaultdict(list)
    for issue in SourceIssue.objects.filter(content_type=ct, object_id__in=[o.pk for o in objs]).select_related("source"):
        by_id[issue.object_id].append(issue)
    return by_id
