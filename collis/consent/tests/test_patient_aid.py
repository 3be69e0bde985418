"""The decision aid's two versions: the patient's readable, both versioned, viewed and
downloaded by staff with an audit entry, and the versions a patient saw kept with the
counselling and the consent."""

import io
import re

import pypdf
import pytest
from django.urls import reverse
from django.utils import timezone

from collis.consent import presenters, services
from collis.consent.models import Consent, CounsellingSession
from collis.consent.tests.factories import CONSENT_DETAILS, counselled_episode, episode_at
from collis.core.audit import Actor
from collis.core.models import AuditAction, AuditEvent
from collis.core.roles import Role
from collis.core.tests.factories import UserFactory
from collis.domain.pathway import State
from collis.domain.risks import Intervention, risks_for
from collis.policy.tests.factories import policy_version_make

# Reading age about 11 (UK year 7, US grade 6): Flesch reading ease 75 or more ("fairly
# easy" to "easy") and a Flesch-Kincaid grade of 6 or less, over the whole patient text.
MIN_READING_EASE = 75
MAX_GRADE = 6
MAX_SENTENCE_WORDS = 25


def _url(name, episode):
    return reverse(f"consent:{name}", kwargs={"patient_id": episode.patient_id,
                                              "episode_id": episode.pk})


def _pdf_pages(data: bytes) -> list[str]:
    return [re.sub(r"\s+", " ", p.extract_text()) for p in pypdf.PdfReader(io.BytesIO(data)).pages]


def test_the_patient_text_reads_at_about_age_eleven(readability):
    text = presenters.patient_aid_content().text()
    ease, grade = readability.flesch_reading_ease(text), readability.flesch_kincaid_grade(text)
    assert ease >= MIN_READING_EASE, ease
    assert grade <= MAX_GRADE, grade
    sentences = [s for s in re.split(r"(?<=[.?!:])\s+|\n", text) if s.strip()]
    longest = max(sentences, key=lambda s: len(s.split()))
    assert len(longest.split()) <= MAX_SENTENCE_WORDS, longest


def test_the_current_content_is_a_recorded_edition():
    """Changing the aid's words or the risk catalogue changes the fingerprint: record a new
    edition in AID_EDITIONS with the day it was produced."""
    version = presenters.aid_version(presenters.AID_PATIENT)
    assert version.released, (
        f"The decision aid changed: add an edition with fingerprint "
        f"{presenters.aid_fingerprint()[:16]!r} to AID_EDITIONS")
    number, produced_on, _ = presenters.AID_EDITIONS[-1]
    assert version.version == f"collis-decision-aid/{number}-patient"
    assert version.review_by == produced_on.replace(year=produced_on.year + 1)


def test_the_version_changes_with_the_catalogue(monkeypatch):
    before = presenters.aid_fingerprint()
    monkeypatch.setitem(presenters.PLAIN_RISKS, "SD_INFECTION",
                        presenters.PLAIN_RISKS["SD_HAEMATOMA"])
    assert presenters.aid_fingerprint() != before
    assert presenters.aid_version("patient").version.endswith("-draft-patient")


def test_an_unknown_version_kind_is_refused():
    with pytest.raises(ValueError, match="allowed: patient, clinician"):
        presenters.aid_version("carer")


@pytest.mark.django_db
def test_staff_see_the_patient_version_with_its_dates_and_it_is_audited(client_as):
    episode = episode_at(State.LISTED)
    client = client_as(Role.NURSE_SPECIALIST)
    page = client.get(_url("patient_aid", episode)).content.decode()
    version = presenters.aid_version("patient")
    for words in ("Treatment choices for neck dystonia", "Doing nothing more",
                  "What might go wrong", "about 25 in 100 people", version.version,
                  "Next review", "Where the information comes from"):
        assert words in page, words
    assert "[28]" not in page
    assert AuditEvent.objects.filter(object_type="decision_aid", action=AuditAction.VIEW,
                                     details__kind="patient", actor=client.user).count() == 1


