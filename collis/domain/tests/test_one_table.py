"""One table answers "may this user do this now" (STYLE.md habit 14), checked by reading the
code: outside collis/domain, views, selectors, presenters, services, forms, API and model
modules and templates hold no copy of the pathway's states, the funding request's statuses
or the roles that decide what may be done. They ask collis/domain/pathway.py and
collis/domain/funding.py instead.

What counts as a copy: a list, tuple or set written out with a pathway state or a funding
status in it (`(State.LISTED, State.COUNSELLING)`, `["draft", "submitted"]`); a comparison
with a pathway state (`episode.state == State.CONSENTED`, `state != "awaiting_mdt"`); a
comparison with a funding status or role written as a string (`role in ("neurologist",
...)`); and, in a template, such a word in a `{% %}` tag. A single use that decides
nothing is not a copy: `episode_transition(..., event=Event.RECORD_CONSENT)`,
`filter(state=State.LISTED)`, `status == FundingStatus.SUBMITTED` choosing which fields a
change needs."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from collis.domain.funding import FundingStatus
from collis.domain.pathway import (
    COORDINATOR,
    NEUROLOGIST,
    NEUROSURGEON,
    NURSE,
    PHYSIOTHERAPIST,
    State,
)

COLLIS = Path(__file__).resolve().parents[2]
KINDS = ("views", "selectors", "presenters", "services", "forms", "api", "models")
STATE_WORDS = frozenset(s.value for s in State)
FUNDING_WORDS = frozenset(s.value for s in FundingStatus)
# The domain knows the roles that take steps; the two that take none are named here.
ROLE_WORDS = frozenset({NEUROLOGIST, NEUROSURGEON, PHYSIOTHERAPIST, NURSE, COORDINATOR,
                        "auditor", "administrator"})
WORDS = STATE_WORDS | FUNDING_WORDS | ROLE_WORDS
ENUMS = frozenset({"State", "FundingStatus"})

# Copies in modules this change did not own, each still to be replaced by a question to the
# domain (pathway.check_may / first_move, funding.FUNDING_IN_PROGRESS, a presenter boolean).
# Remove an entry when its copy goes; add none.
KNOWN_COPIES = {
    # Who may attend a meeting or own an action: a question for the roles table
    # (collis/core/roles.py), not the pathway's.
    "collis/mdt/forms.py": {
        '["administrator", "auditor"]',
    },
    "collis/mdt/jinja2/mdt/funding_detail.jinja": {
        'r.status == "draft"',
    },
}


def _member(node: ast.AST, enums=ENUMS) -> bool:
    """`State.X` or `pathway.State.X` (and the same of FundingStatus)."""
    if not isinstance(node, ast.Attribute):
        return False
    owner = node.value
    return (isinstance(owner, ast.Name) and owner.id in enums
            or isinstance(owner, ast.Attribute) and owner.attr in enums)


def _word(node: ast.AST, words=WORDS) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str) \
        and node.value in words


def _collection_of_states(node: ast.AST) -> bool:
    return isinstance(node, ast.Tuple | ast.List | ast.Set) and any(
        _member(e) or _word(e) for e in node.elts)


def _decides_on_a_state(node: ast.Compare) -> bool:
    if not any(isinstance(op, ast.Eq | ast.NotEq | ast.In | ast.NotIn) for op in node.ops):
        return False
    return any(_member(side, {"State"}) or _word(side) or _collection_of_states(side)
               for side in (node.left, *node.comparators))


def _choices_member(node: ast.AST, parents: dict) -> bool:
    """`DECLINED = "declined", "Declined"` in a class body: a vocabulary's own member."""
    parent = parents.get(node)
    return isinstance(parent, ast.Assign) and isinstance(parents.get(parent), ast.ClassDef)


def copies_in_python(source: str) -> list[str]:
    tree = ast.parse(source)
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    found = []
    for node in ast.walk(tree):
        if (isinstance(node, ast.Compare) and _decides_on_a_state(node)) or (
                _collection_of_states(node) and not _choices_member(node, parents)):
            found.append(" ".join(ast.get_source_segment(source, node).split()))
    return found


TAG = re.compile(r"{%.*?%}", re.DOTALL)
QUOTED = re.compile(r"""["']([a-z_]+)["']""")
_LITERAL = r"""(?:"[^"]*"|'[^']*'|\[[^\]]*\]|\([^)]*\))"""
# `x == "word"`, `x in ["word", ...]`, and a list or tuple written out: the parts of a tag
# that can hold a copy, so that a copy is named by itself and not by the tag around it.
PARTS = re.compile(rf"""[\w.]+\s*(?:==|!=|\bnot in\b|\bin\b)\s*{_LITERAL}|\[[^\]]*\]|\([^)]*\)""")


