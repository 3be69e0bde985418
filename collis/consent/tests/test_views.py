import datetime
import io
import re

import pypdf
import pytest
from django.urls import reverse
from django.utils import timezone

from collis.consent import services
from collis.consent.models import Consent, CounsellingSession, RiskDisclosure
from collis.consent.tests.factories import CONSENT_DETAILS, counselled_episode, episode_at
from collis.core.audit import Actor
from collis.core.models import AuditAction, AuditEvent
from collis.core.roles import Role
from collis.core.services import api_token_create
from collis.core.tests.factories import UserFactory
from collis.domain.pathway import State
from collis.domain.risks import RISKS, Intervention, risks_for
from collis.policy.tests.factories import policy_version_make

pytestmark = pytest.mark.django_db
SD_RISKS = risks_for(Intervention.SELECTIVE_DENERVATION)


# The consent form's sections as the page posts them.
CONSENT_FIELDS = {"intended_benefits": "Less pulling and pain", "extra_procedures": "None",
                  "alternatives_discussed": ["gpi_dbs", "no_further_treatment"],
                  "interpreter_used": "no", "patient_has_capacity": "on"}


def _url(name, episode, **extra):
    return reverse(f"consent:{name}", kwargs={"patient_id": episode.patient_id,
                                              "episode_id": episode.pk, **extra})


def _counselling_post(today, skip=()):
    data = {"held_on-day": today.day, "held_on-month": today.month, "held_on-year": today.year,
            "values_matters_most": "Being able to drive", "values_hopes": "Work full time",
            "aids_shown": ["patient"]}
    data |= {f"risk_{r.code}": "understood" for r in SD_RISKS if r.code not in skip}
    return data


def _pdf_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    text = " ".join(page.extract_text() for page in reader.pages)
    return re.sub(r"\s+", " ", text)


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def _consented(settings):
    policy_version_make(consent_cooling_off_days=0)
    today = timezone.localdate()
    episode = counselled_episode(today)
    services.consent_create(episode=episode, signature_method="typed",
                            patient_typed_name="Alex Testpatient", patient_signed_on=today,
                            surgeon_signed_on=today, details=CONSENT_DETAILS,
                            actor=Actor.command_line(UserFactory(role=Role.NEUROSURGEON)))
    return episode


def test_the_overview_shows_sessions_and_is_audited(client_as):
    episode = counselled_episode(timezone.localdate())
    client = client_as(Role.PHYSIOTHERAPIST)
    response = client.get(_url("episode_consent", episode))
    assert response.status_code == 200
    assert "Counselling sessions" in response.content.decode()
    assert "12 of 12" in response.content.decode() or f"{len(SD_RISKS)} of" in \
        response.content.decode()
    assert AuditEvent.objects.filter(object_type="counselling_sessions", actor=client.user,
                                     patient_id=episode.patient_id).exists()


def test_the_overview_of_another_patients_episode_is_not_found(client_as):
    episode = episode_at(State.LISTED)
    other = episode_at(State.LISTED)
    response = client_as(Role.NEUROLOGIST).get(reverse("consent:episode_consent", kwargs={
        "patient_id": other.patient_id, "episode_id": episode.pk}))
    assert response.status_code == 404


def test_the_decision_aid_shows_every_option_with_figures_and_is_audited(client_as):
    episode = episode_at(State.LISTED)
    client = client_as(Role.NURSE_SPECIALIST)
    page = client.get(_url("decision_aid", episode)).content.decode()
    for heading in ("Selective peripheral denervation", "Deep brain stimulation",
                    "Continuing botulinum toxin", "What matters to you",
                    "collis-decision-aid/", "decided by your local team", "Doing nothing more"):
        assert heading in page
    for risk in RISKS:
        assert risk.name.replace("'", "&#39;") in page
    assert "new dysphagia on videofluoroscopy in 3 of 12" in page
    assert "up to 38-63%" in page
    assert AuditEvent.objects.filter(object_type="decision_aid", action=AuditAction.VIEW,
                                     patient_id=episode.patient_id).exists()


