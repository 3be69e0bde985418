"""The staff home page: what is due for the signed-in user, by what their role may do.

My clinics today and this week; patients overdue for toxin; pathway episodes waiting for
me, longest waiting since referral first, each with its next step as a button; funding
approvals about to expire; enquiries assigned to me, oldest first. Each part is read
through its app's selectors (scoped to the user's unit; those that show patients audit
what they show), and only when the role may use it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone

from collis.core.audit import Actor
from collis.core.roles import Capability, capabilities_of

HOME_ROWS = 5


@dataclass
class Home:
    today: dt.date
    clinics_today: list = field(default_factory=list)
    clinics_week: list = field(default_factory=list)
    recall: object = None
    episodes: list = field(default_factory=list)
    actions: dict = field(default_factory=dict)
    funding: list = field(default_factory=list)
    funding_notice_days: int = 0
    enquiries: list = field(default_factory=list)
    shows: frozenset = frozenset()


def home_for(*, actor: Actor) -> Home:
    """Every part of the home page the actor's role may see."""
    user = actor.user
    capabilities = capabilities_of(user)
    today = timezone.localdate()
    home = Home(today=today)
    shows = set()
    if Capability.CLINIC_VIEW in capabilities:
        from collis.scheduling import recall, selectors

        week = selectors.session_list_for_clinician(actor=actor, day=today)
        home.clinics_today = [s for s in week
                              if timezone.localtime(s.starts_at).date() == today]
        home.clinics_week = [s for s in week if s not in home.clinics_today]
        home.recall = recall.recall_list(actor=actor, per_page=HOME_ROWS, today=today)
        shows |= {"clinics", "recall"}
    if Capability.RECORD_VIEW in capabilities:
        from collis.surgery.presenters import next_action
        from collis.surgery.selectors import role_of, worklist

        home.episodes = worklist(user=user, actor=actor, limit=HOME_ROWS * 2)
        role = role_of(user)
        home.actions = {e.pk: next_action(e, role) for e in home.episodes}
        shows.add("episodes")
    if Capability.FUNDING_RECORD in capabilities:
        from collis.domain.recall import FUNDING_EXPIRY_NOTICE
        from collis.mdt.selectors import funding_list_expiring

        home.funding_notice_days = FUNDING_EXPIRY_NOTICE.value
        home.funding = funding_list_expiring(actor=actor, today=today,
                                             days=FUNDING_EXPIRY_NOTICE.value)
        shows.add("funding")
    if Capability.ENQUIRY_VIEW in capabilities:
        from collis.enquiries.selectors import enquiry_assigned_to_me

        home.enquiries = enquiry_assigned_to_me(actor=actor, limit=HOME_ROWS * 2)
        shows.add("enquiries")
    home.shows = frozenset(shows)
    return home
