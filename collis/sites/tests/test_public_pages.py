"""Each site's public page, and what staff with SITE_EDIT set on it."""

import pytest
from django.core.exceptions import PermissionDenied

from collis.core.models import AuditEvent
from collis.core.roles import Role
from collis.public.tests.factories import actor_for
from collis.public.tests.pages import words
from collis.sites.models import Site
from collis.sites.services import site_public_details_update


@pytest.mark.django_db
def test_each_site_has_its_own_public_page(client, sites):
    for site in sites:
        text = words(client.get(f"/sites/{site.code}/").content.decode())
        assert site.name in text and site.postcode in text
    assert "/sites/portland-hospital/" in client.get("/sites/").content.decode()


@pytest.mark.django_db
def test_staff_with_site_edit_set_the_page_and_readers_see_it_at_once(client, client_as,
                                                                      sites):
    assert "Is the site accessible?" not in client.get("/sites/portland-hospital/").content.decode()
    editor = client_as(Role.CONTENT_EDITOR)
    response = editor.post("/sites/portland-hospital/change/", {
        "phone": "020 7000 0001", "services": "- Clinics\n- Injections",
        "getting_there": "Use the main entrance.", "accessibility": "There is a lift."})
    assert response.status_code == 302
    text = words(client.get("/sites/portland-hospital/").content.decode())
    assert "Is the site accessible? There is a lift." in text
    assert "How do you get here? Use the main entrance." in text
    assert "020 7000 0001" in text
    assert AuditEvent.objects.filter(object_type="site",
                                     summary__startswith="Changed the public page").exists()


@pytest.mark.django_db
def test_a_bad_link_on_a_site_page_is_refused_on_its_field(client_as, sites):
    response = client_as(Role.ADMINISTRATOR).post("/sites/portland-hospital/change/", {
        "getting_there": "[map](javascript:alert(1))"})
    assert "is not allowed" in response.content.decode()
    assert Site.objects.get(code="portland-hospital").getting_there == ""


@pytest.mark.django_db
def test_only_staff_with_site_edit_change_a_site(client_as, sites):
    assert client_as(Role.NEUROLOGIST).get("/sites/portland-hospital/change/").status_code == 403
    with pytest.raises(PermissionDenied):
        site_public_details_update(site=sites[0], actor=actor_for(Role.NURSE_SPECIALIST),
                                   accessibility="x")


@pytest.mark.django_db
def test_a_retired_site_has_no_public_page(client, sites):
    Site.objects.filter(code="lister-hospital").update(is_active=False)
    assert client.get("/sites/lister-hospital/").status_code == 404
