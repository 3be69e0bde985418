"""The pathway's stored documents, opened for download: each download is audited here, so
that a page only streams what it is given."""

from __future__ import annotations

from dataclasses import dataclass
from typing import BinaryIO

from collis.core.audit import Actor, audit_record
from collis.core.models import AuditAction
from collis.surgery.models import Episode


@dataclass(frozen=True)
class StoredDocument:
    """An opened file with the name and type it is downloaded as."""

    file: BinaryIO
    filename: str
    content_type: str


def referral_letter_open(*, episode: Episode, actor: Actor) -> StoredDocument | None:
    """The episode's referral letter, opened for download and audited; None when no letter
    is attached. `episode` comes from `episode_get`, already scoped to the actor."""
    if not episode.referral_letter:
        return None
    letter = episode.referral_letter.open("rb")
    audit_record(actor=actor, action=AuditAction.DOWNLOAD, object_type="referral_letter",
                 object_id=episode.pk, patient_id=episode.patient_id,
                 summary=f"Downloaded the referral letter of episode {episode.pk}")
    return StoredDocument(file=letter, filename=f"referral-letter-episode-{episode.pk}.pdf",
                          content_type="application/pdf")
