"""Clinical records name who entered them and when as created_by / created_at (the
ClinicalRecord base, ADR 0009)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("investigations", "0001_initial")]
    operations = [
        migrations.RenameField("investigation", "recorded_by", "created_by"),
        migrations.RenameField("investigation", "recorded_at", "created_at"),
    ]
