"""The NHS.UK frontend's static files: the built files the layout names, and nothing of
the package's source."""

from django.contrib.staticfiles import finders

from collis.config.staticfiles import NhsukFrontendFinder


def test_the_built_styles_script_and_icons_are_found():
    for path in ("nhsuk/nhsuk-frontend.min.css", "nhsuk/nhsuk-frontend.min.js",
                 "nhsuk/assets/images/favicon.ico", "nhsuk/assets/manifest.json"):
        assert finders.find(path), path


def test_the_packages_sources_are_not_served():
    for path in ("nhsuk/index.scss", "nhsuk/template.njk", "nhsuk/nhsuk.mjs",
                 "nhsuk/../package.json", "nhsuk/assets/../index.scss"):
        assert not finders.find(path), path


def test_collectstatic_gathers_only_the_built_files():
    listed = [path for path, _ in NhsukFrontendFinder().list(ignore_patterns=[])]
    assert "nhsuk-frontend.min.css" in listed
    assert all(path.startswith(("nhsuk-frontend.min.", "assets/")) for path in listed)


def test_a_missing_npm_install_is_reported_with_what_to_do(settings, tmp_path):
    settings.COLLIS_NHSUK_FRONTEND_DIR = tmp_path
    (error,) = NhsukFrontendFinder().check()
    assert error.id == "collis.E001"
    assert "npm ci" in error.hint
