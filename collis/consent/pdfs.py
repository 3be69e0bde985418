"""The consent form and the printed decision aid as PDFs (collis.core.pdf)."""

from __future__ import annotations

from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import PageBreak

from collis.consent.models import Consent, SignatureMethod
from collis.consent.presenters import (
    CAPACITY_NOTE,
    PATIENT_STATEMENT,
    AidVersion,
    DecisionAid,
    PatientAid,
    alternatives_text,
    consent_counselling_note,
    plan_rows,
    procedure_plain,
    shown_versions_text,
    sources_text,
    understanding_rows,
    yes_no_text,
)
from collis.core.pdf import PdfDocument
from collis.core.presenters import date_long, datetime_long
from collis.policy.presenters import CONSENT_KEYS, notice_for


def consent_form_pdf(*, consent: Consent) -> bytes:
    """The consent form, in the sections of the NHS consent form for adults with capacity
    ("Consent form 1"), listing exactly the risks disclosed, as they were shown then (not
    the current catalogue), each with the day it was discussed and the day it was
    understood, and the confirmations on the day of surgery."""
    session = consent.counselling
    doc = PdfDocument("Consent to selective peripheral denervation", patient=consent.patient,
                      subtitle=f"Pathway episode {consent.episode_id}: consent form for an "
                               f"adult with capacity")
    doc.paragraph(f"Recorded in Collis by {consent.created_by.display_name} on "
                  f"{datetime_long(consent.created_at)}.")
    doc.heading("Capacity")
    doc.paragraph(CAPACITY_NOTE)
    doc.key_values([("Capacity to consent",
                     yes_no_text(consent.patient_has_capacity,
                                 "The patient has capacity to consent", "Not confirmed"))])
    doc.heading("The proposed procedure")
    doc.paragraph(procedure_plain(consent.planned_denervation))
    doc.key_values([("Procedure", consent.procedure),
                    ("Plan taken from", consent.plan_source),
                    ("Anaesthetic", consent.anaesthetic or "Not recorded")])
    rows = plan_rows(consent.planned_denervation)
    if rows:
        doc.table([["Muscle", "Side", "Nerve target"]]
                  + [[r["muscle"], r["side"], r["target"]] for r in rows])
    doc.heading("Intended benefits")
    doc.paragraph(consent.intended_benefits or "Not recorded.")
    doc.heading("Serious or frequently occurring risks")
    note = consent_counselling_note(consent)
    if note:
        doc.paragraph(note)
    doc.paragraph("Each risk below was disclosed individually and the patient confirmed that "
                  "it was discussed and understood; a risk understood at a later session "
                  "than it was discussed shows both dates. Numbers in square brackets are "
                  "sources in the service's clinical reference.")
    for r in understanding_rows(consent):
        doc.heading(r["name"], level=3)
        doc.paragraph(r["patient_description"])
        items = list(r["figures_text"])
        if r["frequency_note"]:
            items.append(r["frequency_note"])
        items.append(f"Sources: {sources_text(r['sources'])}. {r['when']}.")
        doc.bullets(items)
    doc.heading("Extra procedures that may become necessary")
    doc.paragraph(consent.extra_procedures or "Not recorded.")
    doc.heading("Alternatives discussed")
    doc.paragraph(alternatives_text(consent.alternatives_discussed))
    doc.heading("Counselling and the decision aid")
    doc.key_values([
        ("Latest counselling session", date_long(session.held_on)),
        ("Counselled by", session.created_by.display_name),
        ("Decision aid seen", shown_versions_text(consent.decision_aids_seen)),
        ("Risk catalogue fingerprint", session.risk_catalogue_digest[:16]),
        ("Cooling-off period", f"{consent.cooling_off_days} days (local policy"
                               + (f", version {consent.policy_version.number})"
                                  if consent.policy_version_id else ")")),
    ])
    notice = notice_for(consent.policy_version_id, on=consent.created_at.date(),
                        keys=CONSENT_KEYS)
    if notice:
        doc.paragraph(notice.sentence)
    doc.heading("Interpreter")
    doc.paragraph(yes_no_text(consent.interpreter_used,
                              f"An interpreter was used: {consent.interpreter_name}.",
                              "No interpreter was used."))
    doc.heading("Statement of the health professional")
    doc.paragraph(consent.professional_statement or "Not recorded.")
    doc.signature("Surgeon", consent.surgeon.display_name, date_long(consent.surgeon_signed_on))
    doc.heading("Statement of the patient")
    doc.paragraph(PATIENT_STATEMENT)
    if consent.signature_method == SignatureMethod.TYPED:
        doc.signature("Patient (typed signature)", consent.patient_typed_name,
                      date_long(consent.patient_signed_on))
    else:
        doc.signature("Patient (signed on paper)", "see the paper form",
                      date_long(consent.patient_signed_on))
    doc.heading("Confirmation of consent on the day of surgery")
    confirmations = [c for c in consent.confirmations.all() if c.is_current]
    if confirmations:
        doc.table([["Date", "Confirmed by", "The patient still wants to go ahead", "Notes"]]
                  + [[date_long(c.confirmed_on), c.created_by.display_name,
                      "Yes" if c.still_wants_to_proceed else "No", c.notes]
                     for c in confirmations])
    else:
        doc.paragraph("Not yet confirmed. On the day of surgery, a health professional "
                      "checks with the patient that they still want to go ahead.")
        doc.signature("Health professional", "", "")
    return doc.build()


