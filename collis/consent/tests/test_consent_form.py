"""The complete consent form (the sections of "Consent form 1"): partial understanding over
two sessions keeps both dates, every section is checked on its field, the confirmation on
the day of surgery is a later record with its chronology, and the PDF shows it all."""

import dataclasses
import datetime
import io
import re

import pypdf
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from collis.consent import presenters, services
from collis.consent.models import Consent, ConsentConfirmation
from collis.consent.tests.factories import CONSENT_DETAILS, consented_episode, episode_at
from collis.core.audit import Actor
from collis.core.models import AuditAction, AuditEvent
from collis.core.presenters import date_long
from collis.core.roles import Role
from collis.core.tests.factories import UserFactory
from collis.domain.pathway import MoveRefused, State
from collis.policy.tests.factories import policy_version_make

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
ALL = frozenset(services.sd_risk_codes())
FIRST, SECOND = TODAY - datetime.timedelta(days=40), TODAY - datetime.timedelta(days=20)


def _nurse():
    return Actor.command_line(UserFactory(role=Role.NURSE_SPECIALIST))


def _surgeon(user=None):
    return Actor.command_line(user or UserFactory(role=Role.NEUROSURGEON))


def _counsel(episode, held_on, acknowledged=ALL, discussed=None):
    return services.counselling_session_create(
        episode=episode, held_on=held_on, answers={"matters_most": "Driving"},
        acknowledged=acknowledged, discussed=discussed, aids_shown=("patient",),
        actor=_nurse())


def _consent(episode, signed_on=TODAY, details=CONSENT_DETAILS, surgeon=None):
    return services.consent_create(
        episode=episode, signature_method="paper", patient_typed_name="",
        patient_signed_on=signed_on, surgeon_signed_on=signed_on, details=details,
        actor=_surgeon(surgeon))


@pytest.fixture
def no_cooling_off(db):
    policy_version_make(consent_cooling_off_days=0)


def _partly_understood_episode():
    """Haematoma discussed at the first session but understood only at the second."""
    episode = episode_at(State.LISTED)
    first = _counsel(episode, FIRST, acknowledged=ALL - {"SD_HAEMATOMA"})
    second = _counsel(episode, SECOND, acknowledged={"SD_HAEMATOMA"},
                      discussed={"SD_HAEMATOMA"})
    return episode, first, second


def test_a_risk_understood_at_a_later_session_keeps_both_dates(no_cooling_off):
    episode, first, second = _partly_understood_episode()
    consent = _consent(episode)
    rows = {r["risk_code"]: r for r in consent.risks_understood}
    assert set(rows) == ALL
    assert (rows["SD_HAEMATOMA"]["discussed_on"], rows["SD_HAEMATOMA"]["confirmed_on"]) == (
        FIRST.isoformat(), SECOND.isoformat())
    assert rows["SD_HAEMATOMA"]["confirmed_session"] == second.pk
    assert rows["SD_INFECTION"]["discussed_on"] == rows["SD_INFECTION"]["confirmed_on"] == \
        FIRST.isoformat()
    assert consent.counselling == second  # the cooling-off period runs from the latest
    when = {r["risk_code"]: r["when"] for r in presenters.understanding_rows(consent)}
    assert when["SD_HAEMATOMA"] == (f"Discussed on {date_long(FIRST)}; understood on "
                                    f"{date_long(SECOND)}")


def test_a_risk_discussed_but_not_yet_understood_refuses_consent_saying_when(no_cooling_off):
    episode = episode_at(State.LISTED)
    _counsel(episode, FIRST, acknowledged=ALL - {"SD_HAEMATOMA"})
    with pytest.raises(services.ConsentRefused,
                       match=f"Haematoma \\(discussed on {date_long(FIRST)}, not yet "
                             f"understood\\)"):
        _consent(episode)
    assert not Consent.objects.exists()


def test_a_risk_never_discussed_refuses_consent(no_cooling_off):
    episode = episode_at(State.LISTED)
    _counsel(episode, FIRST, acknowledged=ALL - {"SD_INFECTION"},
             discussed=ALL - {"SD_INFECTION"})
    with pytest.raises(services.ConsentRefused, match=r"Wound infection \(not yet discussed\)"):
        _consent(episode)


