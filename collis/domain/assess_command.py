"""``collis assess CASE.json [--json] [--policy POLICY.json]``: assess SD candidacy.

Reads case facts from a file ("-" reads standard input), prints the plain-text report or
the assessment JSON (the contract's shape). Bad input prints one line per problem, naming
the field path and the allowed values, to standard error and exits with 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, TextIO

from collis.domain.candidacy import assess_candidacy
from collis.domain.case_facts import CaseFactsError, load_case_facts
from collis.domain.policy import DEFAULT_POLICY, Policy, PolicyError, policy_from_mapping
from collis.domain.report import render_report

PROG = "collis assess"
EXIT_BAD_INPUT = 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the command's arguments to a parser (its own, or a ``collis`` subparser)."""
    parser.add_argument(
        "case", metavar="CASE.json", help="case facts (collis-case/1); '-' reads standard input"
    )
    parser.add_argument(
        "--json", action="store_true", help="print the assessment as JSON (the contract's shape)"
    )
    parser.add_argument(
        "--policy",
        metavar="POLICY.json",
        help="local-policy values that replace the defaults (a JSON object of names and values)",
    )


class _InputError(Exception):
    def __init__(self, lines: list[str]):
        self.lines = lines
        super().__init__("\n".join(lines))


def _read(name: str, stdin: TextIO) -> str:
    if name == "-":
        return stdin.read()
    try:
        with open(name, encoding="utf-8") as handle:
            return handle.read()
    except FileNotFoundError:
        raise _InputError([f"{name}: file not found"]) from None
    except IsADirectoryError:
        raise _InputError([f"{name}: is a directory, not a file"]) from None
    except (OSError, UnicodeDecodeError) as error:
        raise _InputError(
            [f"{name}: cannot be read ({error.__class__.__name__}: {error})"]
        ) from None


def _policy(name: str | None, stdin: TextIO) -> Policy:
    if name is None:
        return DEFAULT_POLICY
    text = _read(name, stdin)
    try:
        mapping: Any = json.loads(text)
    except json.JSONDecodeError as error:
        raise _InputError(
            [f"{name}: not valid JSON: {error.msg} (line {error.lineno}, column {error.colno})"]
        ) from None
    try:
        return policy_from_mapping(mapping)
    except PolicyError as error:
        raise _InputError([f"{name}: policy {line}" for line in error.problems]) from None


def run(
    args: argparse.Namespace,
    *,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
    stdin: TextIO | None = None,
) -> int:
    """Run the command for parsed arguments; returns the exit status."""
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    stdin = stdin or sys.stdin
    source = "standard input" if args.case == "-" else args.case
    try:
        policy = _policy(args.policy, stdin)
        text = _read(args.case, stdin)
        try:
            facts = load_case_facts(text)
        except CaseFactsError as error:
            raise _InputError([f"{source}: {problem}" for problem in error.problems]) from None
        assessment = assess_candidacy(facts, policy)
    except _InputError as error:
        for line in error.lines:
            print(f"{PROG}: {line}", file=stderr)
        return EXIT_BAD_INPUT
    if args.json:
        stdout.write(assessment.to_json() + "\n")
    else:
        stdout.write(render_report(assessment))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.splitlines()[0])
    add_arguments(parser)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point: ``main(["CASE.json", "--json"])`` returns the exit status."""
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exit_:  # argparse has already printed the usage line
        return exit_.code if isinstance(exit_.code, int) else EXIT_BAD_INPUT
    return run(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
