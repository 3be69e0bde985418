"""The record at a glance, for the summary page: diagnosis, current treatment, the last toxin
cycle and the response pattern, the next appointment, the pathway state and the alerts (a
short re-injection interval [15][19], toxin overdue, an unresolved complication, missed
appointments). Read through each app's own queries, current entries only (ADR 0009). It is
part of the patient's page, whose read `patient_get` audits (one entry per page)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils import timezone

from collis.core.audit import Actor
from collis.core.presenters import date_long


@dataclass
class Glance:
    rows: list[tuple[str, str, str]] = field(default_factory=list)  # (label, text, href)
    alerts: list[str] = field(default_factory=list)


def _href(name: str, **kwargs) -> str:
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return ""


def record_at_a_glance(*, patient, actor: Actor) -> Glance:
    """What a clinician needs first about the patient (read with the page, whose read of
    the patient is audited)."""
    from collis.assessments.models import DiagnosisVersion
    from collis.domain.recall import RecallState, recall_status
    from collis.domain.scheduling import AppointmentStatus
    from collis.outcomes.models import Complication, ComplicationStatus
    from collis.scheduling.models import Appointment
    from collis.scheduling.presenters import slot_text
    from collis.scheduling.selectors import dna_summary
    from collis.surgery.models import Episode
    from collis.treatments import presenters as toxin_presenters
    from collis.treatments.models import Medication
    from collis.treatments.selectors import cycle_warnings, response_summary, toxin_cycles_of

    glance = Glance()
    pid = patient.pk
    diagnosis = DiagnosisVersion.objects.for_patient(patient).first()
    glance.rows.append(("Diagnosis", (
        f"{diagnosis.get_distribution_display() or 'Distribution not recorded'} dystonia"
        + (f", {diagnosis.get_aetiology_display().lower()}" if diagnosis.aetiology else "")
        if diagnosis else "Not recorded"), _href("assessments:diagnosis", patient_id=pid)))

    cycles = tuple(toxin_cycles_of(patient))
    medicines = Medication.objects.current().filter(patient=patient, stopped_on__isnull=True)
    treatment = [f"{m.drug_name} {m.dose}" for m in medicines]
    if cycles:
        treatment.insert(0, f"Botulinum toxin ({cycles[-1].product_label})")
    glance.rows.append(("Current treatment", "; ".join(treatment) or "None recorded",
                        _href("treatments:toxin_list", patient_id=pid)))
    if cycles:
        last = cycles[-1]
        pattern = response_summary(cycles).derivation.pattern
        glance.rows.append(("Last toxin cycle", (
            f"{date_long(last.given_on)}: {last.total_units} units of {last.product_label}"
            f"; response pattern: {toxin_presenters.pattern_label(pattern).lower()}"),
            _href("treatments:toxin_detail", patient_id=pid, pk=last.pk)))
        status = recall_status(last.given_on, timezone.localdate())
        if status.state == RecallState.OVERDUE:
            glance.alerts.append(f"Toxin {status.text.lower()} (due "
                                 f"{date_long(status.due_on)}).")
        for warning in cycle_warnings(cycles):
            if warning.cycle is not None and warning.cycle.pk == last.pk:
                glance.alerts.append(warning.warning.detail)

    upcoming = (Appointment.objects.holding().filter(
        patient=patient, starts_at__gte=timezone.now(),
        status__in=[AppointmentStatus.BOOKED, AppointmentStatus.CONFIRMED])
        .select_related("slot__session__room__site", "slot__clinician").order_by("starts_at")
        .first())
    glance.rows.append(("Next appointment", (
        f"{upcoming.get_appointment_type_display()}: {slot_text(upcoming.slot)}"
        if upcoming else "None booked"),
        _href("scheduling:appointment_list", patient_id=pid)))

    episode = (Episode.objects.filter(patient=patient).order_by("-opened_at", "-id").first())
    glance.rows.append(("Pathway", (
        f"{episode.state_label} (episode {episode.pk}, referred "
        f"{date_long(episode.referral_received_on)})" if episode else "Not on the pathway"),
        _href("surgery:episode_list", patient_id=pid)))

    for complication in (Complication.objects.current().filter(
            patient=patient, status=ComplicationStatus.ONGOING).order_by("onset_on")):
        glance.alerts.append(f"Unresolved complication: "
                             f"{complication.get_risk_code_display().lower()} since "
                             f"{date_long(complication.onset_on)} "
                             f"({complication.get_severity_display().lower()}).")
    missed = dna_summary(patient=patient)
    if missed.count:
        glance.alerts.append(f"Missed {missed.count} appointment"
                             f"{'s' if missed.count != 1 else ''} in the last "
                             f"{missed.window_days} days. {missed.next_step}")
    return glance
