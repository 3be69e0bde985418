"""A story's photograph: accepted by its content (PNG or JPEG, checked as investigations'
files are, collis.investigations.uploads) and kept under a random name in the default
storage, outside the web root. Only the public story page's own view serves it, and only
while the story's consent stands."""

from __future__ import annotations

import hashlib
import uuid

from django.core.files.storage import storages

from collis.investigations.models import FileType
from collis.investigations.uploads import max_bytes, size_text, upload_type

FOLDER = "stories"
IMAGE_TYPES = (FileType.PNG, FileType.JPEG)


def photo_problem(upload) -> str | None:
    """Why a photograph is refused, in words naming the field; None when accepted."""
    name = getattr(upload, "name", "") or "the file"
    if upload.size == 0:
        return f"The photograph ({name}) is empty. Choose a PNG or JPEG file"
    if upload.size > max_bytes():
        return (f"The photograph ({name}) must be smaller than {size_text(max_bytes())}: "
                f"it is {size_text(upload.size)}")
    if upload_type(upload) not in IMAGE_TYPES:
        return (f"The photograph ({name}) must be a PNG or JPEG image. Its content is not "
                "one of these, whatever its name says")
    return None


def photo_store(upload) -> tuple[str, str, str]:
    """Keep the photograph: (stored name, its SHA-256, its content type)."""
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    content_type = str(upload_type(upload))
    saved = storages["default"].save(f"{FOLDER}/{uuid.uuid4().hex}", upload)
    return saved.rsplit("/", 1)[-1], digest.hexdigest(), content_type


def photo_open(stored_name: str):
    return storages["default"].open(f"{FOLDER}/{stored_name}", "rb")
