"""Given/when/then: a neurologist runs a candidacy assessment from the record and reads
its findings; the timeline shows the whole history."""

import datetime
import random

from collis.assessments.demo import demo_history as assessments_demo
from collis.candidacy.models import CandidacyAssessmentRecord
from collis.core.roles import Role
from collis.investigations.demo import demo_history as investigations_demo
from collis.treatments.demo import demo_history as treatments_demo
from tests.system.steps import Journey

# What the record does not hold, as the neurologist answers it.
ANSWERS = {
    "Is the patient fit for a general anaesthetic?": "Yes",
    "Does the patient have cervical myelopathy?": "No",
    "Has the patient had neck surgery before?": "No",
    "Does the patient want to consider surgery?": "Yes",
}


class TestCandidacy(Journey):
    def test_running_a_candidacy_assessment_and_reading_its_findings(self):
        self.given_a_patient_whose_record_holds_the_work_up()
        self.given_i_am_signed_in_as(self.neurologist)
        self.when_i_open_the_record(self.patient)
        self.when_i_follow_the_record_section("Candidacy")
        self.then_i_see_the_heading("Selective denervation candidacy")
        self.then_the_page_is_accessible("candidacy-list")
        self.when_i_press("Assess candidacy")
        self.then_the_table_shows("Distribution", "Neck examination of",
                                  "reviewed toxin cycles", which="first")
        self.then_the_page_is_accessible("candidacy-new")
        self.when_i_answer_what_the_record_does_not_hold()
        self.when_i_press("Run the assessment")
        self.then_the_page_heading_says("Candidacy assessment:")
        self.then_i_see_the_heading("Findings")
        self.then_i_see("collis-sd-candidacy/2", first=True)
        self.then_i_see_the_heading("Sources cited")
        self.then_the_page_is_accessible("candidacy-detail")
        self.then_the_stored_facts_hold_my_answers()
        self.when_i_open_the_record(self.patient, "candidacy/")
        self.then_the_table_shows("collis-sd-candidacy/2")
        self.when_i_open_the_record(self.patient, "timeline/")
        self.then_the_table_shows("TWSTRS")
        self.then_the_page_is_accessible("timeline")

    def given_a_patient_whose_record_holds_the_work_up(self):
        """A diagnosis, examinations, scales, toxin cycles and investigations."""
        self.neurologist = self.given_a_user(Role.NEUROLOGIST)
        self.patient = self.given_a_patient("Pip", "Peppercorn")
        for demo in (assessments_demo, treatments_demo, investigations_demo):
            demo(self.patient, random.Random(4), datetime.date(2026, 11, 1), self.neurologist)

    def when_i_answer_what_the_record_does_not_hold(self):
        for question, answer in ANSWERS.items():
            self.when_i_choose(answer, group=question, exact=True)

    def then_the_stored_facts_hold_my_answers(self):
        record = CandidacyAssessmentRecord.objects.get(patient=self.patient)
        assert record.facts["health"]["fit_for_general_anaesthetic"] is True
