"""Clinical records name who entered them and when as created_by / created_at (the
ClinicalRecord base, ADR 0009)."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

from collis.core.migration_operations import authors_required


def sessions_scheduled_by_the_programme(apps, schema_editor):
    """A session row was made when its programme was started: by the programme's author."""
    PhysioSession = apps.get_model("outcomes", "PhysioSession")
    for session in PhysioSession.objects.select_related("programme"):
        session.created_by_id = session.programme.created_by_id
        session.created_at = session.programme.created_at
        session.save(update_fields=["created_by", "created_at"])


class Migration(migrations.Migration):
    dependencies = [("outcomes", "0001_initial"),
                    migrations.swappable_dependency(settings.AUTH_USER_MODEL)]
    operations = [
        authors_required("outcomes", "operation", "physioprogramme", "followupreview",
                         "complication", "furthersurgery"),
        migrations.RenameField("operation", "recorded_by", "created_by"),
        migrations.RenameField("operation", "recorded_at", "created_at"),
        migrations.RenameField("physioprogramme", "recorded_by", "created_by"),
        migrations.RenameField("physioprogramme", "recorded_at", "created_at"),
        migrations.RenameField("followupreview", "recorded_by", "created_by"),
        migrations.RenameField("followupreview", "recorded_at", "created_at"),
        migrations.RenameField("complication", "recorded_by", "created_by"),
        migrations.RenameField("complication", "recorded_at", "created_at"),
        migrations.RenameField("furthersurgery", "recorded_by", "created_by"),
        migrations.RenameField("furthersurgery", "recorded_at", "created_at"),
        migrations.RenameField("physiosession", "recorded_by", "attendance_recorded_by"),
        migrations.RenameField("physiosession", "recorded_at", "attendance_recorded_at"),
        migrations.AddField("physiosession", "created_by", models.ForeignKey(
            null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+",
            to=settings.AUTH_USER_MODEL)),
        migrations.AddField("physiosession", "created_at", models.DateTimeField(
            default=django.utils.timezone.now, editable=False)),
        migrations.RunPython(sessions_scheduled_by_the_programme, migrations.RunPython.noop),
    ]