def test_the_decision_aid_pdf_is_audited_as_a_download(client_as):
    episode = episode_at(State.LISTED)
    response = client_as(Role.NURSE_SPECIALIST).get(_url("decision_aid_pdf", episode))
    assert response["Content-Type"] == "application/pdf"
    text = _pdf_text(response.content)
    assert "decision aid" in text and "Deep brain stimulation" in text
    assert AuditEvent.objects.filter(object_type="decision_aid", action=AuditAction.DOWNLOAD,
                                     patient_id=episode.patient_id).exists()


def test_a_nurse_records_counselling_and_the_episode_moves(client_as):
    episode = episode_at(State.LISTED)
    client = client_as(Role.NURSE_SPECIALIST)
    response = client.post(_url("counselling_new", episode),
                           _counselling_post(timezone.localdate()))
    session = CounsellingSession.objects.get(episode=episode)
    assert response.status_code == 302
    assert response["Location"] == _url("counselling_detail", episode, session_id=session.pk)
    episode.refresh_from_db()
    assert episode.state == State.COUNSELLING
    assert session.created_by == client.user
    assert session.disclosures.filter(acknowledged=True).count() == len(SD_RISKS)


def test_an_unacknowledged_risk_is_named_and_nothing_is_saved(client_as):
    episode = episode_at(State.LISTED)
    client = client_as(Role.NURSE_SPECIALIST)
    response = client.post(_url("counselling_new", episode),
                           _counselling_post(timezone.localdate(), skip={"SD_HAEMATOMA"}))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Select whether &#39;Haematoma&#39; was discussed and understood" in page
    assert 'href="#risk_SD_HAEMATOMA"' in page
    assert "Being able to drive" in page  # what they typed is kept
    assert not CounsellingSession.objects.exists() and not RiskDisclosure.objects.exists()


def test_counselling_needs_the_date_and_what_matters_most(client_as):
    episode = episode_at(State.LISTED)
    data = _counselling_post(timezone.localdate())
    data.pop("values_matters_most")
    data["held_on-day"] = ""
    page = client_as(Role.NEUROSURGEON).post(_url("counselling_new", episode), data).content
    assert b"The date of the counselling session must include a day" in page
    assert b"Enter the patient&#39;s answer to &#39;What matters most" in page


def test_a_physiotherapist_cannot_open_the_counselling_form(client_as):
    episode = episode_at(State.LISTED)
    assert client_as(Role.PHYSIOTHERAPIST).get(
        _url("counselling_new", episode)).status_code == 403


def test_counselling_on_an_episode_not_yet_listed_shows_the_pathway_message(client_as):
    episode = episode_at(State.MDT_DECIDED)
    response = client_as(Role.NURSE_SPECIALIST).post(_url("counselling_new", episode),
                                                     _counselling_post(timezone.localdate()))
    page = response.content.decode()
    assert "Cannot record counselling while the episode is at &#39;MDT decided&#39;" in page
    assert "&#39;Listed for surgery&#39; or &#39;Counselling&#39;" in page
    assert not CounsellingSession.objects.exists()


def test_a_nurse_specialist_cannot_open_the_consent_form(client_as):
    episode = counselled_episode(timezone.localdate())
    assert client_as(Role.NURSE_SPECIALIST).get(_url("consent_new", episode)).status_code == 403


def test_signing_inside_the_cooling_off_period_shows_the_first_allowed_date(client_as, settings):
    policy_version_make(consent_cooling_off_days=14)
    today = timezone.localdate()
    episode = counselled_episode(today)
    first = today + datetime.timedelta(days=14)
    response = client_as(Role.NEUROSURGEON).post(_url("consent_new", episode), {
        **CONSENT_FIELDS, "signature_method": "typed", "patient_typed_name": "Alex Testpatient",
        "patient_signed_on-day": today.day, "patient_signed_on-month": today.month,
        "patient_signed_on-year": today.year})
    page = response.content.decode()
    assert f"Consent cannot be signed before {first.day} {first:%B %Y}" in page
    assert "local policy" in page
    assert not Consent.objects.exists()


