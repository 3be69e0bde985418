import pytest


@pytest.fixture
def theirs(sites):
    """A patient of another unit (the signed-in staff of the tests belong to the default one)."""
    from collis.core.models import Organisation
    from collis.patients.tests.factories import PatientFactory
    from collis.sites.models import Site

    unit = Organisation.objects.create(code="north", name="Northern dystonia unit")
    site = Site.objects.create(code="north-clinic", name="Northern clinic",
                               address="1 North Road\nLeeds", postcode="LS1 1AA",
                               organisation=unit)
    return PatientFactory(given_name="Theirs", home_site=site)
