"""Records of the assessments app made through its services, as the app makes them."""

import datetime

from collis.assessments import services
from collis.core.audit import Actor
from collis.domain.phenotype import Pattern, PatternObservation, Side

# A complete item-by-item TWSTRS: severity 17, disability 10, pain 8, total 35.
TWSTRS_ITEMS = {
    "rotation": 3, "laterocollis": 1, "anterocollis_retrocollis": 0, "lateral_shift": 0,
    "sagittal_shift": 0, "duration": 4, "sensory_trick": 1, "shoulder_elevation": 1,
    "range_of_motion": 2, "time_held_neutral": 1,
    "work": 2, "activities_of_daily_living": 2, "driving": 2, "reading": 1, "television": 1,
    "activities_outside_home": 2,
    "pain_severity": 4, "pain_duration": 2, "pain_disability": 2,
}


def actor_for(user=None):
    """A command-line actor; every clinical record names its author, so a neurologist when
    the test does not say who."""
    if user is None:
        from collis.core.roles import Role
        from collis.core.tests.factories import UserFactory

        user = UserFactory(role=Role.NEUROLOGIST)
    return Actor.command_line(user)


def make_diagnosis(patient, user=None, **changes):
    details = services.DiagnosisDetails(
        onset_age=44, regions=("neck",), course="static", variability="persistent",
        associated_features="isolated", nervous_system_pathology="none",
        aetiology="idiopathic", aetiology_subtype="sporadic")
    from dataclasses import replace

    current = services.diagnosis_current(patient)
    return services.diagnosis_version_create(
        patient=patient, details=replace(details, **changes),
        based_on_version=current.version if current else None, actor=actor_for(user))


def make_examination(patient, user=None, examined_on=datetime.date(2026, 10, 1),
                     patterns=None, tremor="mild"):
    patterns = patterns or (
        PatternObservation(Pattern.TORTICAPUT, Side.RIGHT, 3),
        PatternObservation(Pattern.LATEROCOLLIS, Side.LEFT, 1),
    )
    return services.examination_create(
        patient=patient, actor=actor_for(user),
        details=services.ExaminationDetails(
            examined_on=examined_on, patterns=tuple(patterns), tremor=tremor,
            sensory_trick="present", sensory_trick_effect="partial"))


def make_twstrs(patient, user=None, assessed_on=datetime.date(2026, 6, 1), **item_changes):
    return services.twstrs_create(patient=patient, assessed_on=assessed_on,
                                  items=TWSTRS_ITEMS | item_changes, actor=actor_for(user))


def another_units_patient():
    """A patient of another dystonia unit (its own organisation and clinic), whom the
    default unit's staff may not see."""
    from collis.core.models import Organisation
    from collis.patients.tests.factories import PatientFactory
    from collis.sites.models import Site

    unit = Organisation.objects.create(code="north", name="Northern dystonia unit")
    site = Site.objects.create(code="north-clinic", name="Northern clinic",
                               address="1 North Road\nLeeds", postcode="LS1 1AA",
                               organisation=unit)
    return PatientFactory(given_name="Theirs", home_site=site)


# The patient's own answers to the portal questionnaire (TWSTRS disability and pain
# sections): disability 9, pain 11.
PATIENT_ANSWERS = {"work": 2, "activities_of_daily_living": 1, "driving": 0, "reading": 3,
                   "television": 1, "activities_outside_home": 2, "pain_severity": 6,
                   "pain_duration": 3, "pain_disability": 2}


def send_patient_reported(patient, sent_on=datetime.date(2026, 7, 1), **answer_changes):
    """A questionnaire the patient sent through the portal on `sent_on` (at 10:00), saved
    and scored by the questionnaires service as the portal saves it."""
    import time_machine
    from django.utils import timezone

    from collis.core.models import AuditChannel
    from collis.domain.questionnaires import Due, DueReason, questionnaire_load
    from collis.questionnaires.selectors import DueQuestionnaire
    from collis.questionnaires.services import questionnaire_answers_save

    due = DueQuestionnaire(
        due=Due(due_on=sent_on, reason=DueReason.TOXIN_PEAK,
                anchor=sent_on - datetime.timedelta(days=28)),
        questionnaire=questionnaire_load("twstrs-patient"), draft=None)
    moment = timezone.make_aware(datetime.datetime.combine(sent_on, datetime.time(10)))
    with time_machine.travel(moment, tick=False):
        return questionnaire_answers_save(
            patient=patient, due=due, answers=PATIENT_ANSWERS | answer_changes, send=True,
            actor=Actor(user=None, channel=AuditChannel.WEB))
