"""Synthetic demo data: the unit's sites, one member of staff per role, and patients with
NHS numbers from the range reserved for testing (999 and other 9-prefixed numbers are never
issued) and plainly fictional names. Loading twice changes nothing."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

import nhs_number
from django.contrib.auth import get_user_model
from django.db import transaction

from collis.core.models import AccountType, Organisation
from collis.core.roles import Role
from collis.core.services import database_statistics_refresh
from collis.patients.models import Patient, Sex, name_key, patient_name_tokens_sync
from collis.sites.models import Site
from collis.sites.services import site_load_unit_sites

DEMO_PASSWORD = "collis-demo"  # noqa: S105 - documented demo credential, local use only

# (username, first name, last name, role)
DEMO_STAFF = (
    ("neurologist", "Nia", "Demo-Neurologist", Role.NEUROLOGIST),
    ("neurosurgeon", "Sam", "Demo-Surgeon", Role.NEUROSURGEON),
    # A second surgeon, so that the service audit has two to compare.
    ("neurosurgeon2", "Rui", "Demo-Surgeon-Two", Role.NEUROSURGEON),
    ("lead", "Lia", "Demo-Lead", Role.CLINICAL_LEAD),
    ("physio", "Pat", "Demo-Physio", Role.PHYSIOTHERAPIST),
    ("nurse", "Noor", "Demo-Nurse", Role.NURSE_SPECIALIST),
    ("coordinator", "Cal", "Demo-Coordinator", Role.MDT_COORDINATOR),
    ("auditor", "Aud", "Demo-Auditor", Role.AUDITOR),
    ("admin", "Ada", "Demo-Admin", Role.ADMINISTRATOR),
    ("editor", "Eda", "Demo-Editor", Role.CONTENT_EDITOR),
)

GIVEN_NAMES = (
    "Alex", "Bea", "Cass", "Dev", "Eli", "Fran", "Gus", "Hana", "Ivo", "Jo", "Kit", "Lou",
    "Mo", "Nell", "Ola", "Pip", "Quin", "Ren", "Suki", "Tam", "Uma", "Vic", "Wren", "Yas",
    "Zed", "Ari", "Bo", "Cy", "Dot", "Ez",
)
FAMILY_NAMES = (
    "Applebarrow", "Brightwater", "Cobblestone", "Dandelion", "Elderberry", "Fennimore",
    "Gooseberry", "Hazelnut", "Inkwell", "Juniperson", "Kettleby", "Lanternfield", "Marigold",
    "Nettlebed", "Oakapple", "Peppercorn", "Quillon", "Rosehip", "Saffronby", "Thistlewood",
    "Umbermoor", "Vellumby", "Willowherb", "Yarrowby", "Zephyrine", "Buttercup", "Candlewick",
    "Dewberry", "Figgleton", "Moonraker",
)
STREETS = ("Example Road", "Sample Street", "Fictional Avenue", "Placeholder Lane",
           "Demo Crescent", "Synthetic Square")
DISTRICTS = ("W1G", "W1W", "SW1W", "SE1", "N1", "E2", "NW3", "SE15", "W12", "EC1V")


def synthetic_nhs_number(stem: int) -> str | None:
    """The NHS number whose first nine digits are `stem` (9xxxxxxxx), or None where the
    modulus 11 check gives 10, which no NHS number may have."""
    digits = f"{stem:09d}"
    check = nhs_number.calculate_checksum(digits)
    return None if check is None or check == 10 else f"{digits}{check}"


def synthetic_patients(count: int, *, seed: int, sites: list[Site], stem_start: int):
    """Yield `count` unsaved synthetic patients, the same ones for the same arguments."""
    rng = random.Random(seed)
    stem = stem_start
    made = 0
    today = date(2026, 1, 1)
    while made < count:
        number = synthetic_nhs_number(stem)
        stem += 1
        if number is None:
            continue
        given = rng.choice(GIVEN_NAMES)
        family = rng.choice(FAMILY_NAMES)
        born = today - timedelta(days=rng.randint(20 * 365, 85 * 365))
        made += 1
        site = rng.choice(sites)
        yield Patient(
            nhs_number=number,
            given_name=given, family_name=family,
            given_key=name_key(given), family_key=name_key(family),
            date_of_birth=born,
            sex=rng.choices([Sex.FEMALE, Sex.MALE, Sex.OTHER], weights=[64, 34, 2])[0],
            address_line_1=f"{rng.randint(1, 250)} {rng.choice(STREETS)}",
            town="London",
            postcode=f"{rng.choice(DISTRICTS)} {rng.randint(1, 9)}"
                     f"{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}",
            phone=f"01632 960{rng.randint(0, 999):03d}",
            email=f"{given.lower()}.{family.lower()}@example.com",
            gp_practice=(practice := f"{rng.choice(FAMILY_NAMES)} Medical Centre (demo)"),
            gp_practice_email=f"{practice.split()[0].lower()}.surgery@example.com",
            referring_consultant=f"Dr {rng.choice(GIVEN_NAMES)} {rng.choice(FAMILY_NAMES)} "
                                 "(demo)",
            home_site=site, organisation_id=site.organisation_id,
        )


@dataclass
class DemoDataResult:
    sites_created: int
    users_created: int
    patients_created: int
    patients_total: int
    logins: list[tuple[str, str]]
    histories: int = 0


# Which demo user records each part of a demo patient's history.
HISTORY_AUTHORS = (
    ("assessments", "neurologist"),
    ("treatments", "neurologist"),
    ("investigations", "coordinator"),
)
DEMO_HISTORIES = 60  # patients with a clinical history; the rest have registry details only


def demo_histories_load(patients: list[Patient]) -> int:
    """Give each patient a synthetic clinical history, through each app's `demo.py`, and a
    stored candidacy assessment; each app skips patients who already have its records."""
    from importlib import import_module

    from collis.candidacy.models import CandidacyAssessmentRecord
    from collis.candidacy.services import candidacy_assess
    from collis.core.audit import Actor

    User = get_user_model()
    authors = {u.username: u for u in User.objects.filter(
        username__in=[name for _, name in HISTORY_AUTHORS] + ["neurologist", "coordinator"])}
    today = date(2026, 11, 1)
    loaded = 0
    for patient in patients:
        for app, author in HISTORY_AUTHORS:
            try:
                demo = import_module(f"collis.{app}.demo")
            except ModuleNotFoundError as error:
                if error.name != f"collis.{app}.demo":
                    raise
                continue
            rng = random.Random(f"{patient.nhs_number}-{app}")
            demo.demo_history(patient, rng, today, authors[author])
        if not CandidacyAssessmentRecord.objects.filter(patient=patient).exists():
            rng = random.Random(f"{patient.nhs_number}-candidacy")
            answers = {"fit_for_general_anaesthetic": rng.random() > 0.1,
                       "cervical_myelopathy": False, "prior_neck_surgery": False,
                       "wants_surgery": rng.random() > 0.3}
            candidacy_assess(patient=patient, answers=answers,
                             actor=Actor.command_line(authors["neurologist"]))
        if patient.nhs_number[-3:] < "300":  # about a third of them are on the pathway
            from collis.surgery.demo import demo_history as pathway_demo

            pathway_demo(patient, random.Random(f"{patient.nhs_number}-pathway"), today,
                         authors)
            from collis.mdt.demo import demo_history as mdt_demo

            mdt_demo(patient, random.Random(f"{patient.nhs_number}-mdt"), today,
                     authors["coordinator"])
        loaded += 1
    return loaded


DEMO_STEM_START = 999_000_000  # NHS numbers 999 000 000x upwards


@transaction.atomic
def demo_data_load(*, patients: int = 300) -> DemoDataResult:
    sites_created = site_load_unit_sites()
    users_created = 0
    User = get_user_model()
    unit = Organisation.objects.default()
    for username, first, last, role in DEMO_STAFF:
        if User.objects.filter(username=username).exists():
            continue
        user = User(username=username, first_name=first, last_name=last, role=role,
                    account_type=AccountType.STAFF, email=f"{username}@example.com",
                    organisation=None if role == Role.ADMINISTRATOR else unit,
                    is_staff=role == Role.ADMINISTRATOR,
                    is_superuser=role == Role.ADMINISTRATOR)
        user.set_password(DEMO_PASSWORD)
        user.full_clean()
        user.save()
        users_created += 1
    sites = list(Site.objects.order_by("code"))
    wanted = list(synthetic_patients(patients, seed=2026, sites=sites,
                                     stem_start=DEMO_STEM_START))
    existing = set(Patient.objects.filter(nhs_number__in=[p.nhs_number for p in wanted])
                   .values_list("nhs_number", flat=True))
    new = [p for p in wanted if p.nhs_number not in existing]
    patient_name_tokens_sync(Patient.objects.bulk_create(new, batch_size=500))
    with_history = list(Patient.objects.filter(
        nhs_number__in=[p.nhs_number for p in wanted[:DEMO_HISTORIES]]).order_by("nhs_number"))
    histories = demo_histories_load(with_history)
    from collis.public.demo import demo_public_load

    demo_public_load()
    from collis.reminders.demo import demo_contact_preferences_load
    from collis.scheduling.demo import demo_clinics_load

    demo_contact_preferences_load(with_history[:36])
    demo_clinics_load(with_history[:36])
    from collis.letters.demo import demo_letters_load

    demo_letters_load(with_history[36] if len(with_history) > 36 else None)
    from collis.portal.demo import demo_portal_load

    demo_portal_load(with_history[:1])
    from collis.fhir_api.demo import demo_groups_load

    demo_groups_load()
    from collis.service_audit.demo import demo_audit_cohort_load

    demo_audit_cohort_load(Patient.objects.filter(nhs_number__in=[
        p.nhs_number for p in wanted[DEMO_HISTORIES:]]).order_by("nhs_number"))
    from collis.scheduling.demo import demo_recall_load

    # Twelve patients due for toxin, after those the service audit's cohort operated on.
    from collis.service_audit.demo import COHORT

    due = wanted[DEMO_HISTORIES + COHORT:DEMO_HISTORIES + COHORT + 12]
    demo_recall_load(list(Patient.objects.filter(
        nhs_number__in=[p.nhs_number for p in due]).order_by("nhs_number")))
    if new:
        database_statistics_refresh()
    return DemoDataResult(
        sites_created=sites_created, users_created=users_created, patients_created=len(new),
        patients_total=Patient.objects.count(),
        logins=[(username, role.label) for username, _, _, role in DEMO_STAFF],
        histories=histories,
    )
