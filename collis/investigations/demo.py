"""A synthetic history of investigations for a demo patient, through the services."""

from __future__ import annotations

import datetime
import random

from django.core.files.uploadedfile import SimpleUploadedFile

from collis.core.audit import Actor
from collis.domain.muscles import Muscle, MuscleSide
from collis.investigations import services
from collis.investigations.models import Investigation, InvestigationKind, ResultStatus


def minimal_pdf(lines: list[str]) -> bytes:
    """A small valid PDF (one page of Helvetica text), written by hand: no dependency."""
    def escape(text: str) -> str:
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    text = "BT /F1 12 Tf 72 760 Td 16 TL " + " ".join(
        f"({escape(line)}) '" for line in lines) + " ET"
    stream = text.encode("latin-1", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream
        + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += (f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
            .encode())
    return bytes(out)


# Muscles that typically drive torticaput, from the reference's pattern table (§3 [2]-[5]):
# ipsilateral splenius capitis and obliquus capitis inferior, contralateral SCM.
_IPSILATERAL = (Muscle.SPLENIUS_CAPITIS, Muscle.OBLIQUUS_CAPITIS_INFERIOR,
                Muscle.LONGISSIMUS_CAPITIS)


def demo_history(patient, rng: random.Random, today: datetime.date, author) -> None:
    """Blood tests and MRI brain (normal), an EMG of a rotation phenotype with 2-4 active
    muscles and its PDF report, and for some patients the rest of the SD work-up.
    Does nothing if the patient already has investigations."""
    if Investigation.objects.filter(patient=patient).exists():
        return
    actor = Actor.command_line(author)

    def days_ago(low: int, high: int) -> datetime.date:
        return today - datetime.timedelta(days=rng.randint(low, high))

    def record(kind, when, status=ResultStatus.NORMAL, report="", muscles=(), files=()):
        return services.investigation_create(
            patient=patient, actor=actor, files=files,
            details=services.InvestigationDetails(
                kind=kind, performed_on=when, status=status, report=report,
                requested_by="Demo-Neurologist", active_muscles=tuple(muscles)))

    diagnosis = days_ago(900, 1500)
    record(InvestigationKind.BLOOD_TESTS, diagnosis,
           report="Synthetic demo result: blood tests within normal limits.")
    record(InvestigationKind.MRI_BRAIN, diagnosis + datetime.timedelta(days=rng.randint(14, 60)),
           report="No structural abnormality.")

    turns_to = rng.choice((MuscleSide.LEFT, MuscleSide.RIGHT))
    other = MuscleSide.RIGHT if turns_to == MuscleSide.LEFT else MuscleSide.LEFT
    muscles = [(Muscle.SPLENIUS_CAPITIS.value, turns_to.value),
               (Muscle.STERNOCLEIDOMASTOID.value, other.value)]
    for extra in rng.sample(_IPSILATERAL[1:], rng.randint(0, 2)):
        muscles.append((extra.value, turns_to.value))
    emg_day = days_ago(120, 400)
    muscle_words = ", ".join(f"{m.replace('_', ' ')} ({s})" for m, s in muscles)
    report = (f"EMG mapping: dystonic activity in {muscle_words}. Head turns to the "
              f"{turns_to.value}.")
    pdf = minimal_pdf(["Collis demo - synthetic EMG report (not a real patient)",
                       f"Date: {emg_day:%d %B %Y}", report[:90], report[90:180]])
    record(InvestigationKind.EMG, emg_day, status=ResultStatus.ABNORMAL, report=report,
           muscles=muscles,
           files=[SimpleUploadedFile(f"emg-report-{emg_day:%Y-%m-%d}.pdf", pdf,
                                     content_type="application/pdf")])

    if rng.random() < 0.5:
        record(InvestigationKind.VIDEOFLUOROSCOPY, emg_day + datetime.timedelta(days=21),
               report="Safe swallow; no aspiration or penetration.")
        record(InvestigationKind.CT_CERVICAL_SPINE, emg_day + datetime.timedelta(days=28),
               status=rng.choice((ResultStatus.NORMAL, ResultStatus.PENDING)),
               report="")
