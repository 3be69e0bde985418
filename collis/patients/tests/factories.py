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
