"""Summaries of the toxin clinic page, computed by the task worker (ADR 0020, addendum on
summaries): at 100,000 patients and 1,000,000 cycles the page's grouped queries take many
seconds, so the worker computes the page for every choice of filters the unit offers (all
sites and years, each site, each year, each site in each year) and stores the measures; the
page then reads one row and says when it was computed. Without a summary (a new
installation, a filter never computed) the page computes live, as before.

The worker refreshes the summaries every `COLLIS_AUDIT_SUMMARY_REFRESH_MINUTES` (local
policy, 60 by default, UNSOURCED): `toxin_summaries_refresh_task` queues itself again when
it finishes, where the task backend can defer."""

from __future__ import annotations

import datetime
import time

from django.db import transaction
from django.utils import timezone

from collis.core.audit import Actor
from collis.core.models import Organisation
from collis.domain.policy import ResponseThresholds
from collis.domain.toxin import ResponsePattern
from collis.service_audit.models import ToxinClinicSummary
from collis.service_audit.selectors import AuditFilters, audit_read
from collis.service_audit.toxin_measures import (
    PeriodPatterns,
    ProductMeasures,
    ToxinClinic,
    toxin_clinic_measures,
    toxin_cycles_of_unit,
)

CHOICES_KEY = "choices"


def key_of(filters: AuditFilters) -> str:
    return f"{filters.site_id or '-'}:{filters.year or '-'}"


def _pattern(value):
    return ResponsePattern(value) if value else None


def _day(value):
    return datetime.date.fromisoformat(value) if value else None


def clinic_as_json(clinic: ToxinClinic) -> dict:
    """The measures as JSON (dict keys that are tuples, enums or numbers become lists)."""
    return {
        "products": [{**{name: getattr(p, name) for name in (
            "product", "cycles", "patients", "reviewed", "dysphagia", "neck_weakness",
            "other_side_effect", "any_side_effect", "with_previous", "shortened",
            "below_licensed")}, "doses": [[units, n] for units, n in p.doses.items()]}
            for p in clinic.products],
        "patients": clinic.patients,
        "patterns": [[str(p) if p else None, n] for p, n in clinic.patterns.items()],
        "over_time": [{"key": list(o.key), "label": o.label, "treated": o.treated,
                       "patterns": [[str(p) if p else None, n] for p, n in o.patterns.items()]}
                      for o in clinic.over_time],
        "period": clinic.period, "thresholds": clinic.thresholds.as_dict(),
        "minimum": clinic.minimum, "computed_at": clinic.computed_at.isoformat(),
        "first_cycle": clinic.first_cycle.isoformat() if clinic.first_cycle else None,
        "last_cycle": clinic.last_cycle.isoformat() if clinic.last_cycle else None,
        "stopped": [[year, reason, n] for (year, reason), n in clinic.stopped.items()],
        "restarted": clinic.restarted,
    }


def clinic_from_json(data: dict, filters: AuditFilters) -> ToxinClinic:
    return ToxinClinic(
        products=[ProductMeasures(**{k: v for k, v in p.items() if k != "doses"},
                                  doses=dict(p["doses"]))
                  for p in data["products"]],
        patients=data["patients"],
        patterns={_pattern(p): n for p, n in data["patterns"]},
        over_time=[PeriodPatterns(key=tuple(o["key"]), label=o["label"], treated=o["treated"],
                                  patterns={_pattern(p): n for p, n in o["patterns"]})
                   for o in data["over_time"]],
        period=data["period"], thresholds=ResponseThresholds(**{
            k: v for k, v in data["thresholds"].items()
            if k in ResponseThresholds.__dataclass_fields__}),
        minimum=data["minimum"],
        computed_at=datetime.datetime.fromisoformat(data["computed_at"]),
        first_cycle=_day(data["first_cycle"]), last_cycle=_day(data["last_cycle"]),
        filters=filters, stopped={(y, r): n for y, r, n in data["stopped"]},
        restarted=data["restarted"])


def toxin_summary_read(*, actor: Actor, filters: AuditFilters) -> ToxinClinic | None:
    """The stored measures of the actor's unit for these filters, or None; the read is
    audited as the live page's is."""
    row = (ToxinClinicSummary.objects.filter(organisation_id=actor.user.organisation_id,
                                             key=key_of(filters))
           .values_list("data", flat=True).first())
    if row is None:
        return None
    clinic = clinic_from_json(row, filters)
    audit_read(actor, "toxin clinic measures", filters, cycles=clinic.cycles,
               patients=clinic.patients)
    return clinic


def toxin_choices_read(actor: Actor) -> dict | None:
    """The sites and years of the unit's cycles as the worker last counted them, or None."""
    from collis.sites.models import Site

    row = (ToxinClinicSummary.objects.filter(organisation_id=actor.user.organisation_id,
                                             key=CHOICES_KEY)
           .values_list("data", flat=True).first())
    if row is None:
        return None
    return {"sites": list(Site.objects.filter(pk__in=row["sites"]).order_by("name")),
            "years": row["years"]}


def toxin_summaries_refresh(*, organisation: Organisation) -> dict:
    """Compute and store the toxin clinic page for every choice of filters of the unit;
    returns {"summaries": n, "seconds": s}. Each is stored as it is computed, so a long
    refresh replaces the old summaries one at a time and the page never waits for it."""
    from django.db.models.functions import ExtractYear

    started = time.perf_counter()
    cycles = toxin_cycles_of_unit(None, organisation_id=organisation.pk)
    pairs = sorted(set(cycles.annotate(y=ExtractYear("given_on"))
                       .values_list("site_id", "y").distinct()))
    sites = sorted({site for site, _ in pairs})
    years = sorted({year for _, year in pairs}, reverse=True)
    choices = [AuditFilters()] + [AuditFilters(site_id=s) for s in sites] + [
        AuditFilters(year=y) for y in years] + [AuditFilters(site_id=s, year=y)
                                               for s, y in pairs]
    for filters in choices:
        began = time.perf_counter()
        clinic = toxin_clinic_measures(actor=None, filters=filters, audit=False,
                                       organisation_id=organisation.pk)
        _store(organisation, key_of(filters), clinic_as_json(clinic), clinic.computed_at,
               began)
    _store(organisation, CHOICES_KEY, {"sites": sites, "years": years}, timezone.now(),
           started)
    keys = {key_of(f) for f in choices} | {CHOICES_KEY}
    ToxinClinicSummary.objects.filter(organisation=organisation).exclude(key__in=keys).delete()
    return {"summaries": len(choices), "seconds": round(time.perf_counter() - started, 2)}


def _store(organisation, key: str, data: dict, computed_at, began: float) -> None:
    with transaction.atomic():
        ToxinClinicSummary.objects.update_or_create(
            organisation=organisation, key=key,
            defaults={"data": data, "computed_at": computed_at,
                      "duration_ms": round((time.perf_counter() - began) * 1000)})
