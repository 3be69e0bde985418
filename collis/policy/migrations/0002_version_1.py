"""Version 1 of the local policy: the defaults as they stood when policy versions began
(the cooling-off period and the review window from their settings, if set), not yet
signed off."""

from django.db import migrations

from collis.policy.models import version_1_create


def seed(apps, schema_editor):
    version_1_create(apps.get_model("policy", "PolicyVersion"))


class Migration(migrations.Migration):
    dependencies = [("policy", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
