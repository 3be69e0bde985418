"""The NHS.UK frontend's static files: only the built styles, script and assets that the
layout uses, served under static/nhsuk/.

Its npm package also ships some 1,400 source files (Sass, Nunjucks templates, ES modules,
type declarations); collecting them all made `collectstatic` slow and put them on the web.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import utils
from django.contrib.staticfiles.finders import BaseFinder
from django.core.checks import Error
from django.core.files.storage import FileSystemStorage

PREFIX = "nhsuk"
FILES = (
    "nhsuk-frontend.min.css",
    "nhsuk-frontend.min.css.map",
    "nhsuk-frontend.min.js",
    "nhsuk-frontend.min.js.map",
)
FOLDERS = ("assets",)


class NhsukFrontendFinder(BaseFinder):
    """Finds `nhsuk/<file>` among FILES and everything under FOLDERS of the installed
    nhsuk-frontend package (settings.COLLIS_NHSUK_FRONTEND_DIR), and nothing else."""

    def __init__(self, *args, **kwargs):
        self.root = Path(settings.COLLIS_NHSUK_FRONTEND_DIR)
        self.storage = FileSystemStorage(location=self.root)
        self.storage.prefix = PREFIX

    @cached_property
    def relative_paths(self) -> tuple[str, ...]:
        found = [name for name in FILES if (self.root / name).is_file()]
        for folder in FOLDERS:
            found += sorted(path.relative_to(self.root).as_posix()
                            for path in (self.root / folder).rglob("*") if path.is_file())
        return tuple(found)

    def check(self, **kwargs):
        missing = [name for name in FILES if not (self.root / name).is_file()]
        if missing:
            return [Error(f"The NHS.UK frontend is not installed: {self.root / missing[0]} "
                          "is missing.",
                          hint="Run `npm ci` (or `make setup`) in the Collis checkout.",
                          id="collis.E001")]
        return []

    def find(self, path, find_all=False, **kwargs):
        find_all = find_all or kwargs.get("all", False)
        relative = path.removeprefix(PREFIX + "/") if path.startswith(PREFIX + "/") else None
        if relative is None or relative not in self.relative_paths:
            return []
        match = str(self.root / relative)
        return [match] if find_all else match

    def list(self, ignore_patterns):
        for relative in self.relative_paths:
            if not utils.matches_patterns(relative, ignore_patterns):
                yield relative, self.storage
