"""Attached files: what is accepted, and where the bytes are kept.

A file is accepted by its content (its first bytes), never by its name or the browser's
content type, and is kept under a random name in Django's default storage: MEDIA_ROOT
(which no URL serves) or a private S3-compatible bucket (settings.base.media_storage).
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files.storage import storages

from collis.investigations.models import FileType

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
FOLDER = "investigations"

# (type, signature at offset 0)
_SIGNATURES = (
    (FileType.PDF, b"%PDF-"),
    (FileType.PNG, b"\x89PNG\r\n\x1a\n"),
    (FileType.JPEG, b"\xff\xd8\xff"),
)


def max_bytes() -> int:
    return int(getattr(settings, "COLLIS_UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES))


def size_text(size: int) -> str:
    """1536 -> '1.5 KB'; 10485760 -> '10 MB'."""
    for unit, scale in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= scale:
            value = size / scale
            return f"{value:.0f} {unit}" if value == int(value) else f"{value:.1f} {unit}"
    return f"{size} bytes"


def detect_type(head: bytes) -> FileType | None:
    """The file's type from its first bytes, or None for anything else."""
    for file_type, signature in _SIGNATURES:
        if head.startswith(signature):
            return file_type
    return None


def upload_problem(upload, field_label: str = "The attached file") -> str | None:
    """Why an uploaded file is refused, in words that name the field; None if accepted."""
    name = getattr(upload, "name", "") or "the file"
    if upload.size == 0:
        return f"{field_label} ({name}) is empty. Choose a PDF, PNG or JPEG file"
    if upload.size > max_bytes():
        return (f"{field_label} ({name}) must be smaller than {size_text(max_bytes())}: "
                f"it is {size_text(upload.size)}")
    if upload_type(upload) is None:
        return (f"{field_label} ({name}) must be a PDF, PNG or JPEG file. Its content is not "
                "one of these, whatever its name says")
    return None


def upload_type(upload) -> FileType | None:
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    return detect_type(head)


def storage_dir() -> Path:
    """Where the files are when the default storage is the file system (MEDIA_ROOT)."""
    return Path(settings.MEDIA_ROOT) / FOLDER


def stored_path(stored_name: str) -> Path:
    return storage_dir() / stored_name


def _key(stored_name: str) -> str:
    return f"{FOLDER}/{stored_name}"


@dataclass(frozen=True, slots=True)
class StoredFile:
    stored_name: str
    size: int
    sha256: str


def store(upload) -> StoredFile:
    """Save the upload's bytes under a new random name, hashing them on the way. The
    storage never overwrites a file: if the name were taken it would choose another."""
    digest = hashlib.sha256()
    size = 0
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
        size += len(chunk)
    upload.seek(0)
    saved = storages["default"].save(_key(uuid.uuid4().hex), upload)
    return StoredFile(stored_name=saved.rsplit("/", 1)[-1], size=size, sha256=digest.hexdigest())


def open_stored(stored_name: str):
    """The stored bytes, opened for reading; FileNotFoundError if they are missing."""
    return storages["default"].open(_key(stored_name), "rb")


def remove_stored(stored_name: str) -> None:
    """Delete the stored bytes (nothing happens if they are already gone)."""
    storages["default"].delete(_key(stored_name))
