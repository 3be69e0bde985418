"""The clinic list of a session as a PDF (collis.core.pdf)."""

from __future__ import annotations

from collis.core.pdf import PdfDocument
from collis.core.presenters import format_nhs_number
from collis.scheduling.presenters import clinicians_text, session_title, time_short


def clinic_list_pdf(*, session, rows) -> bytes:
    """Each slot in time order with its patient (or free), for the clinic's desk."""
    doc = PdfDocument("Clinic list", subtitle=session_title(session))
    doc.key_values([("Room", f"{session.room.name}"
                              + (f" ({', '.join(session.room.equipment_labels)})"
                                 if session.room.equipment else "")),
                    ("Clinicians", clinicians_text(session)),
                    ("Booked", f"{sum(1 for r in rows if r.appointment)} of "
                               f"{len({r.slot.pk for r in rows})} slots")])
    table = [["Time", "Clinician", "Patient", "NHS number", "Born", "Status", "Arrived"]]
    for row in rows:
        a = row.appointment
        table.append([time_short(row.slot.starts_at), row.slot.clinician.display_name,
                      f"{a.patient.family_name.upper()}, {a.patient.given_name}" if a else "Free",
                      format_nhs_number(a.patient.nhs_number) if a else "",
                      a.patient.date_of_birth.strftime("%d/%m/%Y") if a else "",
                      a.status_label + (" (double booked)" if a.is_double_booked else "")
                      if a else "", "[  ]" if a else ""])
    doc.table(table)
    return doc.build()