def test_a_risk_cannot_be_understood_without_being_discussed():
    episode = episode_at(State.LISTED)
    with pytest.raises(ValueError, match="only where it was discussed: SD_INFECTION"):
        _counsel(episode, FIRST, acknowledged=ALL, discussed=ALL - {"SD_INFECTION"})


def test_every_missing_section_of_the_form_is_named_on_its_field_and_nothing_is_saved(
        no_cooling_off):
    episode = episode_at(State.LISTED)
    _counsel(episode, FIRST)
    bad = services.ConsentDetails(intended_benefits=" ", extra_procedures="",
                                  alternatives_discussed=("gpi_dbs",), interpreter_used=None,
                                  patient_has_capacity=False)
    with pytest.raises(ValidationError) as refused:
        _consent(episode, details=bad)
    assert set(refused.value.message_dict) == {
        "intended_benefits", "extra_procedures", "alternatives_discussed", "interpreter_used",
        "patient_has_capacity"}
    assert "this form does not apply" in refused.value.message_dict["patient_has_capacity"][0]
    assert "No further treatment" in refused.value.message_dict["alternatives_discussed"][0]
    assert not Consent.objects.exists()
    episode.refresh_from_db()
    assert episode.state == State.COUNSELLING


def test_an_interpreter_needs_a_name(no_cooling_off):
    episode = episode_at(State.LISTED)
    _counsel(episode, FIRST)
    with pytest.raises(ValidationError) as refused:
        _consent(episode, details=dataclasses.replace(CONSENT_DETAILS, interpreter_used=True))
    assert list(refused.value.message_dict) == ["interpreter_name"]
    consent = _consent(episode, details=dataclasses.replace(
        CONSENT_DETAILS, interpreter_used=True, interpreter_name="Ana Lopes (Portuguese)"))
    assert consent.interpreter_name == "Ana Lopes (Portuguese)"


def test_the_consent_keeps_the_anaesthetic_statement_and_alternatives(no_cooling_off):
    episode = episode_at(State.LISTED)
    _counsel(episode, FIRST)
    consent = _consent(episode)
    assert consent.anaesthetic == "General anaesthetic"
    assert consent.professional_statement == presenters.PROFESSIONAL_STATEMENT
    assert consent.alternatives_discussed == ["gpi_dbs", "botulinum_toxin",
                                              "no_further_treatment"]
    assert consent.patient_has_capacity is True and consent.interpreter_used is False


@pytest.mark.parametrize(("plan", "words"), [
    ([{"muscle": "sternocleidomastoid", "side": "left", "target": "XI"}],
     "sternocleidomastoid (left side). Side: left side."),
    ([{"muscle": "sternocleidomastoid", "side": "left", "target": "XI"},
      {"muscle": "splenius_capitis", "side": "right", "target": "C2"}],
     "sternocleidomastoid (left side); splenius capitis (right side). Side: both sides."),
    ([{"muscle": "semispinalis_capitis", "side": "bilateral", "target": "C3"}],
     "semispinalis capitis (both sides). Side: both sides."),
])
def test_the_procedure_in_plain_words_names_the_sides(plan, words):
    assert presenters.procedure_plain(plan).endswith(words)


# -- the confirmation on the day of surgery ----------------------------------------------

def _confirm(consent, on, still=True, notes="", user=None, **kwargs):
    return services.consent_confirmation_create(
        consent=consent, confirmed_on=on, still_wants_to_proceed=still, notes=notes,
        actor=_surgeon(user), **kwargs)


def test_the_confirmation_is_a_later_record_and_is_audited(no_cooling_off):
    episode = consented_episode(SECOND)
    consent = Consent.objects.get(episode=episode)
    confirmation = _confirm(consent, TODAY)
    assert confirmation.still_wants_to_proceed and confirmation.confirmed_on == TODAY
    entry = AuditEvent.objects.get(object_type="consent_confirmation")
    assert entry.action == AuditAction.CREATE and entry.patient_id == episode.patient_id


