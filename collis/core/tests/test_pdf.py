import io

import pytest
from pypdf import PdfReader

from collis.core.pdf import PdfDocument, pdf_response
from collis.patients.tests.factories import PatientFactory


@pytest.mark.django_db
def test_pdf_is_real_and_carries_the_patient_and_every_part(sites):
    patient = PatientFactory(given_name="Robin", family_name="Quillon")
    doc = PdfDocument("Outcome of the MDT", patient=patient, subtitle="Meeting of 1 May")
    doc.heading("Decision").paragraph("Selective denervation <with> care & attention")
    doc.bullets(["Sternocleidomastoid (left)", "Splenius capitis (right)"])
    doc.table([["Muscle", "Side"], ["Splenius capitis", "right"]])
    doc.signature("Surgeon", "Sam Surgeon", "1 May 2026")
    data = doc.build()
    assert data.startswith(b"%PDF-")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    for expected in ("Outcome of the MDT", "Robin Quillon", patient.nhs_number[:3],
                     "Selective denervation <with> care & attention", "Splenius capitis",
                     "Sam Surgeon"):
        assert expected in text


def test_pdf_response_is_an_attachment():
    response = pdf_response(b"%PDF-1.4", "letter.pdf")
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="letter.pdf"'