def copies_in_template(source: str) -> list[str]:
    return [" ".join(part.split()) for tag in TAG.findall(source)
            for part in PARTS.findall(tag) if set(QUOTED.findall(part)) & WORDS]


def _modules() -> list[Path]:
    found = set()
    for kind in KINDS:
        found |= set(COLLIS.glob(f"*/{kind}.py")) | set(COLLIS.glob(f"*/{kind}/*.py"))
    return sorted(p for p in found if p.relative_to(COLLIS).parts[0] != "domain")


def _templates() -> list[Path]:
    return sorted(COLLIS.glob("*/jinja2/**/*.jinja"))


def _name(path: Path) -> str:
    return str(path.relative_to(COLLIS.parent))


def test_the_check_reads_the_apps():
    names = {_name(p) for p in _modules()}
    assert {"collis/surgery/selectors.py", "collis/outcomes/views.py",
            "collis/mdt/services.py", "collis/consent/presenters.py"} <= names
    assert "collis/consent/jinja2/consent/counselling_form.jinja" in {
        _name(p) for p in _templates()}


@pytest.mark.parametrize("module", _modules(), ids=_name)
def test_no_module_keeps_its_own_copy_of_the_pathway_table(module):
    if not module.exists():
        pytest.skip("removed while the tests ran")
    found = set(copies_in_python(module.read_text(encoding="utf-8")))
    new = sorted(found - KNOWN_COPIES.get(_name(module), set()))
    assert not new, (f"{_name(module)} decides on pathway states, funding statuses or roles "
                     f"itself; ask collis.domain.pathway (may, refusal, states_awaiting, "
                     f"states_since, first_move) or collis.domain.funding instead: {new}")


@pytest.mark.parametrize("template", _templates(), ids=_name)
def test_no_template_keeps_its_own_copy_of_the_pathway_table(template):
    if not template.exists():
        pytest.skip("removed while the tests ran")
    found = set(copies_in_template(template.read_text(encoding="utf-8")))
    new = sorted(found - KNOWN_COPIES.get(_name(template), set()))
    assert not new, (f"{_name(template)} decides on pathway states, funding statuses or "
                     f"roles; give it a boolean computed from the domain tables: {new}")


@pytest.mark.parametrize("source, found", [
    ("COUNSELLING_STATES = (State.LISTED, State.COUNSELLING)",
     ["(State.LISTED, State.COUNSELLING)"]),
    ("ok = episode.state == State.CONSENTED", ["episode.state == State.CONSENTED"]),
    ("ok = episode.state in (pathway.State.OPERATED,)",
     ["episode.state in (pathway.State.OPERATED,)", "(pathway.State.OPERATED,)"]),
    ("ok = role in ('neurologist', 'neurosurgeon')",
     ["role in ('neurologist', 'neurosurgeon')", "('neurologist', 'neurosurgeon')"]),
    ("ok = r.status in ('draft', 'submitted')",
     ["r.status in ('draft', 'submitted')", "('draft', 'submitted')"]),
    ("q = qs.filter(status__in=[FundingStatus.DRAFT, FundingStatus.SUBMITTED])",
     ["[FundingStatus.DRAFT, FundingStatus.SUBMITTED]"]),
    ("ok = episode.state != 'awaiting_mdt'", ["episode.state != 'awaiting_mdt'"]),
])
def test_the_check_catches_a_copy(source, found):
    assert copies_in_python(source) == found


@pytest.mark.parametrize("source", [
    "episode_transition(episode=episode, event=Event.RECORD_CONSENT, actor=actor)",
    "rows = Episode.objects.filter(state=State.LISTED)",
    "if status == FundingStatus.SUBMITTED:\n    pass",
    "ok = may(role, Task.RECORD_COUNSELLING, episode.state)",
    "ok = episode.state not in states_since(Event.RECORD_OPERATION)",
    "class FundingStatus(TextChoices):\n    DECLINED = 'declined', 'Declined'",
    "redirect('outcomes:follow_up', patient_id=1)",
    "ok = item.state == 'outstanding'",
])
def test_the_check_leaves_single_uses_alone(source):
    assert copies_in_python(source) == []


def test_the_check_reads_template_tags():
    assert copies_in_template('{% if episode.state == "listed" %}x{% endif %}') == [
        'episode.state == "listed"']
    assert copies_in_template("{% elif state not in ('operated', 'follow_up') and x %}") == [
        "state not in ('operated', 'follow_up')"]
    assert copies_in_template('{% set roles = ["neurologist", "neurosurgeon"] %}') == [
        '["neurologist", "neurosurgeon"]']
    assert copies_in_template(
        '{% if item.state == "outstanding" %}{{ url("outcomes:follow_up") }}{% endif %}'
        '{% if pathway_notice %}{% set names = ["reference", "submitted_on"] %}') == []
