"""Findings: effects, decisiveness and the JSON shape of a finding."""

from __future__ import annotations

from collis.domain.findings import DECISIVE_EFFECTS, LOCAL_POLICY_LABEL, Effect, Finding, PolicyRef


def test_effects_are_the_contracts_vocabulary():
    assert [str(e) for e in Effect] == ["favours", "cautions", "against", "excludes", "missing"]
    assert {Effect.AGAINST, Effect.EXCLUDES} == DECISIVE_EFFECTS


def test_finding_dict_has_required_fields_and_only_the_optional_ones_that_apply():
    plain = Finding(
        "ROTATION_DOMINANT",
        Effect.FAVOURS,
        "Dominant pattern torticaput (right), severity 3",
        (27, 37),
    )
    assert plain.as_dict() == {
        "code": "ROTATION_DOMINANT",
        "effect": "favours",
        "detail": "Dominant pattern torticaput (right), severity 3",
        "sources": [27, 37],
    }
    assert not plain.decisive
    rich = Finding(
        "X",
        Effect.AGAINST,
        "d",
        (37,),
        paths=("muscles",),
        policy=PolicyRef("n", Effect.AGAINST),
        derived=True,
    )
    assert rich.as_dict()["policy"] == {
        "name": "n",
        "value": "against",
        "label": LOCAL_POLICY_LABEL,
    }
    assert rich.as_dict()["derived"] is True
    assert rich.as_dict()["paths"] == ["muscles"]
    assert rich.decisive