def test_a_typed_signature_needs_the_name(client_as, settings):
    policy_version_make(consent_cooling_off_days=0)
    today = timezone.localdate()
    episode = counselled_episode(today)
    response = client_as(Role.NEUROSURGEON).post(_url("consent_new", episode), {
        **CONSENT_FIELDS, "signature_method": "typed", "patient_signed_on-day": today.day,
        "patient_signed_on-month": today.month, "patient_signed_on-year": today.year})
    assert b"Enter the patient&#39;s name as they typed it" in response.content


def test_a_neurosurgeon_records_consent_signed_on_paper(client_as, settings):
    policy_version_make(consent_cooling_off_days=0)
    today = timezone.localdate()
    episode = counselled_episode(today)
    client = client_as(Role.NEUROSURGEON)
    response = client.post(_url("consent_new", episode), {
        **CONSENT_FIELDS, "signature_method": "paper", "patient_signed_on-day": today.day,
        "patient_signed_on-month": today.month, "patient_signed_on-year": today.year})
    assert response.status_code == 302
    consent = Consent.objects.get()
    assert consent.surgeon == client.user and consent.signature_method == "paper"
    episode.refresh_from_db()
    assert episode.state == State.CONSENTED


def test_the_consent_form_lists_exactly_the_risks_disclosed(client_as, settings):
    episode = _consented(settings)
    client = client_as(Role.NEUROLOGIST)
    response = client.get(_url("consent_pdf", episode))
    assert response["Content-Type"] == "application/pdf"
    text = _pdf_text(response.content)
    for risk in SD_RISKS:
        assert _norm(risk.patient_description) in text
    for risk in RISKS:
        if risk.intervention is not Intervention.SELECTIVE_DENERVATION:
            assert _norm(risk.patient_description) not in text
            assert risk.name not in text
    assert "Alex Testpatient" in text
    assert AuditEvent.objects.filter(object_type="consent", action=AuditAction.DOWNLOAD,
                                     actor=client.user, patient_id=episode.patient_id).exists()


def test_the_consent_form_shows_the_risk_as_it_was_disclosed_not_as_it_is_now(client_as,
                                                                                settings):
    policy_version_make(consent_cooling_off_days=0)
    today = timezone.localdate()
    episode = counselled_episode(today)
    # The catalogue changes after counselling: the frozen disclosure is what was shown. (The
    # disclosure is append-only, so the test writes the older wording past the guard.)
    RiskDisclosure._base_manager.filter(risk_code="SD_HAEMATOMA").update(
        patient_description="Bleeding under the wound, as worded at the time.")
    services.consent_create(episode=episode, signature_method="paper", patient_typed_name="",
                            patient_signed_on=today, surgeon_signed_on=today,
                            details=CONSENT_DETAILS,
                            actor=Actor.command_line(UserFactory(role=Role.NEUROSURGEON)))
    text = _pdf_text(client_as(Role.NEUROSURGEON).get(_url("consent_pdf", episode)).content)
    assert "as worded at the time" in text
    haematoma = next(r for r in SD_RISKS if r.code == "SD_HAEMATOMA")
    assert _norm(haematoma.patient_description) not in text


def test_the_consent_form_is_not_found_before_consent(client_as):
    episode = counselled_episode(timezone.localdate())
    assert client_as(Role.NEUROSURGEON).get(_url("consent_pdf", episode)).status_code == 404


def test_the_overview_lists_many_sessions_in_a_bounded_number_of_queries(
        client_as, django_assert_max_num_queries):
    episode = episode_at(State.LISTED)
    nurse = UserFactory(role=Role.NURSE_SPECIALIST)
    for n in range(15):
        services.counselling_session_create(
        aids_shown=("patient", "clinician"),
            episode=episode, held_on=datetime.date(2026, 1, 1) + datetime.timedelta(days=n),
            answers={"matters_most": "x"}, acknowledged=frozenset(services.sd_risk_codes()),
            actor=Actor.command_line(nurse))
    client = client_as(Role.NEUROLOGIST)
    # Fixed: the scoped patient and episode reads with their audit entries (episode_get
    # also prefetches the episode's status history), and the local-policy versions the latest
    # session's cooling-off period comes from; none of them grows with the sessions.
    with django_assert_max_num_queries(16):
        response = client.get(_url("episode_consent", episode))
    assert response.content.decode().count("-patient (produced") == 15


