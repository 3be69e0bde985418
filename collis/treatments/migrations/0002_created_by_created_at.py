"""Clinical records name who entered them and when as created_by / created_at (the
ClinicalRecord base, ADR 0009)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("treatments", "0001_initial")]
    operations = [
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
