"""The pathway's part of the JSON API (/api/v1/)."""

from ninja import Router

router = Router(tags=["pathway"])
