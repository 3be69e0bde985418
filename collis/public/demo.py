"""Demo content for the public pages: the first content (as migration public 0002 loads it)
and one synthetic patient story with synthetic consent, recorded through the services."""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone

from collis.core.audit import Actor
from collis.public import services
from collis.public.models import Channel, ConsentGiver, Story

DEMO_STORY = {
    "title": "Driving again after my operation",
    "teller": "Sky (a synthetic demo story)",
    "body": ("This story is made up, to show how stories appear. It is not a real "
             "patient's story.\n\nFor years my head pulled to one side. Injections helped at "
             "first, then less each time. The team talked me through the operation and what "
             "it could and could not do.\n\nThe first weeks were hard work. My physiotherapist "
             "kept me going. Now I can look over my shoulder and drive again."),
}


def demo_public_load(editor_username: str = "editor") -> int:
    """The first content, and the demo story if no story exists. Returns the number of
    pages created."""
    created = services.page_load_initial()
    editor = get_user_model().objects.filter(username=editor_username).first()
    if editor is not None and not Story.objects.exists():
        services.story_create(
            **DEMO_STORY, photograph="", given_by="Sky Demo-Storyteller",
            given_by_kind=ConsentGiver.PATIENT,
            given_on=timezone.localdate() - datetime.timedelta(days=7),
            includes_photograph=False, channels=[Channel.WEBSITE],
            form_reference="Demo consent form DEMO-001", actor=Actor.command_line(editor))
    return created
