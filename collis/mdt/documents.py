"""The MDT outcome letter and the funding request, as PDFs built from the stored records."""

from __future__ import annotations

from collis.core.pdf import PdfDocument
from collis.core.presenters import date_long, datetime_long
from collis.mdt.models import FundingRequest, MdtDecision
from collis.mdt.presenters import (
    FundingCase,
    agreement_text,
    cited_sources,
    muscle_label,
    planned_text,
    side_label,
    sources_text,
)


def outcome_letter_pdf(decision: MdtDecision) -> bytes:
    """The outcome letter to the referring consultant and the GP."""
    episode, patient = decision.episode, decision.episode.patient
    meeting = decision.agenda_item.meeting if decision.agenda_item else None
    doc = PdfDocument("MDT outcome letter", patient=patient,
                      subtitle="Selective denervation pathway, dystonia service")
    recipients = [f"{episode.referrer_name}, {episode.referrer_organisation} "
                  "(referring consultant)"]
    recipients.append(f"{patient.gp_practice} (GP)" if patient.gp_practice
                      else "The patient's GP (practice not recorded)")
    doc.heading("To")
    doc.bullets(recipients)
    doc.key_values([
        ("Meeting", f"{date_long(meeting.held_on)}, {meeting.site}" if meeting
         else "Recorded outside a meeting"),
        ("Decision", decision.get_decision_display()),
        ("Recorded", f"{datetime_long(decision.created_at)} by "
                     f"{decision.created_by.display_name}"),
        ("Candidacy assessment", agreement_text(decision)
         + (f", ruleset {decision.engine_ruleset}" if decision.engine_ruleset else "")),
    ])
    if decision.corrects_id:
        doc.paragraph(f"This decision corrects the one recorded on "
                      f"{datetime_long(decision.corrects.created_at)}: "
                      f"{decision.correction_reason}")
    doc.heading("Discussion and reasons")
    doc.paragraph(decision.discussion)
    if decision.departure_reason:
        doc.heading("Why the decision departs from the engine's recommendation", level=3)
        doc.paragraph(decision.departure_reason)
    planned = list(decision.planned.all())
    if planned:
        doc.heading("Planned denervation")
        doc.table([["Muscle", "Side", "Nerve target"]]
                  + [[muscle_label(p.muscle), side_label(p.side), p.target] for p in planned])
    actions = list(decision.actions.all())
    doc.heading("Actions")
    if actions:
        doc.table([["Action", "Owner", "Due"]]
                  + [[a.description, f"{a.owner.display_name} ({a.owner.role_label})",
                      date_long(a.due_on)] for a in actions])
    else:
        doc.paragraph("No actions were recorded.")
    doc.signature("For the MDT", decision.created_by.display_name,
                  date_long(decision.created_at.date()))
    return doc.build()


def funding_request_pdf(request: FundingRequest) -> bytes:
    """The request a commissioner reads: the procedure, the engine's recommendation, every
    finding against, cautioning, missing and in favour, and the MDT's decision with its
    reason when it departed from the engine."""
    decision, case = request.decision, FundingCase(request)
    doc = PdfDocument(f"Funding request: {request.get_route_display()}",
                      patient=request.patient,
                      subtitle="Selective peripheral denervation for cervical dystonia")
    doc.key_values([
        ("Route", request.get_route_display()),
        ("Commissioner", request.commissioner),
        ("Reference", request.reference or "Not yet submitted"),
        ("Status", request.get_status_display()),
        ("Submitted", date_long(request.submitted_on) or "Not yet"),
        ("Decision date", date_long(request.decided_on) or "Not yet"),
        ("Expires", date_long(request.expires_on) or "Not applicable"),
    ])
    doc.heading("Procedure")
    doc.paragraph("Selective peripheral denervation"
                  + (" with myectomy" if decision.decision == "sd_myectomy" else "")
                  + ". OPCS-4 codes: "
                  + " + ".join(c["code"] for c in request.procedure_codes)
                  + " " + sources_text(sorted({n for c in request.procedure_codes
                                               for n in c["sources"]})))
    planned = list(decision.planned.all())
    if planned:
        doc.bullets(planned_text(p) for p in planned)
    doc.heading("The candidacy engine's recommendation")
    doc.paragraph(case.recommendation)
    if case.assessed:
        doc.paragraph(case.assessed + ".")
    for group in case.finding_groups():
        doc.heading(f"{group.label} ({len(group.rows)})")
        doc.paragraph(group.hint)
        doc.bullets(row.text for row in group.rows)
    doc.heading("The MDT's decision")
    doc.key_values([("Decision", case.mdt_decision), ("Candidacy assessment", case.agreement)])
    if case.departure_reason:
        doc.heading("Why the MDT departed from the engine's recommendation", level=3)
        doc.paragraph(case.departure_reason)
    doc.heading("Discussion and reasons", level=3)
    doc.paragraph(decision.discussion)
    doc.heading("Sources")
    doc.bullets(f"[{n}] {title}" for n, title in cited_sources(case.source_numbers()))
    doc.paragraph("The commissioning route for selective denervation varies by region: "
                  "local policy, needs clinical sign-off.")
    doc.signature("Requesting clinician")
    return doc.build()