def test_a_confirmation_before_consent_or_in_the_future_is_refused_on_its_field(
        no_cooling_off):
    consent = Consent.objects.get(episode=consented_episode(SECOND))
    with pytest.raises(ValidationError) as before:
        _confirm(consent, SECOND - datetime.timedelta(days=1))
    assert "consent was signed" in before.value.message_dict["confirmed_on"][0]
    with pytest.raises(ValidationError) as future:
        _confirm(consent, TODAY + datetime.timedelta(days=1))
    assert list(future.value.message_dict) == ["confirmed_on"]
    assert not ConsentConfirmation.objects.exists()


def test_a_patient_who_no_longer_wants_to_go_ahead_needs_notes(no_cooling_off):
    consent = Consent.objects.get(episode=consented_episode(SECOND))
    with pytest.raises(ValidationError) as refused:
        _confirm(consent, TODAY, still=False)
    assert list(refused.value.message_dict) == ["notes"]
    assert not _confirm(consent, TODAY, still=False,
                        notes="Wants to think again; operation postponed").still_wants_to_proceed
    with pytest.raises(ValidationError, match="still wants to go ahead"):
        _confirm(consent, TODAY, still=None)


def test_a_nurse_specialist_cannot_confirm_consent(no_cooling_off):
    consent = Consent.objects.get(episode=consented_episode(SECOND))
    with pytest.raises(MoveRefused, match="Your role cannot confirm consent"):
        services.consent_confirmation_create(
            consent=consent, confirmed_on=TODAY, still_wants_to_proceed=True, actor=_nurse())


def test_a_corrected_confirmation_keeps_the_original(no_cooling_off):
    consent = Consent.objects.get(episode=consented_episode(SECOND))
    original = _confirm(consent, TODAY - datetime.timedelta(days=1))
    corrected = _confirm(consent, TODAY, amends=original,
                         correction_reason="The date was typed wrongly")
    original.refresh_from_db()
    assert original.record_status == "amended" and corrected.supersedes == original
    with pytest.raises(ValidationError):
        _confirm(consent, TODAY, amends=original, correction_reason="Again")
    services.consent_confirmation_mark_entered_in_error(
        confirmation=corrected, reason="Wrong patient", actor=_surgeon())
    corrected.refresh_from_db()
    assert corrected.record_status == "entered_in_error"
    assert ConsentConfirmation.objects.count() == 2


# -- pages and the PDF ---------------------------------------------------------------------

def _url(name, episode):
    return reverse(f"consent:{name}", kwargs={"patient_id": episode.patient_id,
                                              "episode_id": episode.pk})


def _pdf_text(data: bytes) -> str:
    pages = pypdf.PdfReader(io.BytesIO(data)).pages
    return re.sub(r"\s+", " ", " ".join(p.extract_text() for p in pages))


def test_the_consent_form_page_shows_what_was_understood_and_when(no_cooling_off, client_as):
    episode, _, _ = _partly_understood_episode()
    page = client_as(Role.NEUROSURGEON).get(_url("consent_new", episode)).content.decode()
    for words in ("Adults with capacity only", "this form does not apply",
                  "The proposed procedure", "General anaesthetic", "Alternatives discussed",
                  "Was an interpreter used?", "The health professional", date_long(SECOND)):
        assert words in page, words


def test_the_pdf_shows_every_section_both_dates_and_the_confirmation(no_cooling_off,
                                                                     client_as):
    episode, _, _ = _partly_understood_episode()
    surgeon = UserFactory(role=Role.NEUROSURGEON, first_name="Sam", last_name="Surgeon")
    consent = _consent(episode, surgeon=surgeon)
    _confirm(consent, TODAY, user=surgeon)
    client = client_as(Role.NEUROSURGEON)
    text = _pdf_text(client.get(_url("consent_pdf", episode)).content)
    for section in ("Capacity", "this form does not apply", "The proposed procedure",
                    "Intended benefits", "Serious or frequently occurring risks",
                    "Extra procedures that may become necessary", "Alternatives discussed",
                    "No further treatment", "General anaesthetic", "Interpreter",
                    "No interpreter was used", "Statement of the health professional",
                    "Statement of the patient",
                    "Confirmation of consent on the day of surgery", "Sam Surgeon"):
        assert section in text, section
    assert f"Discussed on {date_long(FIRST)}; understood on {date_long(SECOND)}" in text


