"""Load and publish the first content of the public pages (collis/public/content/), so that
they exist on a fresh install; the unit's editors change them from then on."""

from django.db import migrations
from django.utils import timezone


def load(apps, schema_editor):
    from collis.public.content import initial_pages_load

    initial_pages_load(apps.get_model("public", "InformationPage"),
                       apps.get_model("public", "PageVersion"),
                       apps.get_model("public", "PagePublication"), timezone.localdate())


class Migration(migrations.Migration):
    dependencies = [("public", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
