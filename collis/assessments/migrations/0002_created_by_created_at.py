"""Clinical records name who entered them and when as created_by / created_at (the
ClinicalRecord base, ADR 0009)."""

from django.db import migrations

from collis.core.migration_operations import authors_required


class Migration(migrations.Migration):
    dependencies = [("assessments", "0001_initial")]
    operations = [
        authors_required("assessments", "diagnosisversion", "examination", "scaleassessment"),
        migrations.RenameField("diagnosisversion", "recorded_by", "created_by"),
        migrations.RenameField("diagnosisversion", "recorded_at", "created_at"),
        migrations.RenameField("examination", "recorded_by", "created_by"),
        migrations.RenameField("examination", "recorded_at", "created_at"),
        migrations.RenameField("scaleassessment", "recorded_by", "created_by"),
        migrations.RenameField("scaleassessment", "recorded_at", "created_at"),
    ]
