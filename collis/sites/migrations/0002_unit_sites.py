"""Load the unit's six London sites, which administrators may then edit."""

from django.db import migrations

UNIT_SITES = (
    ("lnp-harley-street", "London Neurosurgery Partnership", "78 Harley Street\nLondon", "W1G 7HJ"),
    ("harley-street-clinic", "The Harley Street Clinic", "35 Weymouth Street\nLondon", "W1G 8BJ"),
    ("portland-hospital", "The Portland Hospital", "205-209 Great Portland Street\nLondon",
     "W1W 5AH"),
    ("lister-hospital", "The Lister Hospital", "Chelsea Bridge Road\nLondon", "SW1W 8RH"),
    ("shard-outpatients", "The Shard Outpatients", "The Shard\n32 St Thomas Street\nLondon",
     "SE1 9BS"),
    ("london-bridge-hospital", "London Bridge Hospital", "27 Tooley Street\nLondon", "SE1 2PR"),
)


def load(apps, schema_editor):
    Site = apps.get_model("sites", "Site")
    for code, name, address, postcode in UNIT_SITES:
        Site.objects.get_or_create(code=code, defaults={"name": name, "address": address,
                                                        "postcode": postcode})


class Migration(migrations.Migration):
    dependencies = [("sites", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