@pytest.fixture
def token(db):
    user = UserFactory(role=Role.PHYSIOTHERAPIST)
    return {"HTTP_AUTHORIZATION": "Bearer " + api_token_create(
        user=user, actor=Actor.command_line(user))}


def test_the_api_gives_counselling_and_consent_and_audits_them(client, token, settings):
    episode = _consented(settings)
    base = f"/api/v1/patients/{episode.patient_id}/episodes/{episode.pk}"
    sessions = client.get(f"{base}/counselling", **token).json()
    assert len(sessions) == 1
    assert [d["risk_code"] for d in sessions[0]["disclosures"]] == [r.code for r in SD_RISKS]
    consent = client.get(f"{base}/consent", **token).json()
    assert consent["procedure"] == services.SD_PROCEDURE
    assert consent["risks_disclosed"] == [r.code for r in SD_RISKS]
    api_reads = AuditEvent.objects.filter(channel="api", patient_id=episode.patient_id)
    assert {e.object_type for e in api_reads} >= {"counselling_sessions", "consent"}


def test_the_api_refuses_an_administrator_and_404s_a_missing_consent(client, db):
    episode = counselled_episode(timezone.localdate())
    base = f"/api/v1/patients/{episode.patient_id}/episodes/{episode.pk}"
    admin = UserFactory(role=Role.ADMINISTRATOR)
    admin_token = {"HTTP_AUTHORIZATION": "Bearer " + api_token_create(
        user=admin, actor=Actor.command_line(admin))}
    assert client.get(f"{base}/counselling", **admin_token).status_code == 403
    nurse = UserFactory(role=Role.NURSE_SPECIALIST)
    nurse_token = {"HTTP_AUTHORIZATION": "Bearer " + api_token_create(
        user=nurse, actor=Actor.command_line(nurse))}
    assert client.get(f"{base}/consent", **nurse_token).status_code == 404


def test_the_timeline_shows_counselling_and_consent_in_two_queries(
        settings, django_assert_max_num_queries):
    from collis.consent.timeline import timeline_events

    episode = _consented(settings)
    with django_assert_max_num_queries(2):
        events = timeline_events(episode.patient)
    assert sorted(e.kind for e in events) == ["consent", "counselling"]


# --- what may be done now is the pathway table's answer, on the page and on a direct POST

def test_the_counselling_form_says_when_saving_it_starts_counselling(client_as):
    client = client_as(Role.NURSE_SPECIALIST)
    listed = episode_at(State.LISTED)
    assert "Saving this starts counselling on the pathway" in client.get(
        _url("counselling_new", listed)).content.decode()
    counselling = counselled_episode(timezone.localdate())
    assert "Saving this starts counselling on the pathway" not in client.get(
        _url("counselling_new", counselling)).content.decode()


def test_the_overview_offers_counselling_only_where_the_pathway_allows_it(client_as):
    client = client_as(Role.NURSE_SPECIALIST)
    assert "Record counselling" in client.get(
        _url("episode_consent", episode_at(State.LISTED))).content.decode()
    assert "Record counselling" not in client.get(
        _url("episode_consent", episode_at(State.MDT_DECIDED))).content.decode()


def test_a_second_consent_posted_directly_is_refused_with_the_pathways_message(client_as,
                                                                               settings):
    episode = _consented(settings)
    client = client_as(Role.NEUROSURGEON)
    assert "Record consent" not in client.get(_url("episode_consent", episode)).content.decode()
    today = timezone.localdate()
    page = client.post(_url("consent_new", episode), {
        **CONSENT_FIELDS, "signature_method": "paper", "patient_signed_on-day": today.day,
        "patient_signed_on-month": today.month, "patient_signed_on-year": today.year,
    }).content.decode()
    assert "Cannot record consent while the episode is at &#39;Consented&#39;" in page
    assert Consent.objects.filter(episode=episode).count() == 1


# --- reads are scoped to the user's unit; form pages are audited; refusals are shown

PAGES = ("episode_consent", "decision_aid", "decision_aid_pdf", "counselling_new",
         "consent_new", "consent_pdf")


