"""Every assessment, counselling, consent and follow-up schedule keeps the local-policy
version it used, and pages and documents say "local policy, not yet signed off" until the
values they rely on are signed off."""

import datetime
import io
import re

import pypdf
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from collis.candidacy.services import candidacy_assess
from collis.consent import services as consent_services
from collis.consent.models import Consent, SignatureMethod
from collis.consent.tests.factories import CONSENT_DETAILS, counselled_episode
from collis.core.audit import Actor
from collis.core.roles import Role
from collis.core.tests.factories import UserFactory
from collis.domain.policy import POLICY_SETTINGS
from collis.outcomes import services as outcome_services
from collis.outcomes.selectors import follow_up_get
from collis.outcomes.tests.factories import make_episode, operate, start_physio
from collis.patients.tests.factories import PatientFactory
from collis.policy import services
from collis.policy.models import PolicyVersion
from collis.policy.presenters import CANDIDACY_KEYS
from collis.policy.tests.factories import policy_version_make

TODAY = timezone.localdate()
NOT_SIGNED_OFF = "Local policy, not yet signed off"


@pytest.fixture
def lead(db):
    return UserFactory(role=Role.CLINICAL_LEAD, first_name="Alex", last_name="Lead")


def _sign_off(lead, values=None, confirmed=frozenset(), reason="Governance meeting"):
    return services.policy_version_create(
        values=values or {}, confirmed=confirmed, reason=reason, effective_from=TODAY,
        actor=Actor.command_line(lead))


