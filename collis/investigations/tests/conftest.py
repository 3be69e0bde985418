import pytest


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Attached files go to a temporary folder, never var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def theirs(sites):
    """A patient of another unit."""
    from collis.core.models import Organisation
    from collis.patients.tests.factories import PatientFactory
    from collis.sites.models import Site

    unit = Organisation.objects.create(code="north", name="Northern dystonia unit")
    site = Site.objects.create(code="north-clinic", name="Northern clinic",
                               address="1 North Road\nLeeds", postcode="LS1 1AA",
                               organisation=unit)
    return PatientFactory(given_name="Theirs", home_site=site)
