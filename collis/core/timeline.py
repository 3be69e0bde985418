"""The patient's timeline: one chronological list of everything on the record.

Each app that keeps part of the record has `timeline.py` with
`timeline_events(patient) -> list[TimelineEvent]` (at most two queries, no audit); the
timeline page gathers them, newest first, and audits the read once."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from importlib import import_module


@dataclass(frozen=True, slots=True)
class TimelineEvent:
    when: datetime.date
    kind: str
    title: str
    detail: str = ""
    href: str = ""


# Apps whose records appear on the timeline, in the order ties on a date are shown.
TIMELINE_APPS = ("assessments", "treatments", "investigations", "surgery", "mdt", "consent",
                 "outcomes")


def timeline_events_for(patient) -> list[TimelineEvent]:
    events: list[TimelineEvent] = []
    for app in TIMELINE_APPS:
        try:
            module = import_module(f"collis.{app}.timeline")
        except ModuleNotFoundError as error:
            if error.name != f"collis.{app}.timeline":
                raise
            continue
        events.extend(module.timeline_events(patient))
    return sorted(events, key=lambda e: e.when, reverse=True)
