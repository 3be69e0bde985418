"""Writes of reference data about sites and of what their public pages say."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from collis.core.audit import Actor, audit_record
from collis.core.models import AuditAction
from collis.core.roles import Capability, can, refusal_message
from collis.public.markdown import link_problems
from collis.public.selectors import page_exists
from collis.public.services import public_cache_clear
from collis.sites.models import UNIT_SITES, Site


@transaction.atomic
def site_load_unit_sites() -> int:
    """Create the unit's sites that do not exist yet; leave edited ones alone. Returns the
    number created (0 on a second run)."""
    created = 0
    for code, name, address, postcode in UNIT_SITES:
        _, was_created = Site.objects.get_or_create(
            code=code, defaults={"name": name, "address": address, "postcode": postcode}
        )
        created += was_created
    return created


PUBLIC_FIELDS = ("getting_there", "accessibility", "services", "phone")


@transaction.atomic
def site_public_details_update(*, site: Site, actor: Actor, **values: str) -> Site:
    """Change what the site's public page says (how to get there, accessibility, what the
    unit does there, the telephone number): staff with SITE_EDIT only; checked links,
    audited with the values before and after, and the site's public pages leave the cache."""
    if not can(actor.user, Capability.SITE_EDIT):
        raise PermissionDenied(refusal_message(Capability.SITE_EDIT))
    unknown = set(values) - set(PUBLIC_FIELDS)
    if unknown:
        raise ValueError(f"Not a public detail of a site: {', '.join(sorted(unknown))}")
    errors = {name: problems for name in ("getting_there", "accessibility", "services")
              if (problems := link_problems(values.get(name, ""), page_exists=page_exists))}
    if errors:
        raise ValidationError(errors)
    site = Site.objects.select_for_update().get(pk=site.pk)
    before = {name: getattr(site, name) for name in values}
    for name, value in values.items():
        setattr(site, name, (value or "").strip())
    site.updated_at = timezone.now()
    site.full_clean()
    site.save()
    changed = [name for name in values if before[name] != getattr(site, name)]
    audit_record(actor=actor, action=AuditAction.UPDATE, object_type="site", object_id=site.pk,
                 summary=f"Changed the public page of {site.name}: "
                         + (", ".join(changed) if changed else "nothing changed"),
                 details={"before": {k: before[k] for k in changed},
                          "after": {k: getattr(site, k) for k in changed}})
    public_cache_clear("/sites/", f"/sites/{site.code}/")
    return site
