"""The NHS.UK components rendered from kept skeletons (collis.config.components) give the
package's macros' HTML byte for byte, whatever the texts, links, markup and shapes."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jinja2 import ChainableUndefined, Environment, PackageLoader
from markupsafe import Markup

from collis.config import components
from collis.core.nhsuk_forms.rendering import _camel, jinja_env

PACKAGE = Environment(loader=PackageLoader("nhsuk_frontend_jinja"), autoescape=True,  # noqa: S701
                      undefined=ChainableUndefined)
MACROS = {component: _camel(component) for component in components.COMPONENTS}


def both(component: str, params: dict) -> tuple[str, str]:
    name = f"nhsuk/components/{component}/macro.jinja"
    ours = getattr(jinja_env().get_template(name).module, MACROS[component])(params)
    theirs = getattr(PACKAGE.get_template(name).module, MACROS[component])(params)
    return str(ours), str(theirs)


texts = st.text(alphabet="ab <>&\"'é\n\t", max_size=10)
markups = st.sampled_from([Markup("<strong>bold</strong>"), Markup("a &amp; b"), Markup(""),
                           Markup(" <em>x</em> ")])
values = st.one_of(texts, markups)
hrefs = st.one_of(st.just(""), st.sampled_from(["/patients/", "/a?b=1&c=<2>", "#x"]))
classes = st.sampled_from([None, "", "nhsuk-u-margin-bottom-0",
                           "nhsuk-summary-list--no-border", "nhsuk-tag--grey"])
action = st.fixed_dictionaries({"href": hrefs, "text": texts},
                               optional={"visuallyHiddenText": texts})
row = st.fixed_dictionaries(
    {"key": st.one_of(values, st.fixed_dictionaries({"text": texts})),
     "value": st.one_of(values, st.fixed_dictionaries({"text": texts}),
                        st.fixed_dictionaries({"html": markups}))},
    optional={"actions": st.fixed_dictionaries({"items": st.lists(action, max_size=2)})})

PARAMS = {
    "summary-list": st.fixed_dictionaries({"rows": st.lists(row, max_size=4)},
                                          optional={"classes": classes}),
    "breadcrumb": st.fixed_dictionaries(
        {"items": st.lists(st.fixed_dictionaries({"href": hrefs, "text": texts}), min_size=1,
                           max_size=4)},
        optional={"href": hrefs, "text": texts}),
    "button": st.fixed_dictionaries({"text": texts},
                                    optional={"href": hrefs, "classes": classes,
                                              "html": markups}),
    "tag": st.fixed_dictionaries({"text": texts}, optional={"classes": classes}),
    "inset-text": st.one_of(st.fixed_dictionaries({"text": texts}),
                            st.fixed_dictionaries({"html": values})),
    "action-link": st.fixed_dictionaries({"text": texts, "href": hrefs}),
    "skip-link": st.fixed_dictionaries({}, optional={"text": texts, "href": hrefs}),
    "back-link": st.fixed_dictionaries({"text": texts}, optional={"href": hrefs}),
    "warning-callout": st.fixed_dictionaries({"heading": texts, "html": values}),
    "pagination": st.fixed_dictionaries(
        {}, optional={"previous": st.fixed_dictionaries({"href": hrefs},
                                                        optional={"labelText": texts}),
                      "next": st.fixed_dictionaries({"href": hrefs},
                                                    optional={"labelText": texts}),
                      "classes": classes}),
    "input": st.fixed_dictionaries({"label": st.fixed_dictionaries({"text": texts}),
                                    "id": st.just("q"), "name": st.just("q")},
                                   optional={"value": texts,
                                             "hint": st.fixed_dictionaries({"text": texts})}),
}


@pytest.mark.parametrize("component", sorted(PARAMS))
def test_generated_parameters_give_the_macros_html(component):
    @settings(max_examples=60, deadline=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(PARAMS[component], PARAMS[component])
    def check(first, second):
        for params in (first, second, first):  # the second use of a shape reads the skeleton
            ours, theirs = both(component, params)
            assert ours == theirs
    check()


FORM_CASES = [
    ("input", {"label": {"text": "Family name"}, "id": "family", "name": "family",
               "hint": {"text": "As on the <NHS> record"},
               "errorMessage": {"text": "Enter the family name & try again"}}),
    ("input", {"label": {"text": "Units"}, "id": "u", "name": "u", "value": "O'Brien <x>"}),
    ("textarea", {"label": {"text": "Notes"}, "id": "n", "name": "n", "value": "a\nb & c"}),
    ("select", {"label": {"text": "Site"}, "id": "s", "name": "s",
                "items": [{"value": "1", "text": "The Portland <Hospital>", "selected": True},
                          {"value": "2", "text": "Queen Square"}]}),
    ("radios", {"name": "side", "idPrefix": "side",
                "fieldset": {"legend": {"text": "Which side?"}},
                "items": [{"value": "left", "text": "Left"}, {"value": "right", "text": "Right"}],
                "value": "left"}),
    ("checkboxes", {"name": "m", "idPrefix": "m", "fieldset": {"legend": {"text": "Muscles"}},
                    "items": [{"value": "scm", "text": "Sternocleidomastoid", "checked": True},
                              {"value": "spl", "text": "Splenius & capitis",
                               "hint": {"text": "Deep"}}]}),
    ("date-input", {"id": "d", "namePrefix": "d", "fieldset": {"legend": {"text": "Date"}},
                    "items": [{"name": "day", "value": "3"}, {"name": "month", "value": "12"},
                              {"name": "year", "value": "2026"}]}),
]


def test_every_listed_component_is_checked_here():
    assert set(PARAMS) | {component for component, _ in FORM_CASES} == set(components.COMPONENTS)


@pytest.mark.parametrize(("component", "params"), FORM_CASES)
def test_form_components_give_the_macros_html(component, params):
    for _ in range(2):
        ours, theirs = both(component, params)
        assert ours == theirs


def test_a_kept_skeleton_holds_no_text_of_the_call():
    components._kept.clear()
    both("summary-list", {"rows": [{"key": {"text": "Name"},
                                    "value": {"text": "PATIENT-NAME-XYZ"}}]})
    assert components._kept
    assert all("PATIENT-NAME-XYZ" not in skeleton for skeleton in components._kept.values())


@pytest.mark.parametrize(("component", "params"), [
    ("input", {"label": {"text": "Family name"}, "id": "f", "name": "f",
               "value": "TYPED-VALUE"}),
    ("input", {"label": {"text": "Family name"}, "id": "f", "name": "f",
               "value": " TYPED-VALUE "}),
    ("textarea", {"label": {"text": "Notes"}, "id": "n", "name": "n",
                  "value": "TYPED-VALUE"}),
])
def test_what_someone_typed_is_not_kept(component, params):
    components._kept.clear()
    ours, theirs = both(component, params)
    assert ours == theirs
    assert not any("TYPED-VALUE" in str(key) or "TYPED-VALUE" in skeleton
                   for key, skeleton in components._kept.items())


def test_a_caller_block_still_renders_through_the_package():
    template = jinja_env().from_string(
        '{% from "nhsuk/components/inset-text/macro.jinja" import insetText %}'
        '{% call insetText({}) %}<p>Called & kept</p>{% endcall %}')
    assert "<p>Called & kept</p>" in template.render()
