"""The recall's copy of each patient's last valid toxin cycle date (ADR 0017), filled from
the cycles already recorded."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('patients', '0005_name_token_unit_index'),
        ('treatments', '0005_toxin_cycle_batch_expiry'),
    ]

    operations = [
        migrations.CreateModel(
            name='ToxinLastCycle',
            fields=[
                ('patient', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='+', serialize=False, to='patients.patient')),
                ('last_given_on', models.DateField()),
            ],
            options={
                'indexes': [models.Index(fields=['last_given_on', 'patient'], name='toxin_last_cycle_date')],
            },
        ),
        migrations.RunSQL(
            "INSERT INTO treatments_toxinlastcycle (patient_id, last_given_on) "
            "SELECT patient_id, MAX(given_on) FROM treatments_toxincycle "
            "WHERE record_status = 'current' GROUP BY patient_id",
            reverse_sql=migrations.RunSQL.noop),
    ]
