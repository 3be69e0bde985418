"""Clinical records name who entered them and when as created_by / created_at (the
ClinicalRecord base, ADR 0009)."""

from django.db import migrations


def no_unattributed_rows(apps, schema_editor):
    """Every clinical record names who entered it (ADR 0009): refuse to go on, with a
    message, if an old row lost its author."""
    missing = []
    for name in []:
        model = apps.get_model('treatments', name)
        if model.objects.filter(recorded_by__isnull=True).exists():
            missing.append(name)
    if missing:
        raise RuntimeError("These records have no author: " + ", ".join(missing) + ". Set "
                           "recorded_by on them (e.g. to the unit's clinical lead) and migrate "
                           "again.")


class Migration(migrations.Migration):
    dependencies = [("treatments", "0001_initial")]
    operations = [
        migrations.RunPython(no_unattributed_rows, migrations.RunPython.noop),
        migrations.RenameField("toxincycle", "recorded_by", "created_by"),
        migrations.RenameField("toxincycle", "recorded_at", "created_at"),
        migrations.RenameField("toxinreview", "recorded_by", "created_by"),
        migrations.RenameField("toxinreview", "recorded_at", "created_at"),
        migrations.RenameField("resistancetest", "recorded_by", "created_by"),
        migrations.RenameField("resistancetest", "recorded_at", "created_at"),
        migrations.RenameField("medication", "recorded_by", "created_by"),
        migrations.RenameField("medication", "recorded_at", "created_at"),
        migrations.RenameField("therapysession", "recorded_by", "created_by"),
        migrations.RenameField("therapysession", "recorded_at", "created_at"),
    ]