def test_another_units_staff_get_404_on_every_page_and_endpoint(client, settings):
    from collis.patients.tests.factories import other_unit_patient

    policy_version_make(consent_cooling_off_days=0)
    today = timezone.localdate()
    theirs = counselled_episode(today, patient=other_unit_patient())
    session = CounsellingSession.objects.get(episode=theirs)
    surgeon = UserFactory(role=Role.NEUROSURGEON)
    client.force_login(surgeon)
    for name in PAGES:
        assert client.get(_url(name, theirs)).status_code == 404, name
    assert client.get(_url("counselling_detail", theirs, session_id=session.pk)
                      ).status_code == 404
    assert client.post(_url("counselling_new", theirs),
                       _counselling_post(today)).status_code == 404
    assert client.post(_url("consent_new", theirs), {
        **CONSENT_FIELDS, "signature_method": "paper", "patient_signed_on-day": today.day,
        "patient_signed_on-month": today.month, "patient_signed_on-year": today.year,
    }).status_code == 404
    token = {"HTTP_AUTHORIZATION": "Bearer " + api_token_create(
        user=surgeon, actor=Actor.command_line(surgeon))}
    base = f"/api/v1/patients/{theirs.patient_id}/episodes/{theirs.pk}"
    for path in ("/counselling", "/consent"):
        response = client.get(base + path, **token)
        assert response.status_code == 404, path
        assert response.json() == {"detail": "No patient has this id."}
    assert CounsellingSession.objects.filter(episode=theirs).count() == 1
    assert not Consent.objects.exists()
    assert not AuditEvent.objects.filter(actor=surgeon, patient_id=theirs.patient_id).exists()


def test_an_episode_of_another_patient_is_404_on_the_api_too(client, token):
    episode = episode_at(State.LISTED)
    other = episode_at(State.LISTED)
    response = client.get(f"/api/v1/patients/{other.patient_id}/episodes/{episode.pk}"
                          "/counselling", **token)
    assert response.status_code == 404
    assert response.json() == {"detail": "No pathway episode of this patient has this id."}


def test_a_counselling_session_of_another_episode_is_not_found(client_as):
    theirs = counselled_episode(timezone.localdate())
    session = CounsellingSession.objects.get(episode=theirs)
    ours = episode_at(State.LISTED)
    assert client_as(Role.NEUROLOGIST).get(
        _url("counselling_detail", ours, session_id=session.pk)).status_code == 404


@pytest.mark.parametrize("name, role", [("counselling_new", Role.NURSE_SPECIALIST),
                                        ("consent_new", Role.NEUROSURGEON)])
def test_a_form_page_shows_the_patient_and_writes_one_patient_audit_row(client_as, name, role):
    episode = counselled_episode(timezone.localdate())
    client = client_as(role)
    assert client.get(_url(name, episode)).status_code == 200
    assert AuditEvent.objects.filter(object_type="patient", actor=client.user,
                                     patient_id=episode.patient_id).count() == 1


def test_the_counselling_form_audits_the_decision_aid_it_shows(client_as):
    episode = episode_at(State.LISTED)
    client = client_as(Role.NURSE_SPECIALIST)
    client.get(_url("counselling_new", episode))
    assert AuditEvent.objects.filter(object_type="decision_aid", action=AuditAction.VIEW,
                                     actor=client.user, patient_id=episode.patient_id,
                                     summary=f"Viewed the decision aid, clinician version, "
                                             f"for episode {episode.pk}").count() == 1


def test_a_refusal_of_consent_shows_on_the_whole_form(client_as, settings):
    policy_version_make(consent_cooling_off_days=0)
    today = timezone.localdate()
    episode = counselled_episode(today, acknowledged=frozenset())
    response = client_as(Role.NEUROSURGEON).post(_url("consent_new", episode), {
        **CONSENT_FIELDS, "signature_method": "paper", "patient_signed_on-day": today.day,
        "patient_signed_on-month": today.month, "patient_signed_on-year": today.year})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Not every risk has been discussed and understood" in page
    assert "nhsuk-error-summary" in page
    assert not Consent.objects.exists()


