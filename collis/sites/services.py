"""Writes of reference data about sites."""

from django.db import transaction

from collis.sites.models import UNIT_SITES, Site


@transaction.atomic
def site_load_unit_sites() -> int:
    """Create the unit's sites that do not exist yet; leave edited ones alone. Returns the
    number created (0 on a second run)."""
    created = 0
    for code, name, address, postcode in UNIT_SITES:
        _, was_created = Site.objects.get_or_create(
            code=code, defaults={"name": name, "address": address, "postcode": postcode}
        )
        created += was_created
    return created
