"""Clinical records name who entered them and when as created_by / created_at (the
ClinicalRecord base, ADR 0009)."""

from django.db import migrations


def no_unattributed_rows(apps, schema_editor):
    """Every clinical record names who entered it (ADR 0009): refuse to go on, with a
    message, if an old row lost its author."""
    missing = []
    for name in ['diagnosisversion', 'examination', 'scaleassessment']:
        model = apps.get_model('assessments', name)
        if model.objects.filter(recorded_by__isnull=True).exists():
            missing.append(name)
    if missing:
        raise RuntimeError("These records have no author: " + ", ".join(missing) + ". Set "
                           "recorded_by on them (e.g. to the unit's clinical lead) and migrate "
                           "again.")


class Migration(migrations.Migration):
    dependencies = [("assessments", "0001_initial")]
    operations = [
        migrations.RunPython(no_unattributed_rows, migrations.RunPython.noop),
        migrations.RenameField("diagnosisversion", "recorded_by", "created_by"),
        migrations.RenameField("diagnosisversion", "recorded_at", "created_at"),
        migrations.RenameField("examination", "recorded_by", "created_by"),
        migrations.RenameField("examination", "recorded_at", "created_at"),
        migrations.RenameField("scaleassessment", "recorded_by", "created_by"),
        migrations.RenameField("scaleassessment", "recorded_at", "created_at"),
    ]
