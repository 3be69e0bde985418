"""Property-based tests of the candidacy engine over random valid case facts (hypothesis).

The monotonicity tested here is the one collis.domain.candidacy's docstring states.
"Removing a fact" means making a field absent (not known), the contract's meaning of
absence; removing an entry from a list changes the facts rather than unknowing one, so it
is not a removal here. Strategies are built once at import (building them per draw is slow).
"""

from __future__ import annotations

import copy
import datetime
import re
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from collis.domain.candidacy import Recommendation, assess_candidacy
from collis.domain.case_facts import build_case_facts, parse_case_facts, validate_case_facts
from collis.domain.classification import Aetiology, Course, Distribution, Region
from collis.domain.findings import Effect
from collis.domain.muscles import Muscle, MuscleSide
from collis.domain.phenotype import SAGITTAL_PATTERNS, Pattern, Side
from collis.domain.tests.support import assessment_errors, load_case
from collis.domain.toxin import Product, ResistanceResult, ResistanceTestKind, ResponsePattern

# Deterministic (derandomize) and without an example database, so runs are repeatable.
PROPERTY_SETTINGS = settings(
    max_examples=100,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
FOCUSED_SETTINGS = settings(PROPERTY_SETTINGS, max_examples=250)

FAVOURABLE = load_case("favourable_rotation_secondary_resistant")["facts"]


def words(enum) -> st.SearchStrategy[str]:
    return st.sampled_from([str(v) for v in enum])


def obj(required: dict, optional: dict, complete: bool) -> st.SearchStrategy[dict]:
    """An object whose optional keys are all present when ``complete``, else any subset."""
    if complete:
        return st.fixed_dictionaries({**required, **optional})
    return st.fixed_dictionaries(required, optional=optional)


DATES = st.dates(datetime.date(2010, 1, 1), datetime.date(2026, 11, 21)).map(
    datetime.date.isoformat
)
SAGITTAL = sorted(str(p) for p in SAGITTAL_PATTERNS)
LATERALISED = sorted(str(p) for p in set(Pattern) - SAGITTAL_PATTERNS)


def pattern_entries(complete: bool) -> st.SearchStrategy[dict]:
    sagittal = obj(
        {"pattern": st.sampled_from(SAGITTAL)}, {"severity": st.integers(0, 4)}, complete
    )
    lateral = obj(
        {"pattern": st.sampled_from(LATERALISED)},
        {"side": words(Side), "severity": st.integers(0, 4)},
        complete,
    )
    return st.one_of(lateral, sagittal)


def muscle_entries(complete: bool, pool: list[str] | None = None) -> st.SearchStrategy[dict]:
    names = st.sampled_from(pool) if pool else words(Muscle)
    return obj(
        {"muscle": names}, {"side": words(MuscleSide), "emg_active": st.booleans()}, complete
    )


def cycle_entries(complete: bool) -> st.SearchStrategy[dict]:
    return obj(
        {},
        {
            "date": DATES,
            "product": words(Product),
            "units": st.integers(1, 10_000),
            "benefit_percent": st.one_of(st.integers(0, 100), st.floats(0, 100)),
            "benefit_weeks": st.integers(0, 52),
        },
        complete,
    )


def _clamp_onset(document: dict) -> dict:
    dystonia = document.get("dystonia", {})
    if "age" in document and dystonia.get("onset_age", 0) > document["age"]:
        dystonia["onset_age"] = document["age"]
    return document


def case_documents(complete: bool = False) -> st.SearchStrategy[dict]:
    lists = {"min_size": 1, "max_size": 5} if complete else {"max_size": 5}
    return obj(
        {"schema": st.just("collis-case/1")},
        {
            "age": st.integers(0, 130),
            "dystonia": obj(
                {},
                {
                    "distribution": words(Distribution),
                    "regions": st.lists(
                        words(Region), unique=True, max_size=6, min_size=int(complete)
                    ),
                    "onset_age": st.integers(0, 130),
                    "course": words(Course),
                    "aetiology": words(Aetiology),
                },
                complete,
            ),
            "patterns": st.lists(pattern_entries(complete), **lists),
            "tremor": st.sampled_from(["none", "mild", "moderate", "severe"]),
            "muscles": st.lists(muscle_entries(complete), **lists),
            "twstrs": obj(
                {},
                {
                    "severity": st.integers(0, 35),
                    "disability": st.integers(0, 30),
                    "pain": st.integers(0, 20),
                },
                complete,
            ),
            "botulinum_toxin": obj(
                {},
                {
                    "response_pattern": words(ResponsePattern),
                    "cycles": st.lists(cycle_entries(complete), **lists),
                    "resistance_test": obj(
                        {},
                        {"test": words(ResistanceTestKind), "result": words(ResistanceResult)},
                        complete,
                    ),
                },
                complete,
            ),
            "work_up": obj(
                {},
                {
                    "emg_mapping": st.booleans(),
                    "videofluoroscopy": st.sampled_from(["normal", "abnormal"]),
                    "ct_cervical_spine": st.sampled_from(["normal", "abnormal"]),
                },
                complete,
            ),
            "health": obj(
                {},
                {
                    "fit_for_general_anaesthetic": st.booleans(),
                    "cervical_myelopathy": st.booleans(),
                    "prior_neck_surgery": st.booleans(),
                },
                complete,
            ),
            "preferences": obj({}, {"wants_surgery": st.booleans()}, complete),
        },
        complete,
    ).map(_clamp_onset)


ANY_DOCUMENTS = case_documents()
COMPLETE_DOCUMENTS = case_documents(complete=True)

# Cycle benefits either side of the response thresholds, so that every derived pattern occurs.
BOUNDARY_CYCLE_FIELDS = {
    "date": st.dates(datetime.date(2015, 1, 1), datetime.date(2026, 11, 21)).map(
        datetime.date.isoformat
    ),
    "benefit_percent": st.sampled_from([0, 10, 30, 60, 90]),
    "benefit_weeks": st.sampled_from([2, 6, 12]),
}
BOUNDARY_CYCLES = st.one_of(
    st.lists(st.fixed_dictionaries(BOUNDARY_CYCLE_FIELDS), min_size=2, max_size=4),
    st.lists(st.fixed_dictionaries({}, optional=BOUNDARY_CYCLE_FIELDS), max_size=4),
)
# Replacement sections for the favourable case, one area at a time.
SECTIONS: dict[str, st.SearchStrategy] = {
    "dystonia": st.fixed_dictionaries(
        {},
        optional={
            "distribution": words(Distribution),
            "regions": st.lists(words(Region), unique=True, max_size=4),
        },
    ),
    "patterns": st.lists(
        st.one_of(pattern_entries(False), pattern_entries(True)), min_size=1, max_size=3
    ),
    # muscles that drive lateral patterns, reachable or not
    "muscles": st.lists(
        muscle_entries(
            False,
            [
                "scalenes",
                "trapezius",
                "levator_scapulae",
                "longus_colli",
                "sternocleidomastoid",
                "splenius_capitis",
                "semispinalis_cervicis",
            ],
        ),
        min_size=1,
        max_size=4,
    ),
    "tremor": st.sampled_from(["none", "mild", "severe"]),
    "botulinum_toxin": st.fixed_dictionaries(
        {},
        optional={
            "response_pattern": words(ResponsePattern),
            "cycles": BOUNDARY_CYCLES,
            "resistance_test": st.fixed_dictionaries(
                {}, optional={"test": words(ResistanceTestKind), "result": words(ResistanceResult)}
            ),
        },
    ),
    "work_up": st.fixed_dictionaries(
        {},
        optional={
            "emg_mapping": st.booleans(),
            "videofluoroscopy": st.sampled_from(["normal", "abnormal"]),
        },
    ),
    "health": st.fixed_dictionaries(
        {},
        optional={
            "fit_for_general_anaesthetic": st.booleans(),
            "cervical_myelopathy": st.booleans(),
        },
    ),
    "preferences": st.fixed_dictionaries({}, optional={"wants_surgery": st.booleans()}),
}


@st.composite
def near_favourable_documents(
    draw, areas: tuple[str, ...] = tuple(SECTIONS), most: int = 3
) -> dict:
    """The favourable worked case with a few areas replaced by random, often incomplete facts:
    near the decision boundaries and where the engine infers things."""
    document = copy.deepcopy(FAVOURABLE)
    for area in draw(st.lists(st.sampled_from(areas), unique=True, min_size=1, max_size=most)):
        document[area] = draw(SECTIONS[area])
    return document


NEAR_FAVOURABLE = near_favourable_documents()
# one inference-heavy area at a time, plus a fact made unknown elsewhere (tremor often)
INFERENCE_FOCUSED = near_favourable_documents(
    ("botulinum_toxin", "patterns", "muscles", "dystonia", "tremor"), 2
)


# The favourable case with a toxin record near the favourable profile: resistant, a response
# recorded or not, cycles dated close together or far apart (where a recorded and a derived
# response, and the span of treatment, meet).
TOXIN_FOCUSED = st.builds(
    lambda toxin: {**copy.deepcopy(FAVOURABLE), "botulinum_toxin": toxin},
    st.fixed_dictionaries(
        {
            "resistance_test": st.just({"test": "frontalis", "result": "resistant"}),
            "cycles": st.lists(
                st.fixed_dictionaries(
                    {
                        "date": st.dates(
                            datetime.date(2023, 1, 1), datetime.date(2026, 11, 21)
                        ).map(datetime.date.isoformat),
                        "benefit_percent": st.sampled_from([0, 30, 60, 90]),
                        "benefit_weeks": st.sampled_from([2, 12]),
                    }
                ),
                min_size=1,
                max_size=3,
            ),
        },
        optional={"response_pattern": words(ResponsePattern)},
    ),
)


REQUIRED_IN_ENTRIES = {"pattern", "muscle"}


def removable_paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    """Every key that may be made absent (every field but schema and the entries' names)."""
    paths = []
    if isinstance(value, dict):
        for key, inner in value.items():
            if key == "schema" and not prefix:
                continue
            if key in REQUIRED_IN_ENTRIES and prefix and isinstance(prefix[-1], int):
                continue
            paths.append((*prefix, key))
            paths.extend(removable_paths(inner, (*prefix, key)))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            paths.extend(removable_paths(inner, (*prefix, index)))
    return paths


def without(document: dict, path: tuple) -> dict:
    """A copy of the document with one key removed (containers on the path are copied)."""
    smaller = dict(document)
    target: Any = smaller
    for part in path[:-1]:
        inner = target[part]
        inner = dict(inner) if isinstance(inner, dict) else list(inner)
        target[part] = inner
        target = inner
    del target[path[-1]]
    return smaller


# Removals that change an inference (derived response, distribution, muscle confirmation,
# dominance) are drawn more often: they are where the property could break.
INTERESTING = {
    "response_pattern",
    "resistance_test",
    "result",
    "distribution",
    "regions",
    "emg_active",
    "side",
    "severity",
    "cycles",
    "benefit_percent",
    "benefit_weeks",
    "date",
}


def weighted(paths: list[tuple]) -> list[tuple]:
    return [p for p in paths for _ in range(8 if p[-1] in INTERESTING else 1)]


def assess_quickly(document: dict):
    # removing keys from a valid document keeps it valid: build without re-validating
    return assess_candidacy(build_case_facts(document))


def check_removals(document: dict, data) -> None:
    """At each of a few levels try every single removal, then go one random removal deeper.
    The monotonicity of ruleset 2 (collis.domain.candidacy's docstring): removing a fact never
    produces favourable from any other answer, and never turns insufficient_information into
    possible or favourable."""
    assert validate_case_facts(document) == ()
    for _ in range(3):
        paths = removable_paths(document)
        if not paths:
            return
        before = assess_quickly(document).recommendation
        for path in paths:
            after = assess_quickly(without(document, path)).recommendation
            if after is Recommendation.FAVOURABLE:
                assert before is Recommendation.FAVOURABLE, (document, path, before)
            if before is Recommendation.INSUFFICIENT_INFORMATION:
                assert after not in JUDGEMENTS_FROM_TOO_LITTLE, (document, path, after)
        document = without(document, data.draw(st.sampled_from(weighted(paths))))


JUDGEMENTS_FROM_TOO_LITTLE = (Recommendation.POSSIBLE, Recommendation.FAVOURABLE)


FIELD_PATH = re.compile(r"^[a-z_]+(\[\d+\])?(\.[a-z_]+(\[\d+\])?)*$")


@PROPERTY_SETTINGS
@given(ANY_DOCUMENTS)
def test_no_valid_case_facts_crash_the_engine(document):
    assert validate_case_facts(document) == ()
    assessment = assess_candidacy(parse_case_facts(document))
    output = assessment.as_dict()
    assert assessment_errors(output) == []
    assert output["recommendation"] in {str(r) for r in Recommendation}
    for finding in assessment.findings:
        if finding.effect is not Effect.MISSING:
            assert finding.sources, finding.code
        assert all(1 <= n <= 45 for n in finding.sources)
    missing_paths = [p for f in assessment.findings if f.effect is Effect.MISSING for p in f.paths]
    assert list(assessment.missing) == list(dict.fromkeys(missing_paths))
    assert all(FIELD_PATH.match(path) for path in assessment.missing)
    if assessment.recommendation is Recommendation.INSUFFICIENT_INFORMATION:
        assert assessment.missing


@PROPERTY_SETTINGS
@given(st.one_of(COMPLETE_DOCUMENTS, NEAR_FAVOURABLE))
def test_engine_output_validates_and_favourable_means_the_favourable_profile(document):
    assessment = assess_candidacy(document)
    assert assessment_errors(assessment.as_dict()) == []
    if assessment.recommendation is Recommendation.FAVOURABLE:
        assert {"ROTATION_DOMINANT", "SECONDARY_NON_RESPONSE", "RESISTANT"} <= set(assessment.codes)
        assert all(f.effect is Effect.FAVOURS and not f.derived for f in assessment.findings)
    if assessment.recommendation is Recommendation.INSUFFICIENT_INFORMATION:
        assert any(f.core for f in assessment.findings_with(Effect.MISSING))
    if any(f.core for f in assessment.findings_with(Effect.MISSING)):
        assert assessment.recommendation in (
            Recommendation.INSUFFICIENT_INFORMATION,
            Recommendation.UNFAVOURABLE,
            Recommendation.NOT_INDICATED,
        )


@PROPERTY_SETTINGS
@given(ANY_DOCUMENTS, st.data())
def test_removing_a_fact_never_produces_favourable_nor_a_judgement_from_too_little(document, data):
    check_removals(document, data)


@PROPERTY_SETTINGS
@given(COMPLETE_DOCUMENTS, st.data())
def test_removing_facts_from_complete_cases_keeps_the_monotonicity(document, data):
    # complete cases: removals pass through every recommendation
    check_removals(document, data)


@FOCUSED_SETTINGS
@given(NEAR_FAVOURABLE, st.data())
def test_removing_facts_near_the_favourable_profile_keeps_the_monotonicity(document, data):
    check_removals(document, data)


@FOCUSED_SETTINGS
@given(INFERENCE_FOCUSED, st.data())
def test_removing_facts_where_the_engine_infers_keeps_the_monotonicity(document, data):
    check_removals(document, data)


@PROPERTY_SETTINGS
@given(st.one_of(COMPLETE_DOCUMENTS, NEAR_FAVOURABLE, INFERENCE_FOCUSED))
def test_removing_a_fact_keeps_missing_facts_and_adds_no_recorded_decisive_finding(document):
    before = assess_quickly(document)
    recorded_before = {f.code for f in before.findings if f.decisive and not f.derived}
    for path in removable_paths(document):
        after = assess_quickly(without(document, path))
        assert bool(after.missing) or not before.missing, path
        assert {
            f.code for f in after.findings if f.decisive and not f.derived
        } <= recorded_before, path


@FOCUSED_SETTINGS
@given(TOXIN_FOCUSED, st.data())
def test_removing_facts_where_recorded_and_derived_responses_meet_keeps_the_monotonicity(
    document, data
):
    check_removals(document, data)


@PROPERTY_SETTINGS
@given(ANY_DOCUMENTS)
def test_assessment_does_not_change_its_input(document):
    snapshot = copy.deepcopy(document)
    assess_candidacy(document)
    assert document == snapshot
