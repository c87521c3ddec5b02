"""The demo banner's context: whether the database holds the demo's synthetic data.

Asked on every page, so the answer is kept per process and database (one query, the first time),
and a marker saved or deleted in this process updates it at once. A server started before a demo
was built into its database in another process shows the banner after a restart."""

from __future__ import annotations

from django.conf import settings
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from stadsdel.demo.models import DemoDataset

_known: dict[str, bool] = {}


def _database() -> str:
    return str(settings.DATABASES["default"]["NAME"])


def demo_data_present() -> bool:
    key = _database()
    if key not in _known:
        _known[key] = DemoDataset.objects.exists()
    return _known[key]


def demo_data_forget(*, present: bool | None = None) -> None:
    """Forget (or set) what is known of this database; for tests, whose transactions roll back
    a marker without a signal."""
    if present is None:
        _known.pop(_database(), None)
    else:
        _known[_database()] = present


@receiver([post_save, post_delete], sender=DemoDataset)
def _marker_changed(**_kwargs) -> None:
    demo_data_forget()


def demo(request) -> dict:
    return {"demo_data": demo_data_present()}
