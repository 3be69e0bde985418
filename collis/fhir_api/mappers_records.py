"""Treatments and the pathway as FHIR R4 resources in the UK Core profiles' shape (STYLE.md
habit 9: the API maps; it does not decide): a toxin session and a selective denervation as
Procedures, each injection row as a MedicationAdministration, a pathway episode as an
EpisodeOfCare with its status history. Each mapper takes what the selectors read and
returns a JSON-ready dict; none reads the database beyond the rows it is given (related
rows come from the selectors' select_related and prefetch). Every system and code comes
from `codes`."""

from __future__ import annotations

import datetime as dt

from collis.core.models import RecordStatus
from collis.domain.pathway import STATE_LABELS, TERMINAL, State
from collis.domain.scheduling import UNIT_TIME_ZONE
from collis.fhir_api import codes
from collis.fhir_api.mappers import _drop_empty, _instant, _meta, reference

# Collis's record status (ADR 0009) -> EventStatus (Procedure) and the
# MedicationAdministration status: both sets have these two codes. An amendment is the
# current entry, so "completed"; the version it replaced is not served.
_EVENT_STATUS = {RecordStatus.CURRENT: "completed",
                 RecordStatus.ENTERED_IN_ERROR: "entered-in-error"}


def _status(record) -> str:
    return _EVENT_STATUS[record.record_status]


def _last_updated(record):
    return record.status_changed_at or record.created_at


def _clinician(user) -> dict:
    """A reference to the clinician as a Practitioner, or their name alone when their role
    is not one that gives care (they are not served as Practitioners)."""
    if user.role in codes.PRACTITIONER_ROLES:
        return reference("Practitioner", user.pk, user.display_name)
    return {"display": user.display_name}


def _coding(system: str, code: str, display: str = "") -> dict:
    return _drop_empty({"system": system, "code": code, "display": display})


def procedure_id(record) -> str:
    """"toxin-<cycle>" or "sd-<operation>"."""
    prefix = "toxin" if record._meta.model_name == "toxincycle" else "sd"
    return f"{prefix}-{record.pk}"


def procedure_resource(record) -> dict:
    """UK Core Procedure from a ToxinCycle or an Operation (the search pages mix both)."""
    if record._meta.model_name == "toxincycle":
        return toxin_procedure_resource(record)
    return denervation_procedure_resource(record)


def toxin_procedure_resource(cycle) -> dict:
    """A botulinum toxin injection session: when, by whom and where; what was injected into
    each muscle is in its MedicationAdministrations (partOf this Procedure)."""
    label = codes.PROCEDURE_CODES["botulinum-toxin-injection"]
    return _drop_empty({
        "resourceType": "Procedure",
        "id": procedure_id(cycle),
        "meta": _meta("Procedure", last_updated=_last_updated(cycle)),
        "status": _status(cycle),
        "code": {"coding": [_coding(codes.COLLIS_PROCEDURE_SYSTEM, "botulinum-toxin-injection",
                                    label)],
                 "text": f"{label}: {cycle.product_label}"},
        "subject": reference("Patient", cycle.patient_id),
        "performedDateTime": cycle.given_on.isoformat(),
        "recorder": _clinician(cycle.created_by),
        "performer": [{"actor": _clinician(cycle.injector)}],
        "location": reference("Location", cycle.site_id),
        "note": [{"text": cycle.notes}] if cycle.notes else [],
    })


def _performed(operation) -> str:
    """The date of the operation, with its local start time when recorded (as an offset
    dateTime: the unit's wall clock, so summer time is kept)."""
    if operation.started_at is None:
        return operation.operated_on.isoformat()
    moment = dt.datetime.combine(operation.operated_on, operation.started_at,
                                 tzinfo=UNIT_TIME_ZONE)
    return moment.isoformat(timespec="seconds")


