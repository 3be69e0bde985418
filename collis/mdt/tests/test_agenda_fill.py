"""The MDT meeting's agenda from the pathway: every episode awaiting the MDT added at once,
through the one agenda service and its checks; another unit's episodes never."""

import pytest
from django.urls import reverse

from collis.core.roles import Role
from collis.domain.pathway import State
from collis.mdt.models import MdtAgendaItem
from collis.mdt.tests.factories import episode_at, meeting
from collis.patients.tests.factories import other_unit_patient

pytestmark = pytest.mark.django_db


def test_every_episode_awaiting_the_mdt_goes_on_the_agenda_with_one_button(client_as, sites):
    coordinator = client_as(Role.MDT_COORDINATOR)
    m = meeting()
    waiting = [episode_at(State.AWAITING_MDT) for _ in range(3)]
    episode_at(State.WORK_UP)  # not yet awaiting the MDT
    episode_at(State.AWAITING_MDT, patient=other_unit_patient())
    page = coordinator.get(reverse("mdt:meeting_detail", args=[m.pk])).content.decode()
    assert "Add every episode awaiting the MDT (3)" in page
    done = coordinator.post(reverse("mdt:agenda_fill", args=[m.pk]), follow=True)
    assert "3 episodes awaiting the MDT are on the agenda" in done.content.decode()
    assert sorted(i.episode_id for i in MdtAgendaItem.objects.filter(meeting=m)) == sorted(
        e.pk for e in waiting)


def test_a_physiotherapist_cannot_fill_the_agenda(client_as, sites):
    m = meeting()
    episode_at(State.AWAITING_MDT)
    assert client_as(Role.PHYSIOTHERAPIST).post(
        reverse("mdt:agenda_fill", args=[m.pk])).status_code == 403
    assert not MdtAgendaItem.objects.exists()
