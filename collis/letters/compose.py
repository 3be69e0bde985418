"""The first draft of a clinic letter, composed from the record: who it is to, the
diagnosis, what was done at the appointment (the toxin cycle given that day, dose per muscle
and side), the response to the last reviewed cycle, the plan (the clinic outcome) and the
next appointment. The clinician edits every section before sending."""

from __future__ import annotations

from django.utils import timezone

from collis.assessments.models import DiagnosisVersion
from collis.core.presenters import date_long, datetime_long
from collis.domain.scheduling import ClinicOutcome
from collis.treatments.selectors import toxin_cycles_of


def _diagnosis(patient) -> str:
    latest = DiagnosisVersion.objects.filter(patient=patient).order_by("-version").first()
    if latest is None or not latest.distribution:
        return "Dystonia (the classification is not yet recorded)."
    return f"{latest.get_distribution_display()} dystonia."


def _treatment(cycle) -> str:
    if cycle is None:
        return "No botulinum toxin was given at this appointment."
    lines = [f"{cycle.product_label}, batch {cycle.batch_number}, given on "
             f"{date_long(cycle.given_on)} with {cycle.get_guidance_display().lower()} "
             f"guidance: {cycle.total_units} units in all."]
    lines += [f"- {i.get_muscle_display()} ({i.get_side_display().lower()}): {i.units} units"
              for i in cycle.injections.all()]
    return "\n".join(lines)


def _response(cycles) -> str:
    reviewed = [c for c in cycles if c.review is not None]
    if not reviewed:
        return "No earlier cycle has been reviewed yet."
    cycle = reviewed[-1]
    review = cycle.review
    effects = [label for flag, label in ((review.dysphagia, "difficulty swallowing"),
                                         (review.neck_weakness, "neck weakness")) if flag]
    if review.other_side_effect:
        effects.append(review.other_side_effect)
    text = (f"After the cycle of {date_long(cycle.given_on)}: peak benefit "
            f"{review.peak_benefit_percent}%, lasting {review.benefit_weeks} weeks.")
    text += (f" Side effects: {', '.join(effects)}." if effects else " No side effects.")
    return text


def letter_sections(appointment) -> dict[str, str]:
    patient = appointment.patient
    site = appointment.session.room.site
    day = timezone.localtime(appointment.starts_at).date()
    cycles = list(toxin_cycles_of(patient))
    given = next((c for c in cycles if c.given_on == day), None)
    seen = appointment.history.filter(status="seen").order_by("-at").first()
    outcome = ClinicOutcome(seen.outcome).label if seen and seen.outcome else ""
    following = patient.appointments.holding().filter(
        starts_at__gt=appointment.starts_at).select_related("session__room__site").order_by(
        "starts_at").first()
    kind = appointment.get_appointment_type_display().lower()
    kind = kind if kind.endswith("clinic") else f"{kind} clinic"
    recipients = [f"The GP, {patient.gp_practice}" if patient.gp_practice
                  else "The GP (practice not recorded)"]
    if patient.referring_consultant:
        recipients.append(f"Copy to: {patient.referring_consultant} (referrer)")
    recipients.append(f"Copy to: {patient.full_name} (patient)")
    return {
        "recipients": "\n".join(recipients),
        "diagnosis": _diagnosis(patient),
        "clinic_summary": (
            f"I saw {patient.full_name} in the {kind} at {site.name} on {date_long(day)}."),
        "treatment": _treatment(given),
        "response": _response([c for c in cycles if c.given_on < day] or cycles),
        "plan": outcome + "." if outcome else "",
        "next_appointment": (
            f"{following.get_appointment_type_display()} on "
            f"{datetime_long(following.starts_at)} at {following.session.room.site.name}."
            if following else "Not yet booked: we will send the appointment."),
    }