@pytest.mark.django_db
def test_the_patient_pdf_ends_with_its_sources_and_dates_and_is_audited(client_as):
    episode = episode_at(State.LISTED)
    client = client_as(Role.NEUROSURGEON)
    response = client.get(_url("patient_aid_pdf", episode))
    assert response["Content-Type"] == "application/pdf"
    pages = _pdf_pages(response.content)
    version = presenters.aid_version("patient")
    last = pages[-1]
    assert "Where the information comes from" in last and "Munchau 2001" in last
    assert "Produced" in last and "Next review" in last and version.version in last
    assert not any("Where the information comes from" in p for p in pages[:-1])
    body = " ".join(pages[:-1])
    assert "Doing nothing more" in body
    assert not re.search(r"\[\d+\]", body)
    assert AuditEvent.objects.filter(object_type="decision_aid", action=AuditAction.DOWNLOAD,
                                     details__kind="patient", actor=client.user).exists()


@pytest.mark.django_db
def test_the_clinician_pdf_keeps_figures_sources_and_review_date(client_as):
    episode = episode_at(State.LISTED)
    client = client_as(Role.NEUROSURGEON)
    text = " ".join(_pdf_pages(client.get(_url("decision_aid_pdf", episode)).content))
    assert "3 of 12" in text and "[28]" in text and "Next review" in text
    assert presenters.aid_version("clinician").version in text
    assert AuditEvent.objects.filter(object_type="decision_aid", action=AuditAction.DOWNLOAD,
                                     details__kind="clinician").exists()


@pytest.mark.django_db
def test_counselling_keeps_the_versions_the_patient_saw_and_consent_copies_them(client_as):
    policy_version_make(consent_cooling_off_days=0)
    episode = counselled_episode(timezone.localdate())
    session = CounsellingSession.objects.get(episode=episode)
    kinds = [v["kind"] for v in session.decision_aids_shown]
    assert kinds == ["patient", "clinician"]
    assert session.decision_aids_shown[0]["version"] == presenters.aid_version(
        "patient").version
    today = timezone.localdate()
    consent = services.consent_create(
        episode=episode, signature_method="paper", patient_typed_name="",
        patient_signed_on=today, surgeon_signed_on=today, details=CONSENT_DETAILS,
        actor=Actor.command_line(UserFactory(role=Role.NEUROSURGEON)))
    assert consent.decision_aids_seen == session.decision_aids_shown
    page = client_as(Role.NEUROLOGIST).get(_url("episode_consent", episode)).content.decode()
    assert "Decision aid seen" in page and "-patient (produced" in page


@pytest.mark.django_db
def test_counselling_without_the_versions_seen_is_refused_on_the_field(client_as):
    episode = episode_at(State.LISTED)
    today = timezone.localdate()
    data = {"held_on-day": today.day, "held_on-month": today.month, "held_on-year": today.year,
            "values_matters_most": "Driving"}
    data |= {f"risk_{r.code}": "understood" for r in risks_for(Intervention.SELECTIVE_DENERVATION)}
    response = client_as(Role.NURSE_SPECIALIST).post(_url("counselling_new", episode), data)
    assert response.status_code == 200
    assert "Select which versions of the decision aid the patient saw" in \
        response.content.decode()
    assert not CounsellingSession.objects.exists()
    with pytest.raises(Exception, match="Select which versions"):
        services.counselling_session_create(
            episode=episode, held_on=today, answers={}, acknowledged=frozenset(),
            aids_shown=(), actor=Actor.command_line(UserFactory(role=Role.NURSE_SPECIALIST)))
    assert not Consent.objects.exists()


@pytest.mark.django_db
def test_the_api_gives_the_versions_seen_as_an_optional_field(client, settings):
    from collis.core.services import api_token_create

    episode = counselled_episode(timezone.localdate())
    user = UserFactory(role=Role.PHYSIOTHERAPIST)
    token = api_token_create(user=user, actor=Actor.command_line(user))
    response = client.get(
        f"/api/v1/patients/{episode.patient_id}/episodes/{episode.pk}/counselling",
        HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    assert response.json()[0]["decision_aids_shown"][0]["kind"] == "patient"
