"""Questionnaires as data (the TWSTRS disability and pain sections answered by the patient
[9]), scored by the TWSTRS module, and due dates along the pathway (local policy)."""

from datetime import date

import pytest

from collis.domain.questionnaires import (
    DueReason,
    PathwayDates,
    QuestionnaireError,
    add_months,
    due_dates,
    due_now,
    questionnaire_codes,
    questionnaire_from_data,
    questionnaire_load,
    score_answers,
)

TWSTRS = "twstrs-patient"
DISABILITY = ("work", "activities_of_daily_living", "driving", "reading", "television",
              "activities_outside_home")


def test_every_kept_questionnaire_loads_cites_its_sources_and_records_a_licence():
    assert TWSTRS in questionnaire_codes()
    for code in questionnaire_codes():
        questionnaire = questionnaire_load(code)
        assert questionnaire.sources and questionnaire.licence and questionnaire.wording


def test_the_twstrs_questionnaire_asks_the_six_disability_items_and_three_pain_items():
    questionnaire = questionnaire_load(TWSTRS)
    assert [q.code for q in questionnaire.questions if q.subscale == "disability"] \
        == list(DISABILITY)
    assert all(q.low == 0 and q.high == 5 for q in questionnaire.questions
               if q.subscale == "disability")
    pain_most = sum(q.high for q in questionnaire.questions if q.subscale == "pain")
    assert pain_most == 20  # the pain section's range [9]


def test_all_answers_score_the_disability_and_pain_sections():
    questionnaire = questionnaire_load(TWSTRS)
    answers = dict.fromkeys(DISABILITY, 5) | {"pain_severity": 10, "pain_duration": 5,
                                              "pain_disability": 5}
    score = score_answers(questionnaire, answers)
    assert score.complete
    assert score.subscores == {"disability": 30, "pain": 20}


def test_half_the_answers_give_no_subscore_yet_and_name_what_is_left():
    questionnaire = questionnaire_load(TWSTRS)
    score = score_answers(questionnaire, {"work": "2", "driving": "0"})
    assert not score.complete and score.subscores == {"disability": None, "pain": None}
    assert "reading" in score.unanswered and "work" not in score.unanswered


@pytest.mark.parametrize("answers", [{"work": 6}, {"work": -1}, {"work": "2.5"},
                                     {"work": "two"}, {"nonsense": 1}])
def test_an_answer_out_of_range_or_unknown_is_refused(answers):
    with pytest.raises(QuestionnaireError):
        score_answers(questionnaire_load(TWSTRS), answers)


def test_a_definition_must_cite_and_keep_within_the_instruments_ranges():
    good = {"code": "x", "version": "1", "title": "t", "instrument": "i", "sources": [9],
            "licence": "l", "wording": "w", "scoring": "twstrs",
            "questions": [{"code": "work", "text": "?", "subscale": "disability",
                           "low": 0, "high": 5}]}
    assert questionnaire_from_data(good).question("work").high == 5
    for broken in ({**good, "sources": []}, {**good, "licence": ""},
                   {**good, "scoring": "made-up"},
                   {**good, "questions": [{**good["questions"][0], "high": 9}]},
                   {**good, "questions": [{**good["questions"][0], "code": "rotation",
                                           "subscale": "disability"}]}):
        with pytest.raises(QuestionnaireError):
            questionnaire_from_data(broken)


def test_due_dates_follow_the_pathway():
    dates = PathwayDates(toxin_appointments=(date(2026, 3, 10),),
                         toxin_injections=(date(2026, 1, 5),),
                         surgical_baseline=date(2026, 4, 1), operation=date(2026, 5, 31))
    due = {(d.reason, d.due_on) for d in due_dates(dates)}
    assert due == {
        (DueReason.BEFORE_TOXIN, date(2026, 3, 3)),
        (DueReason.TOXIN_PEAK, date(2026, 2, 2)),
        (DueReason.SURGICAL_BASELINE, date(2026, 4, 1)),
        (DueReason.AFTER_SURGERY_3, date(2026, 8, 31)),
        (DueReason.AFTER_SURGERY_6, date(2026, 11, 30)),
        (DueReason.AFTER_SURGERY_12, date(2027, 5, 31)),
    }


def test_months_after_the_end_of_a_month_land_on_the_last_day():
    assert add_months(date(2026, 8, 31), 6) == date(2027, 2, 28)
    assert add_months(date(2027, 11, 30), 3) == date(2028, 2, 29)


def test_an_occasion_is_open_for_a_while_and_not_asked_again_once_answered():
    dates = PathwayDates(toxin_injections=(date(2026, 1, 5),))
    assert due_now(dates, today=date(2026, 2, 1)) == []
    [open_now] = due_now(dates, today=date(2026, 2, 2))
    assert due_now(dates, today=date(2026, 2, 16)) == [open_now]
    assert due_now(dates, today=date(2026, 2, 17)) == []
    assert due_now(dates, today=date(2026, 2, 3), answered=[open_now.key]) == []


def test_a_cancelled_appointment_is_no_longer_due_when_checked_again():
    before = PathwayDates(toxin_appointments=(date(2026, 3, 10),))
    assert due_now(before, today=date(2026, 3, 4))
    after_cancelling = PathwayDates(toxin_appointments=())
    assert due_now(after_cancelling, today=date(2026, 3, 4)) == []
