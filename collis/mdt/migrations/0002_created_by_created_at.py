"""Clinical records name who entered them and when as created_by / created_at (the
ClinicalRecord base, ADR 0009)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("mdt", "0001_initial")]
    operations = [
        migrations.RenameField("mdtmeeting", "recorded_by", "created_by"),
        migrations.RenameField("mdtmeeting", "recorded_at", "created_at"),
        migrations.RenameField("mdtagendaitem", "recorded_by", "created_by"),
        migrations.RenameField("mdtagendaitem", "recorded_at", "created_at"),
        migrations.RenameField("mdtdecision", "recorded_by", "created_by"),
        migrations.RenameField("mdtdecision", "recorded_at", "created_at"),
        migrations.RenameField("fundingrequest", "recorded_by", "created_by"),
        migrations.RenameField("fundingrequest", "recorded_at", "created_at"),
    ]
