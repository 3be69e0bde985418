"""Health and preference criteria: fitness for general anaesthetic, cervical myelopathy and
prior neck surgery are local criteria [25][27][28]; the patient's preference is weighed [43].
"""

from __future__ import annotations

from typing import NamedTuple

from collis.domain.candidacy.codes import FindingCode
from collis.domain.candidacy.common import missing_fact, plain
from collis.domain.case_facts import CaseFacts
from collis.domain.findings import Effect, Finding
from collis.domain.policy import Policy


class HealthRule(NamedTuple):
    """A local health criterion; the adverse answer weighs as the policy value ``policy`` says."""

    field: str
    good_when: bool
    good_code: FindingCode
    bad_code: FindingCode
    missing_code: FindingCode
    policy: str
    sources: tuple[int, ...]
    good_text: str
    bad_text: str


HEALTH_RULES = (
    HealthRule(
        "fit_for_general_anaesthetic",
        True,
        FindingCode.FIT_FOR_ANAESTHETIC,
        FindingCode.NOT_FIT_FOR_ANAESTHETIC,
        FindingCode.MISSING_FITNESS_FOR_ANAESTHETIC,
        "unfit_for_anaesthetic_effect",
        (27,),
        "Fit for general anaesthetic, under which SD is done (systemic events are reported after "
        "SD [27]).",
        "Not fit for general anaesthetic, under which SD is done [27]; a local criterion (the "
        "reference gives no rule).",
    ),
    HealthRule(
        "cervical_myelopathy",
        False,
        FindingCode.NO_CERVICAL_MYELOPATHY,
        FindingCode.CERVICAL_MYELOPATHY,
        FindingCode.MISSING_CERVICAL_MYELOPATHY,
        "cervical_myelopathy_effect",
        (28,),
        "No cervical myelopathy (the work-up includes CT of the cervical spine [28]).",
        "Cervical myelopathy: a local criterion (the reference gives no rule; the work-up includes "
        "CT of the cervical spine [28]).",
    ),
    HealthRule(
        "prior_neck_surgery",
        False,
        FindingCode.NO_PRIOR_NECK_SURGERY,
        FindingCode.PRIOR_NECK_SURGERY,
        FindingCode.MISSING_PRIOR_NECK_SURGERY,
        "prior_neck_surgery_effect",
        (25, 28),
        "No prior neck surgery.",
        "Prior neck surgery: a local criterion (the reference gives no rule; reoperation after SD "
        "is reported [25][28]).",
    ),
)


def _health_finding(rule: HealthRule, value: bool | None, policy: Policy) -> Finding:
    if value is None:
        return missing_fact(
            rule.missing_code,
            (f"health.{rule.field}",),
            f"{plain(rule.field).capitalize()} not recorded (a local criterion for SD).",
            rule.sources,
        )
    if value is rule.good_when:
        return Finding(rule.good_code, Effect.FAVOURS, rule.good_text, rule.sources)
    ref = policy.ref(rule.policy)
    return Finding(rule.bad_code, ref.value, rule.bad_text, rule.sources, policy=ref)


def health(facts: CaseFacts, policy: Policy) -> tuple[Finding, ...]:
    """Each local health criterion in turn; not recorded is a missing fact."""
    return tuple(
        _health_finding(rule, getattr(facts.health, rule.field), policy) for rule in HEALTH_RULES
    )


PREFERENCE_FINDINGS: dict[bool | None, Finding] = {
    None: missing_fact(
        FindingCode.MISSING_PREFERENCE,
        ("preferences.wants_surgery",),
        "The patient's preference about surgery is not recorded; the MDT weighs it, and a decision "
        "aid supports the choice [43].",
        (43,),
    ),
    True: Finding(
        FindingCode.WANTS_SURGERY,
        Effect.FAVOURS,
        "The patient wants to consider surgery (a decision aid supports the choice [43]).",
        (43,),
    ),
    False: Finding(
        FindingCode.DOES_NOT_WANT_SURGERY,
        Effect.AGAINST,
        "The patient does not want surgery: SD is not recommended against the patient's "
        "preference, which the MDT weighs [43].",
        (43,),
    ),
}


def preference(facts: CaseFacts, policy: Policy) -> tuple[Finding, ...]:
    """Not wanting surgery is against SD [43]."""
    return (PREFERENCE_FINDINGS[facts.preferences.wants_surgery],)
