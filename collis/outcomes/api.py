"""The outcomes app's part of the JSON API (/api/v1/)."""

from ninja import Router

router = Router(tags=["outcomes"])
