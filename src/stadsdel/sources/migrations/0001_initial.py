"""Source documents and source issues move from the seed app to their own app. State only: the
tables (seeds_sourcedocument, seeds_sourceissue and their histories) stay as they are, with
their rows, and the models name them in Meta.db_table. seeds/0002 drops the models from the
seed app's state in the same step."""

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ('seeds', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='SourceDocument',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('key', models.CharField(max_length=20, unique=True, verbose_name='key')),
                        ('file', models.CharField(max_length=200, verbose_name='file')),
                        ('title', models.CharField(max_length=300, verbose_name='title')),
                        ('issued', models.CharField(blank=True, max_length=10, verbose_name='issued')),
                        ('publisher', models.CharField(blank=True, max_length=200, verbose_name='publisher')),
                    ],
                    options={
                        'db_table': 'seeds_sourcedocument',
                        'verbose_name': 'source document',
                        'verbose_name_plural': 'source documents',
                        'ordering': ['key'],
                    },
                ),
                migrations.CreateModel(
                    name='HistoricalSourceDocument',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('key', models.CharField(db_index=True, max_length=20, verbose_name='key')),
                        ('file', models.CharField(max_length=200, verbose_name='file')),
                        ('title', models.CharField(max_length=300, verbose_name='title')),
                        ('issued', models.CharField(blank=True, max_length=10, verbose_name='issued')),
                        ('publisher', models.CharField(blank=True, max_length=200, verbose_name='publisher')),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'seeds_historicalsourcedocument',
                        'verbose_name': 'historical source document',
                        'verbose_name_plural': 'historical source documents',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name='HistoricalSourceIssue',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('object_id', models.PositiveBigIntegerField()),
                        ('severity', models.CharField(choices=[('error', 'error'), ('note', 'note')], max_length=10, verbose_name='severity')),
                        ('code', models.CharField(help_text='Machine-readable kind, e.g. sams_notation or code_system.', max_length=50, verbose_name='code')),
                        ('fragment', models.CharField(blank=True, help_text='The text in the source.', max_length=300, verbose_name='fragment')),
                        ('message', models.TextField(verbose_name='message')),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('content_type', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='contenttypes.contenttype')),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('source', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='sources.sourcedocument', verbose_name='source')),
                    ],
                    options={
                        'db_table': 'seeds_historicalsourceissue',
                        'verbose_name': 'historical source issue',
                        'verbose_name_plural': 'historical source issues',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name='SourceIssue',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('object_id', models.PositiveBigIntegerField()),
                        ('severity', models.CharField(choices=[('error', 'error'), ('note', 'note')], max_length=10, verbose_name='severity')),
                        ('code', models.CharField(help_text='Machine-readable kind, e.g. sams_notation or code_system.', max_length=50, verbose_name='code')),
                        ('fragment', models.CharField(blank=True, help_text='The text in the source.', max_length=300, verbose_name='fragment')),
                        ('message', models.TextField(verbose_name='message')),
                        ('content_type', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to='contenttypes.contenttype')),
                        ('source', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='issues', to='sources.sourcedocument', verbose_name='source')),
                    ],
                    options={
                        'db_table': 'seeds_sourceissue',
                        'verbose_name': 'source issue',
                        'verbose_name_plural': 'source issues',
                        'ordering': ['content_type', 'object_id', 'severity', 'code'],
                        'indexes': [models.Index(fields=['content_type', 'object_id'], name='seeds_sourc_content_e6569d_idx')],
                        'constraints': [models.UniqueConstraint(fields=('content_type', 'object_id', 'code', 'fragment'), name='source_issue_unique')],
                    },
                ),

            ],
            database_operations=[],
        ),
    ]
