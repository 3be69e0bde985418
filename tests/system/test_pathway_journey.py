"""The whole selective denervation pathway in a real browser: one patient from referral to
the 3-month follow-up, each step by the role that owns it, axe on every page."""

import datetime
import random

import pypdf
import pytest
from playwright.sync_api import expect

from collis.assessments.demo import demo_history as assessments_demo
from collis.core.roles import Role
from collis.core.tests.factories import PASSWORD, UserFactory
from collis.domain.pathway import State
from collis.investigations.demo import demo_history as investigations_demo
from collis.patients.tests.factories import PatientFactory
from collis.surgery.models import Episode
from collis.treatments.demo import demo_history as treatments_demo
from tests.system.conftest import check_accessibility, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

TODAY = datetime.date.today()
COUNSELLED = TODAY - datetime.timedelta(days=150)
CONSENTED = COUNSELLED + datetime.timedelta(days=21)
OPERATED = CONSENTED + datetime.timedelta(days=7)
PHYSIO = OPERATED + datetime.timedelta(days=2)
REVIEWED = OPERATED + datetime.timedelta(days=92)


def as_user(page, user):
    page.context.clear_cookies()
    sign_in(page, user.username, PASSWORD)


def fill_date(page, legend, day: datetime.date):
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def open_episode(page, episode, name):
    page.goto(f"/patients/{episode.patient_id}/episodes/{episode.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Pathway episode")
    check_accessibility(page, name)


def move(page, episode, link, reason, name):
    open_episode(page, episode, f"{name}-episode")
    page.get_by_role("link", name=link).click()
    page.get_by_label("Reason").fill(reason)
    check_accessibility(page, name)
    page.get_by_role("button", name=link).click()
    expect(page.get_by_text("The episode is now at")).to_be_visible()