def test_a_surgeon_confirms_consent_on_the_day_through_the_page(no_cooling_off, client_as):
    episode = consented_episode(SECOND)
    client = client_as(Role.NEUROSURGEON)
    overview = client.get(_url("episode_consent", episode)).content.decode()
    assert "Consent has not yet been confirmed on the day of surgery" in overview
    assert client.get(_url("consent_confirm", episode)).status_code == 200
    early = SECOND - datetime.timedelta(days=1)
    response = client.post(_url("consent_confirm", episode), {
        "confirmed_on-day": early.day, "confirmed_on-month": early.month,
        "confirmed_on-year": early.year, "still_wants_to_proceed": "yes"})
    assert response.status_code == 200 and "consent was signed" in response.content.decode()
    response = client.post(_url("consent_confirm", episode), {
        "confirmed_on-day": TODAY.day, "confirmed_on-month": TODAY.month,
        "confirmed_on-year": TODAY.year, "still_wants_to_proceed": "yes"})
    assert response.status_code == 302
    overview = client.get(_url("episode_consent", episode)).content.decode()
    assert "the patient still wants to go ahead" in overview


def test_the_confirmation_page_is_refused_to_a_nurse_and_404_before_consent(client_as):
    episode = episode_at(State.LISTED)
    assert client_as(Role.NURSE_SPECIALIST).get(
        _url("consent_confirm", episode)).status_code == 403
    assert client_as(Role.NEUROSURGEON).get(_url("consent_confirm", episode)).status_code == 404


def test_the_api_gives_the_forms_sections_as_optional_fields(no_cooling_off, client):
    from collis.core.services import api_token_create

    episode = consented_episode(SECOND)
    _confirm(Consent.objects.get(episode=episode), TODAY)
    user = UserFactory(role=Role.PHYSIOTHERAPIST)
    token = api_token_create(user=user, actor=Actor.command_line(user))
    data = client.get(f"/api/v1/patients/{episode.patient_id}/episodes/{episode.pk}/consent",
                      HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert data["patient_has_capacity"] is True and data["anaesthetic"] == "General anaesthetic"
    assert data["confirmations"][0]["still_wants_to_proceed"] is True
    assert {r["risk_code"] for r in data["risks_understood"]} == ALL


def test_the_overview_with_consent_and_confirmations_reads_in_bounded_queries(
        no_cooling_off, client_as, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    episode = consented_episode(SECOND)
    consent = Consent.objects.get(episode=episode)
    client = client_as(Role.NEUROLOGIST)
    _confirm(consent, SECOND)
    with CaptureQueriesContext(connection) as one:
        client.get(_url("episode_consent", episode))
    for n in range(1, 6):
        _confirm(consent, SECOND + datetime.timedelta(days=n))
    # Fixed: the scoped reads with their audit entries, the sessions, the consent with its
    # confirmations, and the local-policy versions; none grows with the confirmations.
    with django_assert_max_num_queries(18):
        page = client.get(_url("episode_consent", episode)).content.decode()
    assert page.count("the patient still wants to go ahead") == 6
    with CaptureQueriesContext(connection) as six:
        client.get(_url("episode_consent", episode))
    assert len(six) <= len(one)  # the first request also saved the session


def test_a_surgeon_marks_a_confirmation_entered_in_error_and_it_stays_listed(
        no_cooling_off, client_as):
    episode = consented_episode(SECOND)
    confirmation = _confirm(Consent.objects.get(episode=episode), TODAY)
    client = client_as(Role.NEUROSURGEON)
    url = reverse("consent:confirmation_entered_in_error", kwargs={
        "patient_id": episode.patient_id, "episode_id": episode.pk,
        "confirmation_id": confirmation.pk})
    assert client.get(url).status_code == 200
    assert client.post(url, {"correction_reason": ""}).status_code == 200
    assert client.post(url, {"correction_reason": "Recorded on the wrong patient"}
                       ).status_code == 302
    confirmation.refresh_from_db()
    assert confirmation.record_status == "entered_in_error"
    overview = client.get(_url("episode_consent", episode)).content.decode()
    assert "Entered in error" in overview
    assert "Consent has not yet been confirmed" not in overview