def denervation_procedure_resource(operation) -> dict:
    """A selective peripheral denervation, coded with the OPCS-4 pair of its NICE guidance
    ([24], `codes.SD_OPCS4_CODES`) and Collis's own code; the nerves divided as body
    sites, intra-operative complications as complications, findings as a note."""
    from collis.outcomes.models import SD_RISK_CHOICES

    risks = dict(SD_RISK_CHOICES)
    complications = [{"text": risks.get(code, code)} for code in operation.complication_codes]
    if operation.complication_notes:
        complications.append({"text": operation.complication_notes})
    notes = [{"text": operation.findings}] if operation.findings else []
    if operation.myectomy:
        notes.append({"text": "Myectomy" + (
            f": {', '.join(m.replace('_', ' ') for m in operation.myectomy_muscles)}"
            if operation.myectomy_muscles else "")})
    return _drop_empty({
        "resourceType": "Procedure",
        "id": procedure_id(operation),
        "meta": _meta("Procedure", last_updated=_last_updated(operation)),
        "status": _status(operation),
        "code": {"coding": [*(_coding(codes.OPCS4_SYSTEM, code)
                              for code in codes.SD_OPCS4_CODES),
                            _coding(codes.COLLIS_PROCEDURE_SYSTEM, "selective-denervation",
                                    codes.PROCEDURE_CODES["selective-denervation"])],
                 "text": codes.SD_PROCEDURE_TEXT},
        "subject": reference("Patient", operation.patient_id),
        "performedDateTime": _performed(operation),
        "recorder": _clinician(operation.created_by),
        "performer": [{"actor": _clinician(operation.surgeon)}],
        "location": reference("Location", operation.site_id),
        "bodySite": [{"text": f"{division.get_muscle_display()} ({division.side})"
                              + (f": {division.nerve}" if division.nerve else "")}
                     for division in operation.divisions.all()],
        "complication": complications,
        "note": notes,
    })


def medication_administration_id(injection) -> str:
    return f"injection-{injection.pk}"


def medication_administration_resource(injection) -> dict:
    """UK Core MedicationAdministration: the toxin given into one muscle on one side, part
    of its session's Procedure. The product is a contained Medication with the batch; it is
    coded in Collis's product system and named in text (the reference cites no dm+d code).
    Units are the product's own and are never converted [18]."""
    cycle = injection.cycle
    product = cycle.product_label
    side = injection.get_side_display().lower()
    medication = _drop_empty({
        "resourceType": "Medication",
        "id": "product",
        "code": {"coding": [_coding(codes.COLLIS_TOXIN_PRODUCT_SYSTEM, cycle.product,
                                    product)],
                 "text": product},
        "batch": _drop_empty({
            "lotNumber": cycle.batch_number,
            "expirationDate": (cycle.batch_expires_on.isoformat()
                               if cycle.batch_expires_on else None)}),
    })
    return _drop_empty({
        "resourceType": "MedicationAdministration",
        "id": medication_administration_id(injection),
        "meta": _meta("MedicationAdministration", last_updated=_last_updated(cycle)),
        "contained": [medication],
        "partOf": [reference("Procedure", f"toxin-{cycle.pk}")],
        "status": _status(cycle),
        "medicationReference": {"reference": "#product", "display": product},
        "subject": reference("Patient", cycle.patient_id),
        "effectiveDateTime": cycle.given_on.isoformat(),
        "performer": [{"actor": _clinician(cycle.injector)}],
        "dosage": {
            "text": f"{injection.units} units of {product} into the {side} "
                    f"{injection.muscle_label}",
            "site": {"text": f"{injection.muscle_label.capitalize()} ({side})"},
            "dose": {"value": injection.units, "unit": "units"},
        },
    })


# The pathway's states (collis/domain/pathway.py) -> EpisodeOfCareStatus: a referral not
# yet triaged is planned; on the waiting list, waitlist; a closed episode finished
# (discharged) or cancelled (withdrawn, declined); every other state is active. A test
# holds every state to one status.
EPISODE_STATUS = {
    State.REFERRAL_RECEIVED: "planned",
    State.LISTED: "waitlist",
    State.DISCHARGED: "finished",
    State.WITHDRAWN: "cancelled",
    State.DECLINED: "cancelled",
    **{state: "active" for state in State
       if state not in {State.REFERRAL_RECEIVED, State.LISTED} | TERMINAL},
}


