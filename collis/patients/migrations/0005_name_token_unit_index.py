"""The name tokens' unit required, and the (unit, token) index that search is answered
from (after 0004 filled them: PostgreSQL alters a table only once its new rows are
committed)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("patients", "0004_name_token_unit"),
    ]

    operations = [
        migrations.AlterField(
            model_name="patientnametoken", name="organisation",
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE,
                                    related_name="+", to="core.organisation")),
        migrations.AlterField(
            model_name="patientnametoken", name="patient",
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE,
                                    related_name="+", to="patients.patient")),
        migrations.AddConstraint(
            model_name="patientnametoken",
            constraint=models.UniqueConstraint(fields=("patient", "token"),
                                               name="patient_name_token_unique")),
        migrations.AddIndex(
            model_name="patientnametoken",
            index=models.Index(fields=["organisation", "token", "sort_key", "patient"],
                               name="patient_name_token_unit")),
    ]
