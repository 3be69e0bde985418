import datetime

import factory
from django.db import transaction

from collis.core.tests.factories import UserFactory
from collis.patients.tests.factories import PatientFactory
from collis.sites.models import Site
from collis.treatments.models import (
    Guidance,
    Medication,
    ResistanceTest,
    TherapyKind,
    TherapySession,
    ToxinCycle,
    ToxinInjection,
    ToxinReview,
)
from collis.treatments.services import toxin_last_cycle_refresh


class ToxinCycleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ToxinCycle
        skip_postgeneration_save = True

    patient = factory.SubFactory(PatientFactory)
    given_on = datetime.date(2026, 6, 1)
    product = "onabotulinumtoxinA"
    batch_number = factory.Sequence(lambda n: f"C{n:05d}")
    guidance = Guidance.EMG
    injector = factory.SubFactory(UserFactory)
    site = factory.LazyFunction(lambda: Site.objects.order_by("code").first())
    created_by = factory.SelfAttribute("injector")

    @factory.post_generation
    def last_cycle(obj, create, extracted, **kwargs):
        """The factory writes past the toxin services, so it keeps their copy for the
        recall list as they do."""
        if create:
            with transaction.atomic():
                toxin_last_cycle_refresh(obj.patient_id)


class ToxinInjectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ToxinInjection

    cycle = factory.SubFactory(ToxinCycleFactory)
    muscle = "sternocleidomastoid"
    side = "left"
    units = 50


class ToxinReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ToxinReview

    cycle = factory.SubFactory(ToxinCycleFactory)
    # Late enough for the weeks of benefit it reports to have passed.
    reviewed_on = factory.LazyAttribute(
        lambda o: o.cycle.given_on + datetime.timedelta(weeks=max(6, o.benefit_weeks)))
    peak_benefit_percent = 70
    benefit_weeks = 11
    created_by = factory.SelfAttribute("cycle.created_by")


class ResistanceTestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ResistanceTest

    patient = factory.SubFactory(PatientFactory)
    tested_on = datetime.date(2026, 7, 1)
    kind = "frontalis"
    result = "not_resistant"
    created_by = factory.SubFactory(UserFactory)


class MedicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Medication

    patient = factory.SubFactory(PatientFactory)
    drug_name = "Trihexyphenidyl"
    dose_amount = "2"
    dose_unit = "mg"
    frequency = "three times a day"
    started_on = datetime.date(2025, 1, 10)
    created_by = factory.SubFactory(UserFactory)


class TherapySessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TherapySession

    patient = factory.SubFactory(PatientFactory)
    kind = TherapyKind.PHYSIOTHERAPY
    session_on = datetime.date(2026, 5, 5)
    therapist = factory.SubFactory(UserFactory)
    duration_minutes = 45
    created_by = factory.SelfAttribute("therapist")


def cycle_with(patient, given_on, *, units=(100, 60, 40), benefit=None, weeks=None,
               product="onabotulinumtoxinA", **kwargs):
    """A cycle with injections into SCM (left), splenius capitis (right) and trapezius
    (right), and a review when `benefit` is given."""
    cycle = ToxinCycleFactory(patient=patient, given_on=given_on, product=product, **kwargs)
    for position, (muscle, side, u) in enumerate(zip(
            ("sternocleidomastoid", "splenius_capitis", "trapezius"),
            ("left", "right", "right"), units, strict=False)):
        ToxinInjectionFactory(cycle=cycle, position=position, muscle=muscle, side=side, units=u)
    if benefit is not None:
        ToxinReviewFactory(cycle=cycle, peak_benefit_percent=benefit, benefit_weeks=weeks or 0)
    return cycle
