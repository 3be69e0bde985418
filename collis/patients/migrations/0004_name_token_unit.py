"""Name tokens carry the patient's unit and sort key, so that search is answered from the
(unit, token) index alone: the tokens are made again from the patients."""

import django.db.models.deletion
from django.db import migrations, models


def tokens_remade(apps, schema_editor):
    from collis.patients.models import name_key, name_tokens

    Patient = apps.get_model("patients", "Patient")
    PatientNameToken = apps.get_model("patients", "PatientNameToken")
    PatientNameToken.objects.all().delete()
    batch = []
    rows = Patient.objects.values_list("pk", "given_name", "family_name", "date_of_birth",
                                       "organisation_id")
    for pk, given, family, born, unit in rows.iterator(chunk_size=2000):
        key = f"{name_key(family)} {name_key(given)} {born}"
        batch += [PatientNameToken(patient_id=pk, token=token, organisation_id=unit,
                                   sort_key=key) for token in name_tokens(given, family)]
        if len(batch) >= 5000:
            PatientNameToken.objects.bulk_create(batch)
            batch = []
    PatientNameToken.objects.bulk_create(batch)


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0006_audit_truncate_guard"),
        ("patients", "0003_patient_name_tokens"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="patientnametoken",
                                    name="patient_name_token_unique"),
        migrations.AddField(
            model_name="patientnametoken", name="organisation",
            field=models.ForeignKey(db_index=False, null=True,
                                    on_delete=django.db.models.deletion.CASCADE,
                                    related_name="+", to="core.organisation")),
        migrations.AddField(model_name="patientnametoken", name="sort_key",
                            field=models.CharField(default="", max_length=212),
                            preserve_default=False),
        migrations.RunPython(tokens_remade, migrations.RunPython.noop),
        migrations.RunSQL("ANALYZE", migrations.RunSQL.noop),
    ]
