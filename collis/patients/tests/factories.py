import datetime

import factory

from collis.demo_data import synthetic_nhs_number
from collis.patients.models import Patient, Sex
from collis.sites.models import Site


def _nhs_number(n: int) -> str:
    stem = 940_000_000 + n * 2
    return synthetic_nhs_number(stem) or synthetic_nhs_number(stem + 1)


class PatientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patient

    nhs_number = factory.Sequence(_nhs_number)
    given_name = "Alex"
    family_name = factory.Sequence(lambda n: f"Testpatient{chr(65 + n % 26)}")
    date_of_birth = datetime.date(1974, 5, 17)
    sex = Sex.FEMALE
    address_line_1 = "1 Example Road"
    town = "London"
    postcode = "SE1 9BS"
    home_site = factory.LazyFunction(lambda: Site.objects.order_by("code").first())
    organisation_id = factory.LazyAttribute(lambda patient: patient.home_site.organisation_id)


def other_unit_site() -> Site:
    """An active site of a second unit ("north"), made on first use: its patients are out
    of reach of the default unit's staff."""
    from collis.core.models import Organisation

    unit, _ = Organisation.objects.get_or_create(code="north",
                                                 defaults={"name": "Northern dystonia unit"})
    site, _ = Site.objects.get_or_create(
        code="north-clinic", defaults={"name": "Northern clinic", "organisation": unit,
                                       "address": "1 North Road\nLeeds", "postcode": "LS1 1AA"})
    return site


def other_unit_patient(**kwargs) -> Patient:
    """A patient of the second unit (`other_unit_site`)."""
    return PatientFactory(home_site=other_unit_site(), **kwargs)
