"""The audit log for ten million entries and more.

- `AuditEventPatient`: who each entry concerns, one narrow row per patient; a search page is
  one entry and a row per patient it showed. Filled here from the entries so far.
- Indexes that match the log's filters, each ending in (at, id) for keyset pages; the
  patient and actor indexes go (patients are found through `AuditEventPatient`).
- On PostgreSQL both tables become partitioned by month of `at` (declarative
  partitioning), with the append-only triggers on every partition, a partition for each
  month from the oldest entry to a year ahead, and a default partition so that no entry can
  ever fail to be written. `collis audit partitions` adds months ahead; `collis audit
  archive` exports and detaches months past the retention period (README, "The audit log").
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from collis.core.audit_partitions import partitioned_forward

LINKS_FROM_EVENTS = """
INSERT INTO core_auditeventpatient (patient_id, at, event_id)
SELECT patient_id, at, id FROM core_auditevent WHERE patient_id IS NOT NULL
"""
# SQLite rebuilt core_auditevent for the index changes above, which drops its triggers:
# the append-only one of migration 0002 is made again.
SQLITE_TRIGGERS = [
    """CREATE TRIGGER IF NOT EXISTS core_auditevent_no_update BEFORE UPDATE ON core_auditevent
    BEGIN SELECT RAISE(ABORT, 'The audit log is append-only: UPDATE is not allowed'); END""",
    """CREATE TRIGGER core_auditeventpatient_no_update BEFORE UPDATE ON core_auditeventpatient
    BEGIN SELECT RAISE(ABORT, 'The audit log is append-only: UPDATE is not allowed'); END""",
    # Every entry about one patient is in that patient's index, however it was written.
    """CREATE TRIGGER core_auditevent_patient_link AFTER INSERT ON core_auditevent
    WHEN NEW.patient_id IS NOT NULL BEGIN
      INSERT INTO core_auditeventpatient (patient_id, at, event_id)
      VALUES (NEW.patient_id, NEW.at, NEW.id);
    END""",
]


def forward(apps, schema_editor):
    schema_editor.execute(LINKS_FROM_EVENTS)
    if schema_editor.connection.vendor == "postgresql":
        partitioned_forward(schema_editor)
    elif schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_TRIGGERS:
            schema_editor.execute(statement)


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0006_audit_truncate_guard"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="AuditEventPatient",
            fields=[
                ("pk", models.CompositePrimaryKey("patient_id", "at", "event", blank=True,
                                                  editable=False, primary_key=True,
                                                  serialize=False)),
                ("patient_id", models.UUIDField()),
                ("at", models.DateTimeField()),
                ("event", models.ForeignKey(
                    db_constraint=False, db_index=False,
                    on_delete=django.db.models.deletion.DO_NOTHING, related_name="+",
                    to="core.auditevent")),
            ],
        ),
        migrations.RemoveIndex(model_name="auditevent", name="audit_patient_at"),
        migrations.RemoveIndex(model_name="auditevent", name="audit_actor_at"),
        migrations.AlterField(model_name="auditevent", name="at",
                              field=models.DateTimeField()),
        migrations.AlterField(
            model_name="auditevent", name="actor",
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True,
                                    on_delete=django.db.models.deletion.DO_NOTHING,
                                    related_name="+", to=settings.AUTH_USER_MODEL)),
        migrations.AddIndex(model_name="auditevent",
                            index=models.Index(fields=["at", "id"], name="audit_at_id")),
        migrations.AddIndex(model_name="auditevent",
                            index=models.Index(fields=["actor_username", "at", "id"],
                                               name="audit_username_at")),
        migrations.AddIndex(model_name="auditevent",
                            index=models.Index(fields=["action", "at", "id"],
                                               name="audit_action_at")),
        migrations.RunPython(forward, migrations.RunPython.noop),
    ]