def decision_aid_pdf(*, patient, aid: DecisionAid) -> bytes:
    """The decision aid, printed for the patient to take home."""
    doc = PdfDocument("Treatment options for cervical dystonia: a decision aid",
                      patient=patient, subtitle=f"{aid.version}, produced "
                                                f"{date_long(aid.produced_on)}")
    doc.heading("Your condition")
    doc.paragraph(aid.condition)
    doc.heading("The decision")
    doc.paragraph(aid.decision)
    doc.heading("What we know and do not know")
    doc.paragraph(aid.uncertainty)
    for option in aid.options:
        doc.heading(option.title)
        doc.heading("What it involves", level=3)
        doc.paragraph(option.involves)
        doc.heading("Possible benefits", level=3)
        doc.paragraph(option.benefits_note)
        if option.benefits:
            doc.table([["Study", "People", "Result", "Follow-up", "Sources"]]
                      + [[o.series, o.n, o.result, o.follow_up, o.sources]
                         for o in option.benefits])
        doc.heading("Possible risks", level=3)
        if not option.risks:
            doc.paragraph("The risk catalogue holds no risks of this option; the condition's "
                          "course is under possible benefits.")
        doc.bullets([f"{r.name}: {r.description} "
                     + " ".join([*r.figures, r.frequency_note]).strip() + f" {r.sources}"
                     for r in option.risks])
        doc.paragraph(option.uncertainty)
    doc.heading("Recovery after selective denervation")
    doc.bullets(aid.recovery)
    doc.heading("What matters to you")
    doc.bullets([q.question for q in aid.questions])
    doc.heading("About this aid")
    doc.paragraph(aid.update_policy)
    doc.paragraph(aid.review_note)
    doc.key_values([("Version", aid.version), ("Produced", date_long(aid.produced_on)),
                    ("Next review", date_long(aid.review_by)),
                    ("Catalogue fingerprint", aid.digest[:16])])
    doc.paragraph(aid.funding)
    return doc.build()


def _print_size(doc: PdfDocument, body: int, cell: int) -> None:
    """Body text, lists and tables at these point sizes from here on."""
    for key, size in (("body", body), ("cell", cell)):
        doc.styles[key] = ParagraphStyle(f"{key}-{size}", parent=doc.styles[key],
                                         fontSize=size, leading=size + 4)


def patient_aid_pdf(*, patient, aid: PatientAid, version: AidVersion) -> bytes:
    """The patient version of the decision aid, printed for the patient to take home: the
    same sections as its page, with its sources, production date and next review date on
    the last page."""
    doc = PdfDocument(aid.title, patient=patient,
                      subtitle="A decision aid to help you and your team choose")
    _print_size(doc, 12, 11)  # large print for the patient's reading
    doc.heading("About neck dystonia")
    for line in aid.condition:
        doc.paragraph(line)
    doc.heading("The choice you are making")
    for line in aid.decision:
        doc.paragraph(line)
    doc.bullets(aid.choices)
    for line in aid.choosing:
        doc.paragraph(line)
    doc.heading("What the numbers mean")
    for line in aid.uncertainty:
        doc.paragraph(line)
    for option in aid.options:
        doc.heading(option.title)
        doc.heading("What it involves", level=3)
        for line in option.involves:
            doc.paragraph(line)
        doc.heading("What might get better", level=3)
        doc.bullets(option.benefits)
        doc.heading("What might go wrong", level=3)
        doc.bullets([f"{r.name}. {r.description} {' '.join(r.how_often)}"
                     for r in option.risks])
        doc.heading("What we do not know", level=3)
        for line in option.unknown:
            doc.paragraph(line)
    doc.heading("Getting better after selective denervation")
    doc.bullets(aid.recovery)
    doc.heading("What matters to you")
    doc.paragraph(aid.questions_intro)
    doc.bullets(aid.questions)
    doc.story.append(PageBreak())  # the sources and dates on a last page of their own
    _print_size(doc, 10, 10)
    doc.heading("About this leaflet")
    for line in aid.about:
        doc.paragraph(line)
    doc.key_values([("Version", version.version), ("Produced", date_long(version.produced_on)),
                    ("Next review", date_long(version.review_by))])
    doc.heading("Where the information comes from", level=3)
    _print_size(doc, 8, 8)  # the list of sources fits the one last page
    doc.bullets(aid.sources)
    return doc.build()
