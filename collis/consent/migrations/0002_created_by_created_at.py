"""Clinical records name who entered them and when as created_by / created_at (the
ClinicalRecord base, ADR 0009)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("consent", "0001_initial")]
    operations = [
        migrations.RenameField("counsellingsession", "recorded_by", "created_by"),
        migrations.RenameField("counsellingsession", "recorded_at", "created_at"),
        migrations.RenameField("consent", "recorded_by", "created_by"),
        migrations.RenameField("consent", "recorded_at", "created_at"),
    ]
