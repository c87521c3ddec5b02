"""Kept reports and report files are valid for the data version they were computed from, not for
the code that computed them: this release words their deadlines, notes and goal areas in the
reader's language and hides the charts' axes from screen readers, so those kept by the previous
release are dropped. They are computed again on the next view (or by the worker)."""

from django.db import migrations


def forget(apps, schema_editor):
    apps.get_model("followup", "PrecomputedReport").objects.all().delete()
    apps.get_model("followup", "ReportFile").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("followup", "0005_field_labels")]

    operations = [migrations.RunPython(forget, migrations.RunPython.noop)]
