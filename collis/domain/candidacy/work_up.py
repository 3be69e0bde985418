"""Work-up criteria: EMG mapping of the active muscles, a videofluoroscopic swallow and CT of
the cervical spine come before SD [28].
"""

from __future__ import annotations

from typing import NamedTuple

from collis.domain.candidacy.codes import FindingCode
from collis.domain.candidacy.common import missing_fact
from collis.domain.case_facts import CaseFacts, StudyResult
from collis.domain.findings import Effect, Finding
from collis.domain.policy import Policy


class StudyRule(NamedTuple):
    """A work-up study; an abnormal result weighs as the local-policy value ``policy`` says."""

    field: str
    name: str
    normal_code: FindingCode
    abnormal_code: FindingCode
    missing_code: FindingCode
    policy: str
    risk: str


STUDY_RULES = (
    StudyRule(
        "videofluoroscopy",
        "Videofluoroscopic swallow",
        FindingCode.VIDEOFLUOROSCOPY_NORMAL,
        FindingCode.VIDEOFLUOROSCOPY_ABNORMAL,
        FindingCode.MISSING_VIDEOFLUOROSCOPY,
        "abnormal_videofluoroscopy_effect",
        " before surgery: SD can cause swallowing difficulty (new dysphagia on videofluoroscopy in "
        "3 of 12 [28])",
    ),
    StudyRule(
        "ct_cervical_spine",
        "CT of the cervical spine",
        FindingCode.CT_CERVICAL_SPINE_NORMAL,
        FindingCode.CT_CERVICAL_SPINE_ABNORMAL,
        FindingCode.MISSING_CT_CERVICAL_SPINE,
        "abnormal_ct_cervical_spine_effect",
        " (work-up [28])",
    ),
)

EMG_MAPPING_DONE = Finding(
    FindingCode.EMG_MAPPING_DONE,
    Effect.FAVOURS,
    "EMG mapping of active muscles done (work-up [28]).",
    (28,),
)


def _study_finding(rule: StudyRule, result: StudyResult | None, policy: Policy) -> Finding:
    if result is StudyResult.NORMAL:
        return Finding(
            rule.normal_code,
            Effect.FAVOURS,
            f"{rule.name} normal (part of the work-up before SD [28]).",
            (28,),
        )
    if result is StudyResult.ABNORMAL:
        ref = policy.ref(rule.policy)
        return Finding(
            rule.abnormal_code,
            ref.value,
            f"{rule.name} abnormal{rule.risk}; the reference gives no rule for an abnormal "
            "result, so local policy weighs it.",
            (28,),
            policy=ref,
        )
    return missing_fact(
        rule.missing_code,
        (f"work_up.{rule.field}",),
        f"{rule.name} not done or not recorded: it is part of the work-up before SD [28].",
        (28,),
    )


def work_up(facts: CaseFacts, policy: Policy) -> tuple[Finding, ...]:
    """EMG mapping, then each study; not done or not recorded is a missing fact [28]."""
    emg_mapping = facts.work_up.emg_mapping
    if emg_mapping is True:
        emg = EMG_MAPPING_DONE
    else:
        state = "not done" if emg_mapping is False else "not recorded"
        emg = missing_fact(
            FindingCode.MISSING_EMG_MAPPING,
            ("work_up.emg_mapping",),
            f"EMG mapping of active muscles {state}: it is part of the work-up before SD [28].",
            (28,),
        )
    studies = (
        _study_finding(rule, getattr(facts.work_up, rule.field), policy) for rule in STUDY_RULES
    )
    return (emg, *studies)
