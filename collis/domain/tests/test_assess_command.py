"""`collis assess CASE.json [--json] [--policy POLICY.json]`: output, exit codes, no tracebacks."""

from __future__ import annotations

import argparse
import io
import json

import pytest

from collis.domain import assess_command
from collis.domain.assess_command import add_arguments, main, run
from collis.domain.tests.support import assessment_errors, load_case

EXAMPLE = load_case("contract_example")["facts"]


@pytest.fixture
def case_file(tmp_path):
    def write(content, name="case.json"):
        path = tmp_path / name
        path.write_text(content if isinstance(content, str) else json.dumps(content))
        return str(path)

    return write


def test_prints_a_readable_report(case_file, capsys):
    assert main([case_file(EXAMPLE)]) == 0
    out = capsys.readouterr().out
    assert "Recommendation: possible." in out
    assert "sternocleidomastoid (left): spinal accessory nerve branches" in out
    assert "ROTATION_DOMINANT" in out
    assert "local policy, needs clinical sign-off" in out


def test_json_output_matches_the_contract(case_file, capsys):
    assert main([case_file(EXAMPLE), "--json"]) == 0
    output = json.loads(capsys.readouterr().out)
    assert assessment_errors(output) == []
    assert output["ruleset"] == "collis-sd-candidacy/2"
    assert output["recommendation"] == "possible"
    assert output["missing"] == []


def test_reads_standard_input(monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(EXAMPLE)))
    assert main(["-", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["recommendation"] == "possible"


def test_policy_file_overrides_defaults(case_file, capsys):
    policy = case_file({"min_bont_treatment_years": 0}, "policy.json")
    # ruleset 2 weighs the span of the cycles only when the response is derived from them
    toxin = {k: v for k, v in EXAMPLE["botulinum_toxin"].items() if k != "response_pattern"}
    derived = case_file({**EXAMPLE, "botulinum_toxin": toxin})
    assert main([derived, "--json", "--policy", policy]) == 0
    codes = [f["code"] for f in json.loads(capsys.readouterr().out)["findings"]]
    assert "TREATMENT_DURATION_MET" in codes


def _fails(argv, capsys) -> str:
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "Traceback" not in captured.err
    return captured.err


def test_not_json_exits_2_with_a_message(case_file, capsys):
    err = _fails([case_file("{not json")], capsys)
    assert "not valid JSON" in err
    assert err.count("\n") == 1


def test_missing_file_exits_2(tmp_path, capsys):
    err = _fails([str(tmp_path / "nowhere.json")], capsys)
    assert "file not found" in err


def test_unknown_word_exits_2_naming_field_and_allowed_values(case_file, capsys):
    err = _fails([case_file({**EXAMPLE, "tremor": "wobbly"})], capsys)
    assert "tremor: 'wobbly' is not allowed; allowed values: none, mild, moderate, severe" in err


def test_number_out_of_range_exits_2(case_file, capsys):
    facts = json.loads(json.dumps(EXAMPLE))
    facts["patterns"][0]["severity"] = 7
    err = _fails([case_file(facts)], capsys)
    assert "patterns[0].severity: 7 is out of range; allowed 0 to 4" in err


def test_wrong_type_exits_2(case_file, capsys):
    err = _fails([case_file({**EXAMPLE, "age": "fifty"})], capsys)
    assert "age: expected a whole number" in err


def test_one_line_per_problem(case_file, capsys):
    facts = json.loads(json.dumps(EXAMPLE))
    facts["tremor"] = "wobbly"
    facts["dystonia"]["distribution"] = "everywhere"
    err = _fails([case_file(facts)], capsys)
    lines = err.strip().splitlines()
    assert len(lines) == 2
    assert all(line.startswith("collis assess: ") for line in lines)


def test_bad_policy_exits_2_naming_the_key(case_file, capsys):
    policy = case_file({"numerous_muscles": 3}, "policy.json")
    err = _fails([case_file(EXAMPLE), "--policy", policy], capsys)
    assert "numerous_muscles: unknown policy value; allowed: numerous_muscle_groups" in err


def test_missing_argument_exits_2_without_traceback(capsys):
    assert main([]) == 2
    assert "usage" in capsys.readouterr().err


def test_can_be_mounted_on_an_existing_subparser(case_file, capsys):
    parser = argparse.ArgumentParser(prog="collis")
    commands = parser.add_subparsers(dest="command")
    assess = commands.add_parser("assess")
    add_arguments(assess)
    assess.set_defaults(handler=run)
    args = parser.parse_args(["assess", case_file(EXAMPLE), "--json"])
    assert args.handler(args) == 0
    assert json.loads(capsys.readouterr().out)["recommendation"] == "possible"


def test_exit_code_constant():
    assert assess_command.EXIT_BAD_INPUT == 2
