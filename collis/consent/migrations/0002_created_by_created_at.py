"""Clinical records name who entered them and when as created_by / created_at (the
ClinicalRecord base, ADR 0009)."""

from django.db import migrations


def no_unattributed_rows(apps, schema_editor):
    """Every clinical record names who entered it (ADR 0009): refuse to go on, with a
    message, if an old row lost its author."""
    missing = []
    for name in []:
        model = apps.get_model('consent', name)
        if model.objects.filter(recorded_by__isnull=True).exists():
            missing.append(name)
    if missing:
        raise RuntimeError("These records have no author: " + ", ".join(missing) + ". Set "
                           "recorded_by on them (e.g. to the unit's clinical lead) and migrate "
                           "again.")


class Migration(migrations.Migration):
    dependencies = [("consent", "0001_initial")]
    operations = [
        migrations.RunPython(no_unattributed_rows, migrations.RunPython.noop),
        migrations.RenameField("counsellingsession", "recorded_by", "created_by"),
        migrations.RenameField("counsellingsession", "recorded_at", "created_at"),
        migrations.RenameField("consent", "recorded_by", "created_by"),
        migrations.RenameField("consent", "recorded_at", "created_at"),
    ]