def test_one_patient_from_referral_to_the_three_month_follow_up(page):
    team = {role: UserFactory(role=role, first_name=role.label.split()[0],
                              last_name="Demo") for role in Role}
    coordinator, neurologist = team[Role.MDT_COORDINATOR], team[Role.NEUROLOGIST]
    surgeon, nurse = team[Role.NEUROSURGEON], team[Role.NURSE_SPECIALIST]
    physio = team[Role.PHYSIOTHERAPIST]
    patient = PatientFactory(given_name="Tam", family_name="Thistlewood")
    for demo in (assessments_demo, treatments_demo, investigations_demo):
        demo(patient, random.Random(7), TODAY - datetime.timedelta(days=200), neurologist)

    # Given a referral, recorded by the MDT coordinator
    as_user(page, coordinator)
    page.goto(f"/patients/{patient.pk}/pathway/")
    check_accessibility(page, "pathway-list")
    page.get_by_role("button", name="Record a referral").click()
    page.get_by_label("Referring consultant").fill("Dr Ari Demo-Referrer")
    page.get_by_label("GMC number").fill("1234567")
    page.get_by_label("Organisation").fill("Example Movement Disorders Clinic (demo)")
    page.get_by_label("Reason for referral").fill("Botulinum toxin is failing.")
    page.get_by_label("Routine").check()
    fill_date(page, "Date the referral was received", TODAY - datetime.timedelta(days=200))
    check_accessibility(page, "pathway-referral")
    page.get_by_role("button", name="Record the referral").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Referral received")
    episode = Episode.objects.get(patient=patient)
    move(page, episode, "Start triage", "", "pathway-triage")

    # When the neurologist accepts it at triage, with reasons
    as_user(page, neurologist)
    move(page, episode, "Accept the referral", "Focal rotational CD, toxin failing.",
         "pathway-accept")
    # And the coordinator puts it on the MDT list once the work-up is done
    as_user(page, coordinator)
    move(page, episode, "Work-up complete: put on the MDT list", "Work-up reviewed.",
         "pathway-work-up")
    assert Episode.objects.get(pk=episode.pk).state == State.AWAITING_MDT

    record_mdt_decision_and_funding(page, episode, team)
    assert Episode.objects.get(pk=episode.pk).state == State.FUNDING_APPROVED

    # When the neurosurgeon lists the patient for surgery
    as_user(page, surgeon)
    open_episode(page, episode, "pathway-before-listing")
    page.get_by_role("link", name="Put on the waiting list").click()
    fill_date(page, "Date listed", COUNSELLED - datetime.timedelta(days=7))
    page.get_by_label("Soon").check()
    page.get_by_label("Site").select_option(label="London Bridge Hospital")
    page.get_by_label("Surgeon").select_option(label=surgeon.display_name)
    check_accessibility(page, "pathway-listing")
    page.get_by_role("button", name="Put on the waiting list").click()
    page.goto("/waiting-list/")
    expect(page.get_by_role("table")).to_contain_text("THISTLEWOOD, Tam")
    check_accessibility(page, "pathway-waiting-list")

    # And the nurse specialist counsels with the decision aid, each risk acknowledged
    as_user(page, nurse)
    consent_page = f"/patients/{patient.pk}/episodes/{episode.pk}/consent/"
    page.goto(consent_page)
    page.get_by_role("button", name="Record counselling").click()
    fill_date(page, "Date of the counselling session", COUNSELLED)
    for box in page.get_by_label("discussed and understood").all():
        box.check()
    page.get_by_label("What matters most to you about your treatment?").fill(
        "Being able to drive and read again.")
    check_accessibility(page, "pathway-counselling")
    page.get_by_role("button", name="Save counselling").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Counselling on")

    # And the neurosurgeon records the consent after the cooling-off period
    as_user(page, surgeon)
    page.goto(consent_page)
    page.get_by_role("button", name="Record consent").click()
    page.get_by_label("The patient typed their name as a signature").check()
    page.get_by_label("Patient's name, typed by them as a signature").fill("Tam Thistlewood")
    fill_date(page, "Date the patient signed", CONSENTED)
    check_accessibility(page, "pathway-consent")
    page.get_by_role("button", name="Record consent").click()
    expect(page.get_by_text("The consent is recorded")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the consent form (PDF)").click()
    pdf = pypdf.PdfReader(download.value.path())
    assert "Thistlewood" in "".join(p.extract_text() for p in pdf.pages)

    # And records the operation
    page.goto(f"/patients/{patient.pk}/episodes/{episode.pk}/operation/record/")
    fill_date(page, "Date of the operation", OPERATED)
    page.get_by_label("Site").select_option(label="London Bridge Hospital")
    page.get_by_label("Surgeon").select_option(label=surgeon.display_name)
    page.get_by_role("radio", name="General anaesthetic").check()
    page.get_by_label("Anaesthetist").fill("Dr Birch Demo")
    page.get_by_label("Muscle (row 1)").select_option(value="sternocleidomastoid")
    page.get_by_label("Side (row 1)").select_option(value="left")
    page.get_by_label("Muscle (row 2)").select_option(value="splenius_capitis")
    page.get_by_label("Side (row 2)").select_option(value="right")
    check_accessibility(page, "pathway-operation")
    page.get_by_role("button", name="Save the operation note").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Operation")

    # And the physiotherapist starts the programme and records the first session
    as_user(page, physio)
    page.goto(f"/patients/{patient.pk}/episodes/{episode.pk}/physiotherapy/start/")
    fill_date(page, "Date of the first session", PHYSIO)
    page.get_by_label("Number of sessions").fill("6")
    page.get_by_label("Days between sessions").fill("7")
    check_accessibility(page, "pathway-physio-start")
    page.get_by_role("button").filter(has_text="Start").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("hysiotherapy")
    check_accessibility(page, "pathway-physio")

    # Then the neurologist records the 3-month review with a TWSTRS
    as_user(page, neurologist)
    page.goto(f"/patients/{patient.pk}/episodes/{episode.pk}/follow-up/reviews/3/")
    fill_date(page, "Date of the review", REVIEWED)
    page.get_by_label("TWSTRS severity").fill("12")
    page.get_by_label("TWSTRS disability").fill("8")
    page.get_by_label("TWSTRS pain").fill("5")
    check_accessibility(page, "pathway-review")
    page.get_by_role("button").filter(has_text="Save").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("ollow-up")
    check_accessibility(page, "pathway-follow-up")

    # And every step shows who made it, when and why
    episode.refresh_from_db()
    assert episode.state == State.FOLLOW_UP
    open_episode(page, episode, "pathway-history")
    history = page.get_by_role("table").last
    for who in (coordinator, neurologist, surgeon, nurse):
        expect(history).to_contain_text(who.display_name)
    expect(history).to_contain_text("Focal rotational CD, toxin failing.")


def record_mdt_decision_and_funding(page, episode, team):
    """The coordinator takes the episode to the MDT, records its decision for selective
    denervation, and obtains funding."""
    from collis.candidacy.services import candidacy_assess
    from collis.core.audit import Actor

    # The neurologist assessed candidacy before the meeting (the candidacy journey does
    # this step in the browser).
    candidacy_assess(patient=episode.patient, answers={"wants_surgery": True},
                     actor=Actor.command_line(team[Role.NEUROLOGIST]))
    coordinator = team[Role.MDT_COORDINATOR]
    as_user(page, coordinator)
    page.goto("/mdt/")
    check_accessibility(page, "pathway-mdt-meetings")
    page.get_by_role("link", name="Create a meeting").click()
    fill_date(page, "Date of the meeting", TODAY - datetime.timedelta(days=190))
    page.get_by_label("Site").select_option(label="The Harley Street Clinic")
    for role in (Role.NEUROLOGIST, Role.NEUROSURGEON, Role.PHYSIOTHERAPIST):
        page.get_by_label(f"{team[role].display_name} ({role.label})").check()
    page.get_by_role("button", name="Create the meeting").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("MDT meeting")
    page.get_by_label("Episode awaiting the MDT").select_option(str(episode.pk))
    page.get_by_role("button", name="Add to the agenda").click()
    page.get_by_role("link", name="THISTLEWOOD, Tam").click()
    expect(page.get_by_text("collis-sd-candidacy/1").first).to_be_visible()
    check_accessibility(page, "pathway-mdt-item")
    page.get_by_label("Discussion").fill("Rotational CD; toxin failing; SD offered.")
    page.get_by_label("Selective denervation", exact=True).check()
    page.get_by_label("Reason for departing from the engine's recommendation").fill(
        "The team judges the involved groups fewer than the engine counted.")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_text("Selective denervation").first).to_be_visible()
    check_accessibility(page, "pathway-mdt-decided")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the outcome letter (PDF)").click()
    letter = pypdf.PdfReader(download.value.path())
    assert "Selective denervation" in "".join(p.extract_text() for p in letter.pages)

    # Funding: a prior-approval request, submitted and approved
    page.goto(f"/patients/{episode.patient_id}/episodes/{episode.pk}/funding/")
    page.get_by_role("link", name="Request funding").click()
    page.get_by_label("Prior approval").check()
    page.get_by_label("Commissioner").fill("NHS England specialised commissioning (demo)")
    page.get_by_role("button", name="Draw up the request").click()
    expect(page.get_by_text("A60.6 + Z92.3")).to_be_visible()
    check_accessibility(page, "pathway-funding")
    page.get_by_label("Submitted").check()
    page.get_by_label("Reference number").fill("PA-2026-0042")
    fill_date(page, "Date submitted", TODAY - datetime.timedelta(days=185))
    page.get_by_role("button", name="Save the status").click()
    expect(page.get_by_role("heading", name="Funding request: submitted")).to_be_visible()
    page.get_by_label("Approved").check()
    fill_date(page, "Date of the decision", TODAY - datetime.timedelta(days=175))
    fill_date(page, "Approval expires", TODAY + datetime.timedelta(days=180))
    page.get_by_role("button", name="Save the status").click()
    expect(page.get_by_role("heading", name="Funding request: approved")).to_be_visible()
