"""The unit's hospital sites: reference data that staff with SITE_EDIT keep up to date,
including what each site's public page says."""

from django.db import models

from collis.core.models import Organisation, default_organisation_pk


class SiteQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class Site(models.Model):
    code = models.SlugField(max_length=40, unique=True,
                            help_text="A short fixed name used in data exchange.")
    name = models.CharField(max_length=120, unique=True)
    address = models.TextField(help_text="One line per row, without the postcode.")
    postcode = models.CharField(max_length=10)
    phone = models.CharField(max_length=30, blank=True)
    # What the site's public page says, set by staff with SITE_EDIT (Markdown).
    getting_there = models.TextField("How to get there", blank=True,
                                     help_text="Public transport, parking, entrances.")
    accessibility = models.TextField("Accessibility", blank=True,
                                     help_text="Step-free access, lifts, hearing loops, "
                                               "help on arrival.")
    services = models.TextField("What the unit does there", blank=True,
                                help_text="Clinics, injections, tests, surgery.")
    updated_at = models.DateTimeField(null=True, blank=True, editable=False)
    is_active = models.BooleanField(default=True,
                                    help_text="Untick when the unit stops using the site.")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT,
                                     default=default_organisation_pk, related_name="sites")

    objects = SiteQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def address_lines(self) -> list[str]:
        return [line.strip() for line in self.address.splitlines() if line.strip()]


# The unit's six London sites (also loaded by migration sites 0002).
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
