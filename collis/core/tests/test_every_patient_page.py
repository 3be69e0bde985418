"""Every page about one patient, walked from the URL list: it answers (no server error),
shows the patient only to their own unit, and is audited as showing the patient exactly
once per request, forms and PDFs included."""

import random
from datetime import date

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from collis.core.models import AuditEvent, Organisation
from collis.core.roles import Role
from collis.core.tests.factories import UserFactory
from collis.domain.pathway import State
from collis.patients.tests.factories import PatientFactory
from collis.sites.models import Site
from collis.surgery.tests.factories import episode_at

KWARGS = {"patient_id", "episode_id"}


def _named_patterns(patterns, namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if str(entry.pattern).startswith(("admin/", "api/")):
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _named_patterns(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", set(entry.pattern.converters)


def patient_pages() -> list[str]:
    return sorted(name for name, kwargs in _named_patterns(get_resolver().url_patterns)
                  if "patient_id" in kwargs and kwargs <= KWARGS)


@pytest.fixture
def record(sites):
    """A patient with a demo clinical history and an episode in follow-up."""
    from collis.demo_data import DEMO_STAFF

    users = {username: UserFactory(username=username, role=role)
             for username, _, _, role in DEMO_STAFF if role != Role.ADMINISTRATOR}
    patient = PatientFactory()
    for app in ("assessments", "treatments", "investigations"):
        module = __import__(f"collis.{app}.demo", fromlist=["demo_history"])
        module.demo_history(patient, random.Random(app), date(2026, 11, 1),
                            users["neurologist"])
    episode = episode_at(State.FOLLOW_UP, patient=patient)
    return patient, episode


def test_the_walk_covers_the_record_and_the_pathway():
    pages = patient_pages()
    assert len(pages) >= 25
    assert {"patients:patient_detail", "treatments:toxin_create", "surgery:episode_detail",
            "consent:episode_consent", "outcomes:follow_up"} <= set(pages)


@pytest.mark.parametrize("role", [Role.NEUROSURGEON, Role.NEUROLOGIST])
def test_every_patient_page_is_audited_once_per_request(record, role):
    patient, episode = record
    client = Client()
    client.force_login(UserFactory(role=role))
    seen = 0
    for name in patient_pages():
        kwargs = {"patient_id": patient.pk}
        if "episode_id" in dict(_named_patterns(get_resolver().url_patterns))[name]:
            kwargs["episode_id"] = episode.pk
        url = reverse(name, kwargs=kwargs)
        before = AuditEvent.objects.filter(patient_id=patient.pk, object_type="patient").count()
        response = client.get(url)
        assert response.status_code in (200, 302, 403, 404), (url, response.status_code)
        shown = AuditEvent.objects.filter(patient_id=patient.pk,
                                          object_type="patient").count() - before
        if response.status_code == 200:
            seen += 1
            assert shown == 1, f"{url} was audited as showing the patient {shown} times"
    assert seen >= 20


def test_another_units_staff_get_404_on_every_patient_page(record):
    patient, episode = record
    unit = Organisation.objects.create(code="elsewhere", name="Elsewhere unit")
    Site.objects.create(code="elsewhere", name="Elsewhere", address="x", postcode="X1 1XX",
                        organisation=unit)
    client = Client()
    client.force_login(UserFactory(role=Role.NEUROSURGEON, organisation=unit))
    for name in patient_pages():
        kwargs = {"patient_id": patient.pk, "episode_id": episode.pk}
        converters = dict(_named_patterns(get_resolver().url_patterns))[name]
        url = reverse(name, kwargs={k: v for k, v in kwargs.items() if k in converters})
        assert client.get(url).status_code in (403, 404), url
    assert not AuditEvent.objects.filter(patient_id=patient.pk,
                                         actor__organisation=unit).exists()
