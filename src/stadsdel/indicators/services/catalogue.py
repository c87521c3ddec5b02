"""The indicator catalogue and the exclusion rules, loaded from the seed file."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from stadsdel.indicators.models import ExclusionRule, Indicator
from stadsdel.lib import microdata as micro


def catalogue_sync(data: dict[str, Any], *, sync: Callable) -> None:
    """Load the indicator catalogue and the exclusion rules from the seed file's data.

    `sync(model, lookup, values)` is the seed loader's create-or-update helper, so a reload
    writes nothing. A rule version's parameters never change once written: a different rule is
    a new version.
    """
    for position, entry in enumerate(data["indicators"]):
        if "value_min" not in entry or "value_max" not in entry:
            # Every figure imported is checked against it, so it is stated, never assumed.
            raise ValueError(
                f"indicators.json: {entry['code']} lacks its valid range (value_min, value_max; null for none)"
            )
        values = {k: v for k, v in entry.items() if k != "code"}
        values["position"] = position
        values.setdefault("catalogue_note", "")
        sync(Indicator, {"code": entry["code"]}, values)
    for entry in data["rules"]:
        lookup = {"target": entry["target"], "name": entry["name"], "version": entry["version"]}
        existing = ExclusionRule.objects.filter(**lookup).first()
        if existing is not None and existing.parameters != entry["parameters"]:
            raise ValueError(
                f"indicators.json: rule {entry['name']} v{entry['version']} already exists with other "
                "parameters; a changed rule must be a new version"
            )
        if entry["target"] == ExclusionRule.Target.INDIVIDUAL:
            micro.IndividualRule.from_parameters(entry["parameters"])
        sync(ExclusionRule, lookup, {
            "parameters": entry["parameters"], "description": entry.get("description", ""),
            "active": entry.get("active", False),
        })


def rule_active(target: str) -> ExclusionRule:
    rule = ExclusionRule.objects.filter(target=target, active=True).order_by("-version").first()
    if rule is None:
        raise ValueError(f"no active {target} exclusion rule; load the seeds (stadsdel seeds load)")
    return rule
