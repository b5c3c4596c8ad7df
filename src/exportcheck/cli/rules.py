"""``exportcheck rules``: list, show, validate, schema."""

from __future__ import annotations

import json
from datetime import date as Date
from pathlib import Path
from typing import Annotated

import typer

from exportcheck import api
from exportcheck.cli.common import handle_errors, stdout_is_terminal, terminal_width, write_output
from exportcheck.cli.options import RulesFormat, RulesOpt, format_option
from exportcheck.engine.inforce import rules_in_force, version_in_force
from exportcheck.errors import InputError
from exportcheck.formats import registry
from exportcheck.formats import rules as fmt_rules
from exportcheck.model.rules import RuleSetFile

FormatOpt = Annotated[RulesFormat, format_option(registry.RULES)]

rules_app = typer.Typer(help="Inspect and validate rule sets.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(rules_app, name="rules")


@rules_app.command("list", help="Rules in force on a date (default today), with their versions.")
@handle_errors
def list_command(
    date: Annotated[
        str | None, typer.Option("--date", help="YYYY-MM-DD (default today)", metavar="YYYY-MM-DD")
    ] = None,
    rules: RulesOpt = None,
    fmt: FormatOpt = "table",
) -> None:
    on = api.parse_date(date)
    ruleset, _ = api.load_rules(rules)
    pairs = rules_in_force(ruleset, on)
    if fmt == "json":
        write_output(fmt_rules.in_force_json(pairs, on), None)
    else:
        write_output(
            fmt_rules.in_force_table(pairs, on, color=stdout_is_terminal(), width=terminal_width()),
            None,
        )


@rules_app.command("show", help="The version timeline of one rule.")
@handle_errors
def show_command(
    rule_id: Annotated[
        str, typer.Argument(help="Rule id, e.g. ear.3a090-4a090.destinations", metavar="ID")
    ],
    rules: RulesOpt = None,
    fmt: FormatOpt = "table",
) -> None:
    ruleset, _ = api.load_rules(rules)
    rule = ruleset.rules.get(rule_id)
    if rule is None:
        known = ", ".join(ruleset.rules)
        raise InputError(f"no rule '{rule_id}'; known rules: {known}", field="ID")
    current = version_in_force(rule, Date.today())
    if fmt == "json":
        write_output(fmt_rules.timeline_json(rule, current), None)
    else:
        write_output(
            fmt_rules.timeline_table(
                rule, current, color=stdout_is_terminal(), width=terminal_width()
            ),
            None,
        )


@rules_app.command("validate", help="Validate rule files or directories (default: shipped rules).")
@handle_errors
def validate_command(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Files or directories", metavar="FILE|DIR")
    ] = None,
) -> None:
    ruleset, _ = api.load_rules(paths)
    write_output(fmt_rules.validate_summary(ruleset), None)


def ruleset_schema() -> str:
    schema = RuleSetFile.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "exportcheck rule set"
    return json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


@rules_app.command("schema", help="Write the JSON Schema of the rule-set format.")
@handle_errors
def schema_command(
    output: Annotated[Path | None, typer.Option("--output", "-o", metavar="FILE")] = None,
) -> None:
    write_output(ruleset_schema(), output)
