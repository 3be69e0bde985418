"""Given/when/then: a member of the public reads about selective denervation and finds The
Portland Hospital; a content editor updates a page and a consultant publishes it. Every
page is checked with axe, on a desktop and a phone-sized screen."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from collis.core.roles import Role
from collis.public.models import PagePublication
from collis.public.tests.factories import PNG, pages_loaded
from tests.system.steps import Journey

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


class TestPublicPages(Journey):
    def test_a_member_of_the_public_reads_about_selective_denervation_and_finds_a_site(self):
        self.given_the_public_pages()

        self.when_i_visit("/")
        self.then_i_see_the_heading("Dystonia and its treatment", exact=True)
        self.then_i_see_the_link("Staff sign in")
        self.then_there_is_no_staff_navigation()
        self.then_the_page_is_accessible_on_a_desktop_and_a_phone("public-home")

        self.when_i_follow("Selective denervation surgery for cervical dystonia")
        self.then_i_see_the_heading("Selective denervation surgery for cervical dystonia")
        self.then_i_see_the_heading("What are the risks?")
        self.then_i_see("new dysphagia on videofluoroscopy in 3 of 12", first=True)
        self.then_i_see("Success rates vary from person to person.")
        self.then_i_see("It does not replace personal advice from a qualified health "
                        "professional")
        self.then_i_see("Next review due:")
        self.then_the_page_is_accessible_on_a_desktop_and_a_phone("public-selective-denervation")

        self.when_i_search_for("swallowing")
        self.then_i_see_the_link("Selective denervation surgery for cervical dystonia")
        self.then_the_page_is_accessible("public-search")

        self.when_i_follow("Our sites", first=True)
        self.then_i_see_the_heading("Our sites", exact=True)
        self.then_the_page_is_accessible_on_a_desktop_and_a_phone("public-sites")
        self.when_i_follow("The Portland Hospital")
        self.then_i_see_the_heading("The Portland Hospital", exact=True)
        self.then_i_see("205-209 Great Portland Street")
        self.then_i_see("W1W 5AH")
        self.then_the_page_is_accessible_on_a_desktop_and_a_phone("public-portland-hospital")

    def test_a_content_editor_updates_a_page_and_a_consultant_publishes_it(self):
        self.given_the_public_pages()
        self.given_i_am_signed_in_as(Role.CONTENT_EDITOR, first_name="Eda", last_name="Editor")

        self.when_i_follow("Public information", exact=True)
        self.then_i_see_the_heading("Public information", exact=True)
        self.then_i_see("Loaded with Collis: not yet reviewed by the unit", first=True)
        self.then_the_page_is_accessible("content-list")
        self.when_i_follow("What is dystonia?")
        self.when_i_press("Edit this page")  # a link styled as a button
        self.then_the_page_heading_says("Edit")
        self.when_i_fill_in({"Page text": "Dystonia is a condition of the brain and nerves.\n\n"
                                          "## Need to know\n\nIt is usually lifelong. "
                                          "[Read about surgery](/information/no-such-page/)"})
        self.when_i_press("Preview")
        self.then_the_error_summary_says("leads to an information page that does not exist")
        self.then_the_page_is_accessible("content-edit-error")
        self.when_i_fill_in({"Page text": "Dystonia is a condition of the brain and nerves.\n\n"
                                          "## Need to know\n\nIt is usually lifelong. Swallowing "
                                          "problems after surgery: "
                                          "{{risk:SD_SWALLOWING_DIFFICULTY}}"})
        self.when_i_press("Preview")
        self.then_i_see_the_heading("Preview")
        self.then_i_see("new dysphagia on videofluoroscopy in 3 of 12", first=True)
        self.then_the_page_is_accessible("content-edit-preview")
        self.when_i_fill_in_the_date(timezone.localdate() + datetime.timedelta(days=300),
                                     field="review_due")
        self.when_i_fill_in({"What changed": "Shorter page with the swallowing figure"})
        self.when_i_press("Save the new version")
        self.then_i_see_the_success_banner("Version 2 is saved.")
        self.then_i_see("Your role cannot review and publish the public information pages.")
        self.then_the_page_is_accessible("content-version-editor")

        self.when_the_user_changes_to(self.given_a_user(Role.CLINICAL_LEAD, first_name="Lia",
                                                        last_name="Lead"))
        self.when_i_follow("Public information", exact=True)
        self.when_i_follow("Version 2, waiting for review")
        self.when_i_press("Publish this version")
        self.then_the_error_summary_says("Confirm that you have reviewed the page")
        self.when_i_choose("I have reviewed this version and it is correct")
        self.when_i_press("Publish this version")
        self.then_i_see_the_success_banner("Version 2 is published.")
        self.then_the_table_shows("Lia Lead", "Eda Editor", name="Every version")
        self.then_the_page_is_accessible("content-page-history")
        assert PagePublication.objects.filter(version__number=2,
                                              reviewed_by__last_name="Lead").exists()

        self.when_i_sign_out()
        self.when_i_visit("/information/dystonia/")
        self.then_i_see("Dystonia is a condition of the brain and nerves.")
        self.then_i_see("Page last reviewed:")
        self.then_the_page_is_accessible_on_a_desktop_and_a_phone("public-page-updated")

    def test_an_editor_records_a_story_with_consent_and_withdraws_it(self):
        self.given_the_public_pages()
        self.given_i_am_signed_in_as(Role.CONTENT_EDITOR)
        self.when_i_follow("Public information", exact=True)
        self.when_i_press("Record a patient story")
        self.then_i_see_the_heading("Record a patient story")
        self.then_the_page_is_accessible("story-create")
        self.when_i_fill_in({"Title of the story": "Back at work",
                             "Name shown with the story": "Kit",
                             "#body": "After the operation I went back to work.",
                             "Description of the photograph": "Kit at a desk, smiling",
                             "Who gave consent": "Kit Demo-Teller",
                             "Where the signed form is kept": "SC-0100"})
        self.page.get_by_label("Photograph (optional)").set_input_files(
            files=[{"name": "kit.png", "mimeType": "image/png", "buffer": PNG}])
        self.when_i_choose("The patient", exact=True)
        self.when_i_fill_in_the_date(timezone.localdate(), field="given_on")
        self.when_i_choose("The unit's website (these pages)")
        self.when_i_choose("The consent covers the photograph")
        self.when_i_press("Record the story and consent")
        self.then_i_see_the_success_banner("The story and its consent are recorded.")
        self.then_the_page_is_accessible("story-record")

        self.when_i_visit("/stories/")
        self.when_i_follow("Back at work")
        expect(self.page.get_by_role("img", name="Kit at a desk, smiling")).to_be_visible()
        self.then_the_page_is_accessible_on_a_desktop_and_a_phone("public-story")

        self.when_i_visit("/content/")
        self.when_i_follow("Back at work")
        self.when_i_fill_in_the_date(timezone.localdate(), field="withdrawn_on")
        self.when_i_fill_in({"How it was withdrawn": "Telephone call from Kit"})
        self.when_i_press("Withdraw consent")
        self.then_i_see_the_success_banner("The story is no longer published.")
        self.then_i_see("Telephone call from Kit", first=True)
        self.then_the_page_is_accessible("story-withdrawn")
        self.when_i_visit("/stories/")
        self.then_there_is_no_link("Back at work")

    # Given

    def given_the_public_pages(self):
        pages_loaded()

    # When

    def when_i_search_for(self, words: str):
        self.page.get_by_role("searchbox", name="Search the information pages").fill(words)
        self.page.get_by_role("searchbox", name="Search the information pages").press("Enter")

    # Then

    def then_there_is_no_staff_navigation(self):
        expect(self.page.get_by_role("link", name="Patients", exact=True)).to_have_count(0)
        expect(self.page.get_by_role("button", name="Sign out")).to_have_count(0)

    def then_the_page_is_accessible_on_a_desktop_and_a_phone(self, name: str):
        self.then_the_page_is_accessible(name)
        self.page.set_viewport_size(PHONE)
        self.then_the_page_is_accessible(f"{name}-phone")
        self.page.set_viewport_size(DESKTOP)


@pytest.mark.django_db(transaction=True)
class TestPublicPagesWithoutJavaScript:
    """The public pages work with JavaScript turned off: reading, the header's search and
    following a site."""

    def test_a_reader_without_javascript_searches_and_reads(self, browser, live_server, sites):
        pages_loaded()
        context = browser.new_context(base_url=live_server.url, java_script_enabled=False,
                                      viewport=PHONE)
        context.route("https://assets.nhs.uk/**", lambda route: route.abort())
        page = context.new_page()
        try:
            page.goto("/")
            page.get_by_role("searchbox", name="Search the information pages").fill("rotation")
            page.get_by_role("button", name="Search").first.click()
            expect(page.get_by_role("heading", level=1)).to_have_text("Search")
            page.get_by_role("link", name="Selective denervation surgery for cervical "
                                          "dystonia").click()
            expect(page.get_by_text("It usually works best when your neck twists")).to_be_visible()
            page.goto("/sites/")
            page.get_by_role("link", name="The Portland Hospital").click()
            expect(page.get_by_text("W1W 5AH")).to_be_visible()
        finally:
            context.close()
