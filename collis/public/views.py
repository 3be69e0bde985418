"""The public pages (no sign-in, served from the per-page cache) and the editors' pages:
drafting with a preview, a reviewer's sign-off, and patient stories with their consent."""

from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.urls import reverse

from collis.core.audit import Actor
from collis.core.flow import form_errors_apply, form_submit
from collis.core.permissions import methods, public, require
from collis.core.roles import Capability, can
from collis.public import search as public_search
from collis.public import selectors, services
from collis.public.caching import public_cached
from collis.public.forms import PageVersionForm, PublishForm, StoryForm, WithdrawForm
from collis.public.markdown import markdown_render
from collis.public.photos import photo_open
from collis.public.presenters import page_view
from collis.sites.selectors import site_list_active

HOME = {"text": "Home", "href": "/"}


def _public(request, template: str, title: str, **context):
    return render(request, template, {"title": title, **context})


# -- public ------------------------------------------------------------------------------

@public_cached
def public_home(request):
    """The home page for anyone not signed in (core.views.home sends them here)."""
    return _public(request, "public/home.jinja", "Dystonia and its treatment",
                   pages=selectors.page_published_list(), sites=site_list_active())


@public
@public_cached
def page_list(request):
    return _public(request, "public/page_list.jinja", "Information about dystonia",
                   pages=selectors.page_published_list(),
                   breadcrumbs=[HOME, {"text": "Information", "href": ""}])


@public
@public_cached
def page_detail(request, slug):
    published = selectors.page_published_get(slug=slug)
    services.page_figures_note(page=published.page, body=published.version.body)
    view = page_view(published, selectors.page_history(page=published.page))
    return _public(request, "public/page_detail.jinja", view.title, view=view,
                   breadcrumbs=[HOME, {"text": "Information", "href": reverse(
                       "public:page_list")}, {"text": view.title, "href": ""}])


@public
@public_cached  # a search (with a query) is never kept; the plain page is
def search(request):
    query = (request.GET.get("q") or "").strip()[:200]
    results = public_search.public_search(query) if query else []
    return _public(request, "public/search.jinja", "Search", query=query, results=results,
                   breadcrumbs=[HOME, {"text": "Search", "href": ""}])


@public
@public_cached
def story_list(request):
    return _public(request, "public/story_list.jinja", "Patient stories",
                   stories=selectors.story_published_list(),
                   breadcrumbs=[HOME, {"text": "Patient stories", "href": ""}])


@public
def story_photo(request, pk):
    """A published story's photograph; 404 once consent is withdrawn. Browsers check back
    each time, so a withdrawal takes it off at once."""
    story = selectors.story_published_get(pk=pk)
    if not story.has_photograph:
        raise Http404("No photograph")
    response = FileResponse(photo_open(story.photograph_stored),
                            content_type=story.photograph_type)
    response["Cache-Control"] = "no-cache"
    return response


@public
@public_cached
def story_detail(request, pk):
    story = selectors.story_published_get(pk=pk)
    return _public(request, "public/story_detail.jinja", story.title, story=story,
                   html=markdown_render(story.body),
                   breadcrumbs=[HOME, {"text": "Patient stories", "href": reverse(
                       "public:story_list")}, {"text": story.title, "href": ""}])


# -- editors -----------------------------------------------------------------------------

def _crumbs(*more):
    return [HOME, {"text": "Public information", "href": reverse("public:content_list")}, *more]


@require(Capability.CONTENT_EDIT)
def content_list(request):
    return render(request, "public/content_list.jinja", {
        "title": "Public information", "rows": selectors.page_editor_list(),
        "stories": selectors.story_list(),
        "sites": site_list_active() if can(request.user, Capability.SITE_EDIT) else [],
        "can_record_stories": can(request.user, Capability.STORY_RECORD),
        "breadcrumbs": _crumbs()[:-1] + [{"text": "Public information", "href": ""}],
    })


@require(Capability.CONTENT_EDIT)
def content_page(request, slug):
    page = selectors.page_get(slug=slug)
    versions = selectors.page_versions(page=page)
    if not versions:
        raise Http404("No such page")
    return render(request, "public/content_page.jinja", {
        "title": versions[0].title, "page": page, "versions": versions,
        "breadcrumbs": _crumbs({"text": versions[0].title, "href": ""}),
    })