def test_counselling_posted_directly_on_a_consented_episode_is_refused_by_the_table(
        client_as, settings):
    episode = _consented(settings)
    page = client_as(Role.NURSE_SPECIALIST).post(
        _url("counselling_new", episode), _counselling_post(timezone.localdate())
    ).content.decode()
    assert ("Cannot record counselling while the episode is at &#39;Consented&#39;: that is "
            "done while it is at &#39;Listed for surgery&#39; or &#39;Counselling&#39;.") in page
    assert CounsellingSession.objects.filter(episode=episode).count() == 1


# --- corrections: correct a session, or mark it entered in error, keeping its history

def _amend_post(day, reason="The date was typed wrongly"):
    return _counselling_post(day) | {"correction_reason": reason}


def test_the_session_page_offers_corrections_only_to_roles_that_may_counsel(client_as):
    episode = counselled_episode(timezone.localdate())
    session = CounsellingSession.objects.get(episode=episode)
    page = client_as(Role.NURSE_SPECIALIST).get(
        _url("counselling_detail", episode, session_id=session.pk)).content.decode()
    assert "Correct this entry" in page and "Mark as entered in error" in page
    assert f"?amends={session.pk}" in page
    page = client_as(Role.PHYSIOTHERAPIST).get(
        _url("counselling_detail", episode, session_id=session.pk)).content.decode()
    assert "Correct this entry" not in page and "Mark as entered in error" not in page


def test_the_correction_form_is_pre_filled_from_the_session(client_as):
    held = timezone.localdate() - datetime.timedelta(days=3)
    episode = counselled_episode(held)
    session = CounsellingSession.objects.get(episode=episode)
    page = client_as(Role.NURSE_SPECIALIST).get(
        _url("counselling_new", episode) + f"?amends={session.pk}").content.decode()
    assert "Correct the counselling session" in page
    assert f'value="{held.day}"' in page and "Holding my head straight" in page
    assert "Reason for the correction" in page
    assert "Saving this starts counselling" not in page


def test_a_correction_without_a_reason_is_refused_on_the_reason(client_as):
    episode = counselled_episode(timezone.localdate())
    session = CounsellingSession.objects.get(episode=episode)
    response = client_as(Role.NURSE_SPECIALIST).post(
        _url("counselling_new", episode) + f"?amends={session.pk}",
        _amend_post(timezone.localdate(), reason=""))
    page = response.content.decode()
    assert response.status_code == 200
    assert 'href="#correction_reason"' in page and "Give the reason for the correction" in page
    assert CounsellingSession.objects.count() == 1


def test_a_nurse_corrects_a_session_and_both_versions_stay_reachable(client_as):
    day = timezone.localdate() - datetime.timedelta(days=2)
    episode = counselled_episode(day)
    original = CounsellingSession.objects.get(episode=episode)
    client = client_as(Role.NURSE_SPECIALIST)
    response = client.post(_url("counselling_new", episode) + f"?amends={original.pk}",
                           _amend_post(day - datetime.timedelta(days=1)))
    amended = CounsellingSession.objects.get(supersedes=original)
    assert response["Location"] == _url("counselling_detail", episode, session_id=amended.pk)
    original.refresh_from_db()
    assert original.record_status == "amended" and original.status_changed_by == client.user
    page = client.get(_url("counselling_detail", episode, session_id=amended.pk)).content
    assert b"History of this entry" in page and b"The date was typed wrongly" in page
    old_page = client.get(_url("counselling_detail", episode,
                               session_id=original.pk)).content.decode()
    assert "Superseded by a correction" in old_page and "Correct this entry" not in old_page
    overview = client.get(_url("episode_consent", episode)).content.decode()
    assert "Corrected counselling entries (1)" in overview
    assert overview.count("-patient (produced") == 1  # the summary table: current only


def test_marking_a_session_entered_in_error(client_as):
    episode = counselled_episode(timezone.localdate())
    session = CounsellingSession.objects.get(episode=episode)
    client = client_as(Role.NEUROSURGEON)
    url = _url("counselling_entered_in_error", episode, session_id=session.pk)
    page = client.get(url).content.decode()
    assert "Mark the counselling session as entered in error" in page
    assert "Why was this entered in error?" in page
    assert b"Give the reason" in client.post(url, {"correction_reason": ""}).content
    response = client.post(url, {"correction_reason": "Recorded on the wrong patient"})
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.record_status == "entered_in_error"
    page = client.get(_url("counselling_detail", episode, session_id=session.pk)).content
    assert b"Entered in error" in page and b"Recorded on the wrong patient" in page
    # A second attempt is refused by the service, with its message.
    page = client.post(url, {"correction_reason": "Again"}).content.decode()
    assert "already entered in error" in page


