import datetime

import factory
from django.core.files.uploadedfile import SimpleUploadedFile

from collis.core.tests.factories import UserFactory
from collis.investigations.demo import minimal_pdf
from collis.investigations.models import (
    EmgActiveMuscle,
    Investigation,
    InvestigationKind,
    ResultStatus,
)
from collis.patients.tests.factories import PatientFactory

PDF_BYTES = minimal_pdf(["Collis test report"])
# A 1x1 PNG.
PNG_BYTES = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000185d4a8d10000000049454e44ae426082")
JPEG_BYTES = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64
HTML_BYTES = b"<!doctype html><script>alert(1)</script>"


def pdf_upload(name="report.pdf", data=PDF_BYTES):
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def png_upload(name="scan.png"):
    return SimpleUploadedFile(name, PNG_BYTES, content_type="image/png")


class InvestigationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Investigation

    patient = factory.SubFactory(PatientFactory)
    kind = InvestigationKind.BLOOD_TESTS
    performed_on = datetime.date(2026, 3, 2)
    status = ResultStatus.NORMAL
    report = "Within normal limits."
    created_by = factory.SubFactory(UserFactory)


class EmgActiveMuscleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EmgActiveMuscle

    investigation = factory.SubFactory(InvestigationFactory, kind=InvestigationKind.EMG,
                                       status=ResultStatus.ABNORMAL)
    muscle = "sternocleidomastoid"
    side = "left"
