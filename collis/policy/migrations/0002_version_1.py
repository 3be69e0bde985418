"""Version 1 of the local policy: the defaults as they stood when policy versions began
(the cooling-off period and the review window from their settings, if set), not yet
signed off."""

from django.conf import settings
from django.db import migrations
from django.utils import timezone

from collis.domain.policy import DEFAULT_LOCAL_POLICY, local_policy_flatten


def seed(apps, schema_editor):
    PolicyVersion = apps.get_model("policy", "PolicyVersion")
    if PolicyVersion.objects.exists():
        return
    values = local_policy_flatten(DEFAULT_LOCAL_POLICY)
    for key, name in (("consent_cooling_off_days", "COLLIS_CONSENT_COOLING_OFF_DAYS"),
                      ("follow_up_review_window_weeks", "COLLIS_FOLLOW_UP_REVIEW_WINDOW_WEEKS")):
        if hasattr(settings, name):
            values[key] = int(getattr(settings, name))
    PolicyVersion.objects.create(
        number=1, values=values, changed=[], signed_off=[],
        reason="The defaults Collis was built with: local policy, not yet signed off.",
        effective_from=timezone.localdate())


class Migration(migrations.Migration):
    dependencies = [("policy", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