@require(Capability.CONTENT_EDIT)
@methods("GET", "POST")
def content_page_edit(request, slug):
    """Draft a new version, starting from the latest; "Preview" shows it as readers would
    see it without saving anything."""
    page = selectors.page_get(slug=slug)
    latest = selectors.page_versions(page=page)[0]
    initial = {"title": latest.title, "summary": latest.summary, "body": latest.body,
               "review_due": latest.review_due}
    form = PageVersionForm(request.POST if request.method == "POST" else None, initial=initial)
    preview = None
    if request.method == "POST" and "preview" in request.POST:
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.page_content_check(title=data["title"], summary=data["summary"],
                                            body=data["body"], review_due=data["review_due"])
                preview = markdown_render(data["body"])
            except ValidationError as error:
                form_errors_apply(form, error)
    elif request.method == "POST":
        actor = Actor.from_request(request)
        response = form_submit(
            request, form,
            lambda data: services.page_version_create(page=page, actor=actor, **data),
            redirect_to=lambda v: reverse("public:content_version", args=[slug, v.number]),
            message=lambda v: f"Version {v.number} is saved. A reviewer must publish it "
                              "before readers see it.")
        if response:
            return response
    return render(request, "public/content_edit.jinja", {
        "title": f"Edit “{latest.title}”", "form": form, "page": page, "latest": latest,
        "preview": preview,
        "breadcrumbs": _crumbs({"text": latest.title, "href": reverse(
            "public:content_page", args=[slug])}, {"text": "Edit", "href": ""}),
    })


@require(Capability.CONTENT_EDIT)
@methods("GET", "POST")
def content_version(request, slug, number):
    """One version as readers would see it, with the reviewer's sign-off that publishes it."""
    page = selectors.page_get(slug=slug)
    version = selectors.page_version_get(page=page, number=number)
    form = PublishForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        actor = Actor.from_request(request)
        response = form_submit(
            request, form,
            lambda data: services.page_version_publish(version=version,
                                                       confirmed=data["confirmed"],
                                                       actor=actor),
            redirect_to=reverse("public:content_page", args=[slug]),
            message=f"Version {version.number} is published.")
        if response:
            return response
    return render(request, "public/content_version.jinja", {
        "title": f"{version.title}: version {version.number}", "version": version,
        "html": markdown_render(version.body), "form": form,
        "published": selectors.version_is_published(version),
        "refusal": services.may_review(version, request.user),
        "public_url": page.get_absolute_url(),
        "breadcrumbs": _crumbs({"text": version.title, "href": reverse(
            "public:content_page", args=[slug])}, {"text": f"Version {number}", "href": ""}),
    })


@require(Capability.STORY_RECORD)
@methods("GET", "POST")
def story_create(request):
    form = StoryForm(request.POST if request.method == "POST" else None,
                     request.FILES if request.method == "POST" else None)
    if request.method == "POST":
        actor = Actor.from_request(request)
        response = form_submit(
            request, form, lambda data: services.story_create(actor=actor, **data),
            redirect_to=lambda s: reverse("public:story_record", args=[s.pk]),
            message="The story and its consent are recorded.")
        if response:
            return response
    return render(request, "public/story_create.jinja", {
        "title": "Record a patient story", "form": form,
        "breadcrumbs": _crumbs({"text": "Record a story", "href": ""}),
    })


@require(Capability.STORY_RECORD)
@methods("GET", "POST")
def story_record(request, pk):
    """A story, whether it is published, its consents and withdrawals; the withdrawal form."""
    story = selectors.story_get(pk=pk)
    consents = selectors.story_consents(story=story, actor=Actor.from_request(request))
    form = WithdrawForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        actor = Actor.from_request(request)
        response = form_submit(
            request, form,
            lambda data: services.story_consent_withdraw(story=story, actor=actor, **data),
            redirect_to=reverse("public:story_record", args=[pk]),
            message="Consent is withdrawn. The story is no longer published.")
        if response:
            return response
    return render(request, "public/story_record.jinja", {
        "title": story.title, "story": story, "consents": consents,
        "standing": [c for c in consents if not selectors.consent_is_withdrawn(c)],
        "published": selectors.story_is_published(story, consents), "form": form,
        "html": markdown_render(story.body),
        "breadcrumbs": _crumbs({"text": story.title, "href": ""}),
    })
