"""The given/when/then steps every browser journey shares, after the NHS breast-screening
service's `SystemTestCase`: a journey is a `Test...` class that inherits `Journey`, names
its own steps as methods, and reads as a list of steps. The page, the live server and the
console-error check come from the fixtures in conftest.py.

A form control is named by its label or, where a label repeats on the page, by "#id"."""

import datetime
import re

import pypdf
import pytest
from playwright.sync_api import Download, Locator, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from collis.core.roles import Role
from collis.core.tests.factories import PASSWORD, UserFactory
from collis.patients.tests.factories import PatientFactory
from tests.system.conftest import check_accessibility, sign_in

SUCCESS_BANNER = ".nhsuk-notification-banner--success"
ERROR_SUMMARY = ".nhsuk-error-summary"


@pytest.mark.django_db(transaction=True)
class Journey:
    """Steps shared by every journey; `self.page` is the browser tab of the test."""

    @pytest.fixture(autouse=True)
    def _journey(self, page, settings, tmp_path):
        self.page = page
        self.settings = settings
        self.tmp_path = tmp_path

    # Given

    def given_a_patient(self, given_name: str = "", family_name: str = "", **fields):
        """A patient on the registry, with these names (the factory's otherwise)."""
        names = {"given_name": given_name, "family_name": family_name}
        return PatientFactory(**{k: v for k, v in names.items() if v}, **fields)

    def given_a_user(self, role: Role, **names):
        """A member of staff with this role (and these first/last names, if given)."""
        return UserFactory(role=role, **names)

    def given_i_am_signed_in_as(self, who, **names):
        """Sign in through the login page as `who`: a user, or a Role for which a new user
        (with these first/last names) is made. Returns the user."""
        user = self.given_a_user(who, **names) if isinstance(who, Role) else who
        self.when_i_sign_in(user.username, PASSWORD)
        return user

    # When

    def when_i_sign_in(self, username: str, password: str) -> None:
        sign_in(self.page, username, password)

    def when_i_sign_out(self) -> None:
        self.when_i_press("Sign out")

    def when_the_user_changes_to(self, user) -> None:
        """Another member of the team takes the browser: the session ends, they sign in."""
        self.page.context.clear_cookies()
        self.given_i_am_signed_in_as(user)

    def when_i_visit(self, path: str) -> None:
        self.response = self.page.goto(path)

    def when_i_open_the_record(self, patient, subpage: str = "") -> None:
        """The patient's record, or a page below it ("toxin/", "toxin/new/")."""
        self.when_i_visit(f"/patients/{patient.pk}/{subpage}")

    def when_i_follow_the_record_section(self, section: str) -> None:
        """Follow a link of the record's section navigation ("Rating scales", "Candidacy")."""
        self.page.get_by_role("navigation", name="Sections of the record").get_by_role(
            "link", name=section).click()

    def when_i_open_the_episode(self, episode, subpage: str = "") -> None:
        """The episode's page, or one below it ("consent/", "funding/")."""
        self.when_i_visit(f"/patients/{episode.patient_id}/episodes/{episode.pk}/{subpage}")

    def when_i_follow(self, link: str | re.Pattern, *, exact: bool = False,
                      first: bool = False) -> None:
        self.page.wait_for_load_state("load")  # the header's script has laid out its links
        found = self.page.get_by_role("link", name=link, exact=exact)
        target = found.first if first else found
        menu = self.page.locator(".nhsuk-header__menu-list").get_by_role(
            "link", name=link, exact=exact)
        toggle = self.page.locator(".nhsuk-header__menu-toggle")
        if not target.is_visible() and (menu.count() or self._waited_for(toggle)):
            # A header link that did not fit: the NHS.UK header's script shows it under
            # "More" (once the script has run).
            toggle.click()
            target = self.page.locator(".nhsuk-header__menu-list").get_by_role(
                "link", name=link, exact=exact)
            target.wait_for(state="visible")
        target.click()

    @staticmethod
    def _waited_for(locator, seconds: float = 3) -> bool:
        try:
            locator.wait_for(state="visible", timeout=seconds * 1000)
        except PlaywrightTimeoutError:
            return False
        return True

    def when_i_press(self, button: str, *, exact: bool = False) -> None:
        self.page.get_by_role("button", name=button, exact=exact).click()

    def when_i_fill_in(self, fields: dict[str, str], *, exact: bool = False,
                       group: str | None = None) -> None:
        """Type into each control named by label (or "#id"), in order."""
        for label, value in fields.items():
            self.control(label, exact=exact, group=group).fill(value)

    def when_i_fill_in_the_date(self, day: datetime.date, *, legend: str | None = None,
                                field: str | None = None) -> None:
        """An NHS.UK date input: the one named by its legend, the one whose inputs are
        "#<field>-day" and so on, or else the page's only one."""
        parts = {"Day": day.day, "Month": day.month, "Year": day.year}
        for part, value in parts.items():
            if field:
                box = self.page.locator(f"#{field}-{part.lower()}")
            else:
                box = self.control(part, group=legend)
            box.fill(str(value))

    def when_i_choose(self, label: str, *, exact: bool = False,
                      group: str | None = None) -> None:
        """Tick a radio or a checkbox, within the fieldset named `group` if given."""
        self.control(label, exact=exact, group=group).check()

    def when_i_untick(self, label: str, *, exact: bool = False,
                      group: str | None = None) -> None:
        self.control(label, exact=exact, group=group).uncheck()

    def when_i_select(self, label: str, value: str | None = None, *, option: str | None = None,
                      index: int | None = None, exact: bool = False) -> None:
        """Choose from a select: by value (or label, as Playwright does), by the option's
        label only, or by position."""
        self.control(label, exact=exact).select_option(value, label=option, index=index)

    def when_i_fill_in_the_muscle_rows(self, *rows: tuple, labels: str = "{field} {n}") -> None:
        """Numbered muscle rows from 1: (muscle, side) or (muscle, side, units), by value;
        units None leaves that row's units blank. `labels` spells a row's labels."""
        for n, (muscle, side, *units) in enumerate(rows, start=1):
            self.when_i_select(labels.format(field="Muscle", n=n), muscle, exact=True)
            self.when_i_select(labels.format(field="Side", n=n), side, exact=True)
            if units and units[0] is not None:
                self.when_i_fill_in({labels.format(field="Units", n=n): units[0]}, exact=True)

    def when_i_follow_the_error_to(self, field: str, *, link: str | None = None,
                                   exact: bool = False) -> None:
        """Follow the error summary's link (the first, or the one named `link`) and land in
        the field it names."""
        links = self.error_summary().get_by_role("link", name=link)
        (links if link else links.first).click()
        expect(self.control(field, exact=exact)).to_be_focused()

    def when_i_download(self, link: str) -> Download:
        with self.page.expect_download() as download:
            self.when_i_follow(link)
        return download.value

    def when_i_download_the_pdf(self, link: str) -> list[str]:
        """Follow a download link and read the PDF: the text of each page, with runs of
        white space made one space."""
        reader = pypdf.PdfReader(self.when_i_download(link).path())
        return [re.sub(r"\s+", " ", page.extract_text()) for page in reader.pages]

    # Then

    def then_the_page_is_accessible(self, screenshot: str | None = None) -> None:
        """axe finds nothing on this page (WCAG 2.2 AA and best practice); the screenshot,
        if named, goes to var/screenshots/."""
        check_accessibility(self.page, screenshot)

    def then_access_is_refused(self) -> None:
        """The page last visited by address answered 403 Forbidden."""
        assert self.response.status == 403

    def then_i_see_the_heading(self, name: str, *, exact: bool = False) -> None:
        expect(self.page.get_by_role("heading", name=name, exact=exact)).to_be_visible()

    def then_the_page_heading_says(self, text: str) -> None:
        """The h1 contains `text`."""
        expect(self.page.get_by_role("heading", level=1)).to_contain_text(text)

    def then_i_see(self, text: str | re.Pattern, *, exact: bool = False,
                   first: bool = False) -> None:
        found = self.page.get_by_text(text, exact=exact)
        expect(found.first if first else found).to_be_visible()

    def then_i_see_the_link(self, name: str) -> None:
        expect(self.page.get_by_role("link", name=name)).to_be_visible()

    def then_there_is_no_link(self, name: str) -> None:
        expect(self.page.get_by_role("link", name=name)).to_have_count(0)

    def then_i_see_the_success_banner(self, text: str) -> None:
        expect(self.page.locator(SUCCESS_BANNER).filter(has_text=text)).to_be_visible()

    def then_the_error_summary_says(self, *messages: str) -> None:
        for message in messages:
            expect(self.error_summary()).to_contain_text(message)

    def then_the_field_holds(self, label: str, value: str | re.Pattern, *,
                             exact: bool = False) -> None:
        """What was typed is still there (after an error, or on a change form)."""
        expect(self.control(label, exact=exact)).to_have_value(value)

    def then_the_box_is_ticked(self, label: str, *, exact: bool = False,
                               group: str | None = None) -> None:
        expect(self.control(label, exact=exact, group=group)).to_be_checked()

    def then_the_table_shows(self, *texts: str, name: str | re.Pattern | None = None,
                             containing: str | None = None, which: str | None = None) -> None:
        """A table (the page's only one, the one named `name`, the one containing
        `containing`, or its "first"/"last") contains each text."""
        table = self.table(name=name, containing=containing, which=which)
        for text in texts:
            expect(table).to_contain_text(text)

    def then_the_episode_is_at(self, episode, state) -> None:
        episode.refresh_from_db()
        assert episode.state == state

    # Locators the steps share

    def control(self, label: str, *, exact: bool = False, group: str | None = None) -> Locator:
        """A form control by its label ("#id" for an id), within a fieldset if named."""
        scope = self.page.get_by_role("group", name=group, exact=True) if group else self.page
        return scope.locator(label) if label.startswith("#") else scope.get_by_label(
            label, exact=exact)

    def error_summary(self) -> Locator:
        """The NHS.UK error summary's alert (a success banner is an alert too)."""
        return self.page.locator(ERROR_SUMMARY).get_by_role("alert")

    def table(self, *, name: str | re.Pattern | None = None, containing: str | None = None,
              which: str | None = None) -> Locator:
        table = self.page.get_by_role("table", name=name)
        if containing:
            table = table.filter(has_text=containing)
        return getattr(table, which) if which else table
