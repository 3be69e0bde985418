"""The base models: every clinical record names who entered it and when (never null, never
lost when an account goes), and append-only records refuse change and deletion from the
model and from bulk querysets alike."""

import pytest
from django.db import models

from collis.assessments.models import DiagnosisVersion
from collis.candidacy.models import CandidacyAssessmentRecord
from collis.consent.models import CounsellingSession, RiskDisclosure
from collis.core.models import AppendOnlyModel, ClinicalRecord, CorrectableRecord
from collis.mdt.models import FundingStatusChange, MdtDecision
from collis.surgery.models import EpisodeStatus


def _concrete_subclasses(base):
    found = set()
    for sub in base.__subclasses__():
        if not sub._meta.abstract:
            found.add(sub)
        found |= _concrete_subclasses(sub)
    return found


def test_every_clinical_record_requires_its_author_and_time():
    records = _concrete_subclasses(ClinicalRecord)
    assert len(records) >= 20
    for model in records:
        author = model._meta.get_field("created_by")
        when = model._meta.get_field("created_at")
        assert not author.null and author.remote_field.on_delete is models.PROTECT, model
        assert not when.null, model


def test_the_correctable_records_are_the_ones_clinicians_enter():
    names = {model.__name__ for model in _concrete_subclasses(CorrectableRecord)}
    assert names >= {"ToxinCycle", "ToxinReview", "ResistanceTest", "ScaleAssessment",
                     "Examination", "Medication", "TherapySession", "Investigation",
                     "CounsellingSession", "Operation", "PhysioSession", "FollowUpReview",
                     "Complication", "FurtherSurgery"}


@pytest.mark.parametrize("model", [DiagnosisVersion, CandidacyAssessmentRecord, RiskDisclosure,
                                   CounsellingSession, MdtDecision, FundingStatusChange,
                                   EpisodeStatus])
def test_append_only_records_refuse_bulk_update_and_delete(model, db):
    assert issubclass(model, AppendOnlyModel)
    with pytest.raises(PermissionError):
        model.objects.all().update(pk=1)
    with pytest.raises(PermissionError):
        model.objects.all().delete()
