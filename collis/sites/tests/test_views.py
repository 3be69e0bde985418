import pytest

from collis.sites.models import Site
from collis.sites.services import site_load_unit_sites

EXPECTED = {
    "London Neurosurgery Partnership": "W1G 7HJ",
    "The Harley Street Clinic": "W1G 8BJ",
    "The Portland Hospital": "W1W 5AH",
    "The Lister Hospital": "SW1W 8RH",
    "The Shard Outpatients": "SE1 9BS",
    "London Bridge Hospital": "SE1 2PR",
}


@pytest.mark.django_db
def test_sites_page_is_public_and_lists_the_six_sites(client, sites):
    body = client.get("/sites/").content.decode()
    for name, postcode in EXPECTED.items():
        assert name in body and postcode in body
    assert "205-209 Great Portland Street" in body


@pytest.mark.django_db
def test_loading_sites_twice_changes_nothing_and_keeps_edits(sites):
    Site.objects.filter(code="lister-hospital").update(phone="020 7000 0000")
    assert site_load_unit_sites() == 0
    assert Site.objects.count() == 6
    assert Site.objects.get(code="lister-hospital").phone == "020 7000 0000"


@pytest.mark.django_db
def test_retired_site_is_not_listed(client, sites):
    Site.objects.filter(code="lister-hospital").update(is_active=False)
    assert "The Lister Hospital" not in client.get("/sites/").content.decode()
