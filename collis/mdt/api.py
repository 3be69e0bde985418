"""The mdt app's part of the JSON API (/api/v1/)."""

from ninja import Router

router = Router(tags=["mdt"])