def _text(pdf: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def _consent(episode, signed_on=TODAY):
    return consent_services.consent_create(
        episode=episode, signature_method=SignatureMethod.PAPER, patient_typed_name="",
        patient_signed_on=signed_on, surgeon_signed_on=signed_on, details=CONSENT_DETAILS,
        actor=Actor.command_line(UserFactory(role=Role.NEUROSURGEON)))


# -- candidacy ------------------------------------------------------------------------

def test_an_assessment_keeps_the_version_in_force_and_uses_its_values(sites, lead):
    version = _sign_off(lead, {"numerous_muscle_groups": 3})
    record = candidacy_assess(patient=PatientFactory(), answers={},
                              actor=Actor.command_line(UserFactory(role=Role.NEUROLOGIST)))
    assert record.policy_version == version
    stored = {p["name"]: p["value"] for p in record.policy}
    assert stored["numerous_muscle_groups"] == 3


def test_the_candidacy_page_says_not_yet_signed_off_until_the_lead_signs_it_off(
        sites, lead, client_as):
    patient = PatientFactory()
    clinician = Actor.command_line(UserFactory(role=Role.NEUROLOGIST))
    before = candidacy_assess(patient=patient, answers={}, actor=clinician)
    _sign_off(lead, confirmed=set(CANDIDACY_KEYS))
    after = candidacy_assess(patient=patient, answers={}, actor=clinician)
    client = client_as(Role.NEUROLOGIST)

    def page(record):
        return client.get(reverse("candidacy:candidacy_detail",
                                  args=[patient.pk, record.pk])).content.decode()

    old = page(before)
    assert NOT_SIGNED_OFF in old and "local policy version 1" in old
    assert "Muscle groups, counted per side, at which SD is unfavourable: 4 muscle groups" in old
    assert NOT_SIGNED_OFF not in page(after)


# -- counselling and consent ----------------------------------------------------------

def test_counselling_keeps_the_version_in_force_when_it_was_recorded(db):
    version = policy_version_make(consent_cooling_off_days=5)
    episode = counselled_episode(TODAY)
    session = episode.counselling_sessions.get()
    assert session.policy_version == version
    assert consent_services.cooling_off_days(session) == 5


def test_consent_uses_the_cooling_off_of_its_counselling_not_a_later_change(db):
    given = policy_version_make(consent_cooling_off_days=0)
    episode = counselled_episode(TODAY)
    policy_version_make(consent_cooling_off_days=30)  # changed after the counselling
    consent = _consent(episode, TODAY)
    assert consent.cooling_off_days == 0 and consent.policy_version == given


def test_a_counselling_recorded_after_a_change_uses_the_new_period(db):
    policy_version_make(consent_cooling_off_days=0)
    policy_version_make(consent_cooling_off_days=21)
    episode = counselled_episode(TODAY)
    with pytest.raises(ValidationError) as refused:
        _consent(episode, TODAY)
    assert "the cooling-off period of 21 days (local policy)" in (
        refused.value.message_dict["patient_signed_on"][0])


def test_the_consent_page_and_form_say_not_yet_signed_off_then_stop_once_signed_off(
        lead, client_as):
    policy_version_make(consent_cooling_off_days=0)
    episode = counselled_episode(TODAY)
    consent = _consent(episode)
    client = client_as(Role.NEUROSURGEON)
    url = reverse("consent:episode_consent", kwargs={"patient_id": episode.patient_id,
                                                     "episode_id": episode.pk})
    page = client.get(url).content.decode()
    assert NOT_SIGNED_OFF in page
    assert "Cooling-off period between counselling and consent: 0 days" in page
    pdf = _text(client.get(reverse("consent:consent_pdf", kwargs={
        "patient_id": episode.patient_id, "episode_id": episode.pk})).content)
    assert NOT_SIGNED_OFF in pdf and "0 days (local policy, version 2)" in pdf

    # Signed off with the same value: a new consent under it carries no notice; the one
    # above still rests on a value that was not signed off when it was given.
    _sign_off(lead, confirmed={"consent_cooling_off_days"})
    other = counselled_episode(TODAY)
    signed = _consent(other)
    assert NOT_SIGNED_OFF not in client.get(reverse("consent:episode_consent", kwargs={
        "patient_id": other.patient_id, "episode_id": other.pk})).content.decode()
    assert signed.policy_version.signed_off == ["consent_cooling_off_days"]
    assert NOT_SIGNED_OFF in client.get(url).content.decode()
    assert consent.policy_version.number == 2


def test_a_consent_from_before_policy_versions_says_so(sites, client_as):
    episode = make_episode(PatientFactory())  # its consent is written without a version
    consent = Consent.objects.get(episode=episode)
    assert consent.policy_version is None
    page = client_as(Role.NEUROSURGEON).get(reverse("consent:episode_consent", kwargs={
        "patient_id": episode.patient_id, "episode_id": episode.pk})).content.decode()
    assert "14 days (local policy, from before policy versions)" in page
    assert "the local policy from before policy versions were kept" in page


# -- follow-up schedule ---------------------------------------------------------------

def test_an_operation_keeps_its_schedule_when_the_policy_changes_later(sites):
    episode = make_episode(PatientFactory())
    operation = operate(episode)
    start_physio(episode)
    assert operation.policy_version.number == 1
    policy_version_make(follow_up_review_months=[1, 2])
    data = follow_up_get(episode=episode, actor=Actor.command_line(
        UserFactory(role=Role.NEUROLOGIST)), today=datetime.date(2026, 3, 10))
    assert [p.point.months_after for p in data.schedule][:3] == [3, 6, 12]
    assert data.policy.version.number == 1
    with pytest.raises(ValidationError, match="There is no review at 1 months"):
        outcome_services.follow_up_review_create(
            episode=episode, actor=Actor.command_line(UserFactory(role=Role.NEUROLOGIST)),
            details=outcome_services.ReviewDetails(
                months_after=1, reviewed_on=datetime.date(2026, 4, 2), tsui_total=4))


def test_a_new_operation_follows_the_changed_schedule_and_its_reviews_keep_the_version(
        sites):
    version = policy_version_make(follow_up_review_months=[1, 6],
                                  follow_up_review_window_weeks=2)
    episode = make_episode(PatientFactory())
    operate(episode)  # 2 March 2026
    start_physio(episode)
    actor = Actor.command_line(UserFactory(role=Role.NEUROLOGIST))
    data = follow_up_get(episode=episode, actor=actor, today=datetime.date(2026, 3, 10))
    assert [p.point.months_after for p in data.schedule] == [1, 6]
    review = outcome_services.follow_up_review_create(
        episode=episode, actor=actor, details=outcome_services.ReviewDetails(
            months_after=1, reviewed_on=datetime.date(2026, 4, 2), tsui_total=4))
    assert review.policy_version == version
    with pytest.raises(ValidationError, match="2 weeks either side"):
        outcome_services.follow_up_review_create(
            episode=episode, actor=actor, details=outcome_services.ReviewDetails(
                months_after=6, reviewed_on=datetime.date(2026, 7, 20), tsui_total=4))


def test_the_follow_up_page_says_not_yet_signed_off_until_signed_off(sites, lead, client_as):
    episode = make_episode(PatientFactory())
    operate(episode)
    client = client_as(Role.NEUROLOGIST)
    url = reverse("outcomes:follow_up", kwargs={"patient_id": episode.patient_id,
                                                "episode_id": episode.pk})
    page = client.get(url).content.decode()
    assert NOT_SIGNED_OFF in page
    assert "Follow-up reviews, in months after the operation: 3, 6, 12 months" in page
    _sign_off(lead, confirmed={s.key for s in POLICY_SETTINGS})
    later = make_episode(PatientFactory())
    operate(later)
    assert NOT_SIGNED_OFF not in client.get(reverse("outcomes:follow_up", kwargs={
        "patient_id": later.patient_id, "episode_id": later.pk})).content.decode()
    assert PolicyVersion.objects.count() == 2


# -- botulinum toxin dose warnings ----------------------------------------------------

def test_the_toxin_unit_warning_follows_the_policy_in_force_on_the_day_of_the_cycle(sites):
    from collis.treatments.selectors import proposed_cycle_check

    class Row:
        muscle, side, units = "splenius_capitis", "right", 280.0

    patient = PatientFactory()

    def warned():
        check = proposed_cycle_check(patient=patient, given_on=TODAY,
                                     product="onabotulinumtoxinA", injections=[Row()])
        return [w.code for w in check.units.warnings]

    assert warned() == []  # 280 U is under version 1's 300 U
    policy_version_make(toxin_unit_limits__session_max_units__onabotulinumtoxinA=250.0)
    assert warned()  # over the new 250 U


def test_a_version_stored_before_a_value_was_added_reads_its_default(client_as):
    from collis.domain.policy import DEFAULT_AUDIT_MIN_GROUP_SIZE
    from collis.policy.models import PolicyVersion
    from collis.policy.selectors import policy_in_force

    version = PolicyVersion.objects.every()[0]
    values = {k: v for k, v in version.values.items() if k != "audit_min_group_size"}
    PolicyVersion._base_manager.filter(pk=version.pk).update(values=values)
    assert policy_in_force().policy.audit_min_group_size == DEFAULT_AUDIT_MIN_GROUP_SIZE
    assert policy_in_force().words("audit_min_group_size") == "5 patients"
    lead = client_as(Role.CLINICAL_LEAD)
    assert lead.get("/policy/").status_code == 200
    assert lead.get("/policy/change/").status_code == 200