def test_corrections_are_refused_to_roles_without_the_capability(client_as):
    episode = counselled_episode(timezone.localdate())
    session = CounsellingSession.objects.get(episode=episode)
    client = client_as(Role.PHYSIOTHERAPIST)
    assert client.get(_url("counselling_entered_in_error", episode,
                           session_id=session.pk)).status_code == 403
    assert client.post(_url("counselling_entered_in_error", episode, session_id=session.pk),
                       {"correction_reason": "x"}).status_code == 403
    assert client.get(_url("counselling_new", episode)
                      + f"?amends={session.pk}").status_code == 403
    session.refresh_from_db()
    assert session.is_current


def test_corrections_of_another_units_session_are_not_found(client):
    from collis.patients.tests.factories import other_unit_patient

    theirs = counselled_episode(timezone.localdate(), patient=other_unit_patient())
    session = CounsellingSession.objects.get(episode=theirs)
    client.force_login(UserFactory(role=Role.NURSE_SPECIALIST))
    url = _url("counselling_entered_in_error", theirs, session_id=session.pk)
    assert client.get(url).status_code == 404
    assert client.post(url, {"correction_reason": "x"}).status_code == 404
    assert client.post(_url("counselling_new", theirs) + f"?amends={session.pk}",
                       _amend_post(timezone.localdate())).status_code == 404
    session.refresh_from_db()
    assert session.is_current


def test_a_consent_whose_session_was_corrected_says_so_and_stays_bound(client_as, settings):
    episode = _consented(settings)
    consent = Consent.objects.get(episode=episode)
    services.counselling_session_mark_entered_in_error(
        session=consent.counselling, reason="Wrong decision aid shown",
        actor=Actor.command_line(UserFactory(role=Role.NURSE_SPECIALIST)))
    client = client_as(Role.NEUROSURGEON)
    page = _norm(client.get(_url("episode_consent", episode)).content.decode())
    assert "was marked entered in error after consent was taken" in page
    text = _pdf_text(client.get(_url("consent_pdf", episode)).content)
    assert "marked entered in error after consent was taken" in text
    assert all(_norm(r.patient_description) in text for r in SD_RISKS)


def test_the_api_lists_current_sessions_with_their_status(client, token, settings):
    episode = _consented(settings)
    session = CounsellingSession.objects.get(episode=episode)
    services.counselling_session_create(
        aids_shown=("patient", "clinician"),
        episode=episode, held_on=session.held_on, answers={"matters_most": "x"},
        acknowledged=frozenset(services.sd_risk_codes()), amends=session,
        correction_reason="Answer recorded wrongly",
        actor=Actor.command_line(UserFactory(role=Role.NURSE_SPECIALIST)))
    base = f"/api/v1/patients/{episode.patient_id}/episodes/{episode.pk}"
    sessions = client.get(f"{base}/counselling", **token).json()
    assert [s["record_status"] for s in sessions] == ["current"]
    assert sessions[0]["id"] != session.pk
    consent = client.get(f"{base}/consent", **token).json()
    assert consent["counselling_id"] == session.pk
    assert consent["counselling_record_status"] == "amended"


def test_the_timeline_tags_a_corrected_session(settings):
    from collis.consent.timeline import timeline_events

    episode = counselled_episode(timezone.localdate())
    session = CounsellingSession.objects.get(episode=episode)
    services.counselling_session_mark_entered_in_error(
        session=session, reason="Duplicate",
        actor=Actor.command_line(UserFactory(role=Role.NURSE_SPECIALIST)))
    (event,) = timeline_events(episode.patient)
    assert event.kind == "counselling_entered_in_error"
    assert "(Entered in error)" in event.title and event.detail.startswith("Entered in error")
