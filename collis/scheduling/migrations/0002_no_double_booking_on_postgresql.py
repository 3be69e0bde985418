"""No double booking on PostgreSQL: btree_gist and the exclusion constraints of
collis.scheduling.models.POSTGRES_CONSTRAINTS (rooms, clinicians and patients never in two
overlapping bookings). SQLite skips both; the services check there (ADR 0016)."""

from django.contrib.postgres.operations import BtreeGistExtension
from django.db import migrations


def _each(apps, schema_editor):
    from collis.scheduling.models import POSTGRES_CONSTRAINTS

    for model_name, constraint in POSTGRES_CONSTRAINTS:
        yield apps.get_model("scheduling", model_name), constraint


def add(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for model, constraint in _each(apps, schema_editor):
        schema_editor.add_constraint(model, constraint)


def remove(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for model, constraint in _each(apps, schema_editor):
        schema_editor.remove_constraint(model, constraint)


class Migration(migrations.Migration):
    dependencies = [("scheduling", "0001_initial")]

    operations = [
        BtreeGistExtension(),
        migrations.RunPython(add, remove),
    ]
