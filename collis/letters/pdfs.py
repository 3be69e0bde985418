"""A clinic letter as a PDF (collis.core.pdf), laid out as an NHS clinic letter: the unit
and site, the date, who it is to, the patient's identity, the sections, the signature."""

from __future__ import annotations

from collis.core.pdf import PdfDocument
from collis.core.presenters import date_long


def letter_pdf(*, letter, version, author, dated) -> bytes:
    patient = letter.patient
    site = letter.appointment.session.room.site
    doc = PdfDocument("Clinic letter", patient=patient, subtitle="Dystonia unit, " + ", ".join(
        [site.name, *site.address_lines, site.postcode])
        + (f". Telephone {site.phone}" if site.phone else ""))
    doc.key_values([
        ("Date", date_long(dated)),
        ("Address", ", ".join(p for p in (patient.address_line_1, patient.address_line_2,
                                          patient.town, patient.postcode) if p)),
        ("Clinic", f"{letter.appointment.get_appointment_type_display()}, "
                   f"{date_long(letter.appointment.starts_at.date())}"),
    ])
    for heading, text in version.sections():
        if text.strip():
            doc.heading(heading)
            lines = text.splitlines()
            bullets = [line[2:] for line in lines if line.startswith("- ")]
            prose = "\n".join(line for line in lines if not line.startswith("- "))
            if prose.strip():
                doc.paragraph(prose)
            doc.bullets(bullets)
    doc.paragraph("Yours sincerely,")
    doc.signature("Signed", author.display_name, date_long(dated))
    doc.paragraph(f"{getattr(author, 'role_label', '') or 'Clinician'}, dystonia unit. "
                  f"Letter version {version.number}.")
    return doc.build()
