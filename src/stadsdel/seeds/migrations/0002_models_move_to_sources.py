"""The seed app's models move to the sources app (sources/0001); their tables stay. State only."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('seeds', '0001_initial'),
        ('sources', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name='HistoricalSourceIssue'),
                migrations.DeleteModel(name='SourceIssue'),
                migrations.DeleteModel(name='HistoricalSourceDocument'),
                migrations.DeleteModel(name='SourceDocument'),
            ],
            database_operations=[],
        ),
    ]
