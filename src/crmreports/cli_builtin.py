"""`crmreports builtin ...`: list, show, run the built-in reports and dashboards.

A mapping file (`--mapping map.yaml`) holds what `builtin.get` takes as arguments:

    columns: {opportunities: {stage: deal_stage, amount: close_value}}
    values: {opportunities.stage: {Won: won, Lost: lost}}
    params: {inactivity_days: 120}
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from crmreports import builtin
from crmreports.errors import DataError

_MAPPING_KEYS = ("columns", "values", "params")
_BAD_MAPPING = "invalid-mapping-file"

Handler = Callable[[argparse.Namespace, argparse.ArgumentParser], int]


def add_builtin_parser(
    sub: Any, data_option: Callable[..., None], data_argument: Callable[..., Any],
    param_argument: Callable[..., tuple[str, Any]], out_suffixes: tuple[str, ...],
    strict_option: Callable[[argparse.ArgumentParser], None],
) -> None:  # fmt: skip
    """The `builtin` command and its sub-commands, sharing the main CLI's --data handling."""
    parser = sub.add_parser("builtin", help="list, show and run the built-in CRM reports")
    commands = parser.add_subparsers(dest="builtin_command", metavar="SUBCOMMAND")
    parser.set_defaults(handler=lambda args, p: _help(parser))

    listing = commands.add_parser("list", help="the built-in reports, views and dashboards")
    listing.set_defaults(handler=_list)

    show = commands.add_parser("show", help="print a built-in report's spec (to copy)")
    show.add_argument("name", help="e.g. sales.pipeline")
    show.add_argument("--view", default=builtin.MAIN_VIEW, help="view (default: main)")
    show.add_argument("--mapping", help="mapping file (.yaml): columns, values, params")
    show.set_defaults(handler=_show)

    def run_handler(args: argparse.Namespace, p: argparse.ArgumentParser) -> int:
        out = Path(args.out)
        if out.suffix.lower() not in out_suffixes:
            p.error(f"--out must end in one of {', '.join(out_suffixes)}")
        report = builtin.get(args.name, view=args.view, **_mapping(args.mapping))
        params = dict(param_argument(v, p) for v in args.param)
        data = data_argument(args.data, p)
        result = report.run(data, as_of=args.as_of, params=params, strict=args.strict)
        out.parent.mkdir(parents=True, exist_ok=True)
        result.write(out)
        print(f"wrote {out} ({len(result)} rows)")
        for note in result.notes:
            print(f"note: {note}")
        return 0

    run = commands.add_parser("run", help="run a built-in report on your data")
    run.add_argument("name", help="e.g. sales.pipeline")
    run.add_argument("--view", default=builtin.MAIN_VIEW, help="view (default: main)")
    _common(run, data_option)
    strict_option(run)
    run.set_defaults(handler=run_handler)

    def dashboard_handler(args: argparse.Namespace, p: argparse.ArgumentParser) -> int:
        out = Path(args.out)
        if out.suffix.lower() not in (".html", ".png", ".svg", ".pdf"):
            p.error("--out must end in .html, .png, .svg or .pdf")
        board = builtin.dashboard(args.name, **_mapping(args.mapping))
        params = dict(param_argument(v, p) for v in args.param)
        data = data_argument(args.data, p)
        result = board.run(data, as_of=args.as_of, params=params, strict=args.strict)
        out.parent.mkdir(parents=True, exist_ok=True)
        result.write(out)
        print(f"wrote {out} ({len(result)} items, data as of {result.as_of})")
        return 0

    board = commands.add_parser("dashboard", help="run a built-in dashboard on your data")
    board.add_argument("name", help="sales, customers, marketing or service")
    _common(board, data_option)
    strict_option(board)
    board.set_defaults(handler=dashboard_handler)


def _common(parser: argparse.ArgumentParser, data_option: Callable[..., None]) -> None:
    data_option(parser, required=True)
    parser.add_argument("--out", required=True, help="output file (.html, .csv, .png, ...)")
    parser.add_argument("--mapping", help="mapping file (.yaml): columns, values, params")
    parser.add_argument("--as-of", dest="as_of", metavar="DATE", help="run as of this date")
    parser.add_argument(
        "--param", action="append", default=[], metavar="NAME=VALUE",
        help="a parameter value (repeatable)",
    )  # fmt: skip


def _help(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return 2


def _list(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    width = max(len(n) for n in builtin.names())
    for name in builtin.names():
        report = builtin.get(name)
        print(f"{name:<{width}}  {report.display_title}")
        others = builtin.views(name)[1:]
        if others:
            print(f"{'':<{width}}    views: {', '.join(others)}")
    print(f"\ndashboards: {', '.join(builtin.dashboard_names())}")
    return 0


def _show(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    if args.mapping:
        print(builtin.get(args.name, view=args.view, **_mapping(args.mapping)).to_yaml(), end="")
    else:
        print(builtin.path(args.name, args.view).read_text(encoding="utf-8"), end="")
    return 0


def _mapping(path: str | None) -> dict[str, Any]:
    """The mapping file's columns, values and params; {} without one."""
    if not path:
        return {}
    file = Path(path)
    if not file.is_file():
        raise DataError(f"mapping file not found: {path!r}", code="file-not-found")
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise DataError(
            f"mapping file {path!r} is not valid YAML{where}", code=_BAD_MAPPING
        ) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise DataError(
            f"mapping file {path!r} must hold keys {', '.join(_MAPPING_KEYS)}", code=_BAD_MAPPING
        )
    unknown = [k for k in data if k not in _MAPPING_KEYS]
    if unknown:
        raise DataError(
            f"mapping file {path!r}: unknown key {unknown[0]!r}; use {', '.join(_MAPPING_KEYS)}",
            code=_BAD_MAPPING,
        )
    for key, value in data.items():
        if value is not None and not isinstance(value, dict):
            raise DataError(f"mapping file {path!r}: {key} must be a mapping", code=_BAD_MAPPING)
    return {k: v for k, v in data.items() if v}
