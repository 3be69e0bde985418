import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from collis.core.audit import Actor
from collis.core.models import AuditAction, AuditEvent
from collis.core.roles import Role
from collis.core.tests.factories import UserFactory
from collis.domain.pathway import State
from collis.surgery.documents import referral_letter_open
from collis.surgery.tests.factories import episode_at


@pytest.mark.django_db
def test_opening_the_referral_letter_audits_the_download(sites, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    episode = episode_at(State.TRIAGE)
    episode.referral_letter = SimpleUploadedFile("x.pdf", b"%PDF-1.4 letter", "application/pdf")
    episode.save()
    actor = Actor.command_line(UserFactory(role=Role.NEUROSURGEON))
    letter = referral_letter_open(episode=episode, actor=actor)
    with letter.file:
        assert letter.file.read().startswith(b"%PDF-")
    assert letter.filename == f"referral-letter-episode-{episode.pk}.pdf"
    event = AuditEvent.objects.get(action=AuditAction.DOWNLOAD)
    assert (event.object_type, event.patient_id, event.actor) == (
        "referral_letter", episode.patient_id, actor.user)


@pytest.mark.django_db
def test_no_letter_means_nothing_to_open_and_nothing_audited(sites):
    episode = episode_at(State.TRIAGE)
    actor = Actor.command_line(UserFactory(role=Role.NEUROSURGEON))
    assert referral_letter_open(episode=episode, actor=actor) is None
    assert not AuditEvent.objects.filter(action=AuditAction.DOWNLOAD).exists()