def _pathway_state(state: str) -> list[dict]:
    return [{"url": codes.COLLIS_PATHWAY_STATE_EXTENSION,
             "valueCoding": _coding(codes.COLLIS_PATHWAY_STATE_SYSTEM, state,
                                    STATE_LABELS[State(state)])}]


def episode_of_care_resource(episode) -> dict:
    """UK Core EpisodeOfCare: one selective denervation pathway episode, its status and the
    pathway state behind it (Collis's extension), and every move as its status history."""
    rows = list(episode.statuses.all())
    history = []
    for row, following in zip(rows, [*rows[1:], None], strict=True):
        history.append({
            "extension": _pathway_state(row.state),
            "status": EPISODE_STATUS[State(row.state)],
            "period": _drop_empty({"start": _instant(row.at),
                                   "end": _instant(following.at) if following else None}),
        })
    closed = State(episode.state) in TERMINAL and rows
    return _drop_empty({
        "resourceType": "EpisodeOfCare",
        "id": str(episode.pk),
        "meta": _meta("EpisodeOfCare", last_updated=rows[-1].at if rows else episode.opened_at),
        "extension": _pathway_state(episode.state),
        "status": EPISODE_STATUS[State(episode.state)],
        "statusHistory": history,
        "type": [{"coding": [_coding(codes.COLLIS_EPISODE_TYPE_SYSTEM,
                                     "selective-denervation-pathway",
                                     codes.EPISODE_TYPE_CODES["selective-denervation-pathway"])]}],
        "patient": reference("Patient", episode.patient_id),
        "managingOrganization": reference("Organization", episode.patient.organisation_id),
        "period": _drop_empty({"start": _instant(episode.opened_at),
                               "end": _instant(rows[-1].at) if closed else None}),
        "referralRequest": [reference("ServiceRequest", episode.pk)],
        "careManager": _clinician(episode.surgeon) if episode.surgeon_id else None,
    })


# The episode's state -> RequestStatus of its referral: open episodes keep the referral
# active; discharged, it is completed; withdrawn or declined, revoked.
def _referral_status(state: str) -> str:
    state = State(state)
    if state == State.DISCHARGED:
        return "completed"
    return "revoked" if state in TERMINAL else "active"


# Collis's referral urgency -> RequestPriority (routine and urgent are codes of both).
REFERRAL_PRIORITY = {"routine": "routine", "urgent": "urgent"}


def service_request_resource(episode) -> dict:
    """UK Core ServiceRequest: the referral that opened a pathway episode (same id as its
    EpisodeOfCare): who referred (by name, organisation and GMC number: referrers are not
    the unit's Practitioners), why, how urgently and when it was received."""
    from collis.fhir_api.mappers import registration_identifier

    gmc = registration_identifier(episode.referrer_gmc_number)
    return _drop_empty({
        "resourceType": "ServiceRequest",
        "id": str(episode.pk),
        "meta": _meta("ServiceRequest", last_updated=episode.opened_at),
        "status": _referral_status(episode.state),
        "intent": "order",
        "code": {"coding": [_coding(codes.COLLIS_EPISODE_TYPE_SYSTEM,
                                    "selective-denervation-pathway",
                                    codes.EPISODE_TYPE_CODES["selective-denervation-pathway"])],
                 "text": "Referral to the selective denervation pathway"},
        "priority": REFERRAL_PRIORITY[episode.urgency],
        "subject": reference("Patient", episode.patient_id),
        "authoredOn": episode.referral_received_on.isoformat(),
        "requester": _drop_empty({
            "identifier": gmc,
            "display": ", ".join(part for part in (episode.referrer_name,
                                                   episode.referrer_organisation) if part)}),
        "performer": [reference("Organization", episode.patient.organisation_id)],
        "reasonCode": [{"text": episode.referral_reason}] if episode.referral_reason else [],
    })
