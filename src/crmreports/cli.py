"""The `crmreports` command: validate, run, dashboard, schema, demo, builtin.

Exit codes: 0 success, 1 a problem with the spec or the data (message, no traceback),
2 wrong usage (argparse's convention).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from crmreports.errors import CrmReportsError
from crmreports.report import Report

_OUTPUT_SUFFIXES = (".html", ".csv", ".parquet", ".json", ".xlsx", ".png", ".svg", ".pdf")
_DASHBOARD_SUFFIXES = (".html", ".png", ".svg", ".pdf")


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        return int(args.handler(args, parser))
    except CrmReportsError as exc:
        print(f"error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="crmreports",
        description="CRM reports as typed specs, computed exactly on your own data.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    validate = sub.add_parser("validate", help="check a spec (against data when given)")
    validate.add_argument("spec", help="report spec, .yaml/.yml/.json")
    _add_data_option(validate, required=False)
    validate.set_defaults(handler=_validate)

    run = sub.add_parser("run", help="run a spec on data and write the result")
    run.add_argument("spec", help="report spec, .yaml/.yml/.json")
    _add_data_option(run, required=True)
    run.add_argument(
        "--out",
        required=True,
        help="output file: .html, .csv, .parquet, .json, .xlsx, or the chart as .png/.svg/.pdf",
    )
    _add_strict_option(run)
    run.set_defaults(handler=_run)

    board = sub.add_parser("dashboard", help="run a dashboard spec on data and write the page")
    board.add_argument("spec", help="dashboard spec, .yaml/.yml/.json")
    _add_data_option(board, required=True)
    board.add_argument(
        "--out",
        required=True,
        help="output file: .html (interactive page), or .png/.svg/.pdf (static layout)",
    )
    board.add_argument("--as-of", dest="as_of", metavar="DATE", help="run as of this date")
    board.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a parameter value for every report that declares it (repeatable)",
    )
    _add_strict_option(board)
    board.set_defaults(handler=_dashboard)

    schema = sub.add_parser("schema", help="print the JSON Schema of report specs")
    schema.add_argument(
        "--dashboard", action="store_true", help="the schema of dashboard specs instead"
    )
    schema.set_defaults(handler=_schema)

    demo = sub.add_parser("demo", help="render example reports over synthetic data")
    demo.add_argument("--out", default="demo", help="output folder (default: demo)")
    demo.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    demo.add_argument("--size", type=int, default=20_000, help="orders to generate")
    demo.set_defaults(handler=_demo)

    from crmreports.cli_builtin import add_builtin_parser

    add_builtin_parser(
        sub, _add_data_option, _data_argument, _param_argument, _OUTPUT_SUFFIXES,
        _add_strict_option,
    )  # fmt: skip
    return parser


def _add_strict_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--strict",
        action="store_true",
        help="fail when a filter value matches no row of its column (else a note)",
    )


def _add_data_option(parser: argparse.ArgumentParser, required: bool) -> None:
    parser.add_argument(
        "--data",
        action="append",
        required=required,
        metavar="[NAME=]PATH",
        help="a .csv or .parquet file; repeat as NAME=PATH for several sources",
    )


def _data_argument(values: list[str] | None, parser: argparse.ArgumentParser) -> Any:
    if not values:
        return None
    named: dict[str, str] = {}
    plain: list[str] = []
    for value in values:
        name, sep, path = value.partition("=")
        if sep and name.isidentifier():
            named[name] = path
        else:
            plain.append(value)
    if plain and (named or len(plain) > 1):
        parser.error("with several --data options, name each one: --data NAME=PATH")
    return plain[0] if plain else named


def _validate(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    report = Report.from_file(args.spec)
    report.check(_data_argument(args.data, parser))
    checked = "against the data" if args.data else "(structure only; pass --data to check columns)"
    print(f"ok: {report.name} {checked}")
    return 0


def _run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    out = Path(args.out)
    if out.suffix.lower() not in _OUTPUT_SUFFIXES:
        parser.error(f"--out must end in one of {', '.join(_OUTPUT_SUFFIXES)}")
    report = Report.from_file(args.spec)
    result = report.run(_data_argument(args.data, parser), strict=args.strict)
    out.parent.mkdir(parents=True, exist_ok=True)
    result.write(out)
    print(f"wrote {out} ({len(result)} rows)")
    for note in result.notes:
        print(f"note: {note}")
    return 0


def _dashboard(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from crmreports.dashboard import load_dashboard

    out = Path(args.out)
    if out.suffix.lower() not in _DASHBOARD_SUFFIXES:
        parser.error(f"--out must end in one of {', '.join(_DASHBOARD_SUFFIXES)}")
    params = dict(_param_argument(value, parser) for value in args.param)
    dashboard = load_dashboard(args.spec)
    data = _data_argument(args.data, parser)
    result = dashboard.run(data, as_of=args.as_of, params=params, strict=args.strict)
    out.parent.mkdir(parents=True, exist_ok=True)
    result.write(out)
    print(f"wrote {out} ({len(result)} items, data as of {result.as_of})")
    return 0


def _param_argument(value: str, parser: argparse.ArgumentParser) -> tuple[str, Any]:
    """`NAME=VALUE`, the value read as a YAML scalar (so `5` is a number, `true` a boolean and
    `2024-06-30` a date), as it would be in a spec."""
    name, sep, text = value.partition("=")
    if not sep or not name.isidentifier():
        parser.error(f"--param takes NAME=VALUE, got {value!r}")
    try:
        parsed = yaml.safe_load(text) if text.strip() else text
    except yaml.YAMLError:
        parsed = text
    if not isinstance(parsed, str | int | float | bool | dt.date):
        parsed = text  # lists, mappings and nulls stay the text that was typed
    return name, parsed


def _schema(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    if args.dashboard:
        from crmreports.dashboard import Dashboard

        print(json.dumps(Dashboard.model_json_schema(), indent=2))
        return 0
    print(json.dumps(Report.model_json_schema(), indent=2))
    return 0


def _demo(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from crmreports.demo import build_demo

    if args.size < 1:
        parser.error("--size must be at least 1")
    index = build_demo(args.out, seed=args.seed, size=args.size)
    print(f"wrote {index}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
