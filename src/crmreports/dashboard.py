"""`Dashboard`: several reports run together on the same data, shown on one page.

Every report of a dashboard runs with the same `as_of` date (so "this month" means the same
month on every tile, even across midnight), the same parameter values and the dashboard's
shared filters, where its data has the filter's columns.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol, Self

import altair as alt
from pydantic import ConfigDict, PrivateAttr

from crmreports.cache import ResultCache
from crmreports.errors import DataError, Problem, SpecError, UnknownNameError, format_names
from crmreports.errors import suggest as _suggest
from crmreports.execute import bind_inputs, duckdb_cursor
from crmreports.plan import Plan
from crmreports.render.dashboard import (
    DashboardPage,
    Tile,
    TileKind,
    kpi_figure,
    mime_bundle,
    render_dashboard,
    render_fragment,
)
from crmreports.render.export import IMAGE_SUFFIXES, export_chart, require_suffix
from crmreports.render.layout import PAGE_WIDTH, compose
from crmreports.report import Report, _as_date
from crmreports.resolve import ResolvedReport
from crmreports.resolve.relationships import reachable_columns
from crmreports.result import ReportResult
from crmreports.sharing import Job, groups, run_group
from crmreports.spec import ReportSpec, dump_spec, parse_text, read_spec_file
from crmreports.spec.dashboard import (
    SPEC_SUFFIXES,
    DashboardSpec,
    KpiItem,
    ReportItem,
    check_dashboard,
    describe_filter,
    filter_fields,
    relocate,
    validate_dashboard,
)

Item = ReportItem | KpiItem


# --- finding referenced reports ---------------------------------------------------------------


class ReportLoader(Protocol):
    """Finds the report a dashboard item names by text (`report: revenue_by_month`)."""

    def load(self, ref: str) -> ReportSpec:
        """The report `ref` names; raise a `SpecError` (path relative to the report) if not."""
        ...


@dataclass(frozen=True)
class SpecFolder:
    """Reports as spec files in one folder: `ref` is a file name with its .yaml/.yml/.json
    suffix (sub-folders allowed), or a report name looked up as `<ref>.yaml|.yml|.json`.

    A reference cannot leave the folder (`../secrets.yaml` is refused), so a dashboard spec
    from someone else reads no other file on the machine.
    """

    folder: Path

    def load(self, ref: str) -> ReportSpec:
        root = self.folder.resolve()
        if Path(ref).suffix.lower() in SPEC_SUFFIXES:
            candidates = [root / ref]
        else:
            candidates = [root / f"{ref}{suffix}" for suffix in SPEC_SUFFIXES]
        for path in candidates:
            if not path.resolve().is_relative_to(root):
                raise UnknownNameError(
                    [
                        Problem(
                            "unknown-name",
                            f"report reference {ref!r} points outside the folder {str(root)!r}",
                            hint="keep referenced specs in the dashboard's folder or below it",
                        )
                    ]
                )
            if path.is_file():
                return Report.from_file(path)
        names = self.names()
        raise UnknownNameError(
            [
                Problem(
                    "unknown-name",
                    f"no report {ref!r} in {str(root)!r}",
                    checked_against=format_names(names, "reports"),
                    suggestion=_suggest(ref, names),
                    hint="name a .yaml/.yml/.json spec file in that folder, or write the "
                    "report inline",
                )
            ]
        )

    def names(self) -> list[str]:
        """Report names found in the folder (the stems of its spec files)."""
        if not self.folder.is_dir():
            return []
        return sorted(p.stem for p in self.folder.iterdir() if p.suffix.lower() in SPEC_SUFFIXES)


@dataclass(frozen=True)
class ReportCatalog:
    """Reports held in memory, found by name: `ReportCatalog.of(report_a, report_b)`."""

    reports: Mapping[str, ReportSpec]

    @classmethod
    def of(cls, *reports: ReportSpec) -> ReportCatalog:
        return cls({r.name: r for r in reports})

    def load(self, ref: str) -> ReportSpec:
        if ref in self.reports:
            return self.reports[ref]
        names = sorted(self.reports)
        raise UnknownNameError(
            [
                Problem(
                    "unknown-name",
                    f"no report named {ref!r} in the catalog",
                    checked_against=format_names(names, "reports"),
                    suggestion=_suggest(ref, names),
                )
            ]
        )


# --- the dashboard ----------------------------------------------------------------------------


class Dashboard(DashboardSpec):
    """A dashboard spec that can load its reports and run them on data.

    Build one in Python (`Dashboard(title=..., items=[...])`), from YAML/JSON text or from a
    file (`Dashboard.from_file(path)`: report references are then found beside the file).
    """

    model_config = ConfigDict(title="Dashboard")
    _loader: ReportLoader | None = PrivateAttr(default=None)

    # --- authoring -----------------------------------------------------------------------------

    @classmethod
    def from_dict(
        cls, data: Any, *, origin: str = "<dict>", loader: ReportLoader | None = None
    ) -> Self:
        """Build from plain data; structural problems raise one located `SpecError`."""
        dashboard: Self = validate_dashboard(cls, data, origin)
        return dashboard.with_loader(loader) if loader is not None else dashboard

    @classmethod
    def from_yaml(
        cls, text: str, *, origin: str = "<yaml>", loader: ReportLoader | None = None
    ) -> Self:
        return cls.from_dict(parse_text(text, "yaml", origin), origin=origin, loader=loader)

    @classmethod
    def from_json(
        cls, text: str, *, origin: str = "<json>", loader: ReportLoader | None = None
    ) -> Self:
        return cls.from_dict(parse_text(text, "json", origin), origin=origin, loader=loader)

    @classmethod
    def from_file(cls, path: str | Path, *, loader: ReportLoader | None = None) -> Self:
        """Load a .yaml/.yml/.json dashboard; references are found in its folder by default."""
        data, origin = read_spec_file(path)
        return cls.from_dict(data, origin=origin, loader=loader or SpecFolder(Path(path).parent))

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_defaults=True, by_alias=True)

    def to_yaml(self) -> str:
        return dump_spec(self, "yaml")

    def to_json(self) -> str:
        return dump_spec(self, "json")

    def with_loader(self, loader: ReportLoader) -> Self:
        """A copy that finds referenced reports with `loader`."""
        copy = self.model_copy()
        copy._loader = loader
        return copy

    @property
    def loader(self) -> ReportLoader:
        """How references are found: set by `from_file`/`with_loader`, else the working folder."""
        return self._loader or SpecFolder(Path.cwd())

    # --- reports -------------------------------------------------------------------------------

    def reports(self, params: Mapping[str, Any] | None = None) -> list[Report]:
        """Every item's report (references loaded); raise one `SpecError` with every problem
        found without data, each located (`items[2].report`)."""
        problems: list[Problem] = []
        loaded: list[Report | None] = []
        for i, item in enumerate(self.items):
            if not isinstance(item.report, str):
                loaded.append(Report.model_validate(item.report.model_dump(by_alias=True)))
                continue
            try:
                spec = self.loader.load(item.report)
            except SpecError as exc:
                problems += [relocate(p, f"items[{i}].report", item.report) for p in exc.problems]
                loaded.append(None)
                continue
            loaded.append(Report.model_validate(spec.model_dump(by_alias=True)))
        reports = [r for r in loaded if r is not None]
        if problems or len(reports) < len(loaded):
            raise SpecError.from_problems(problems)
        problems += check_dashboard(self, reports, params)
        if problems:
            raise SpecError.from_problems(problems)
        return reports

    def check(
        self,
        data: Any = None,
        *,
        params: Mapping[str, Any] | None = None,
        as_of: dt.date | str | None = None,
    ) -> None:
        """Raise a `SpecError` listing every problem; without data, only data-free checks."""
        if data is None:
            self.reports({**self.params, **(params or {})})
            return
        self._plan(data, params, as_of, execute=False)

    def run(
        self,
        data: Any,
        *,
        as_of: dt.date | str | None = None,
        params: Mapping[str, Any] | None = None,
        cache: ResultCache | None = None,
        strict: bool = False,
    ) -> DashboardResult:
        """Run every report on `data` (a frame, a file path, or {source_name: frame}).

        `as_of` (default: the spec's, else today) is the same for every report; `params`
        override the spec's parameter values. Problems of all reports are raised together.
        With a `cache`, a report whose spec and data are unchanged is not run again. With
        `strict`, a filter value that no row holds fails the run (as `Report.run`).
        """
        return self._plan(data, params, as_of, execute=True, cache=cache, strict=strict)  # type: ignore[return-value]

    def _plan(
        self,
        data: Any,
        params: Mapping[str, Any] | None,
        as_of: dt.date | str | None,
        execute: bool,
        cache: ResultCache | None = None,
        strict: bool = False,
    ) -> DashboardResult | None:
        day = _as_date(as_of) or self.as_of or dt.date.today()
        values = {**self.params, **(params or {})}
        reports = self.reports(values)
        columns = _columns_by_item(data, reports)
        problems: list[Problem] = []
        tiles: list[TileResult] = []
        used = [False] * len(self.filters)
        jobs: list[Job] = []
        fits: list[tuple[tuple[int, ...], tuple[str, ...]]] = []
        for i, report in enumerate(reports):
            fitted, applied, notes = self._fit_filters(report, columns[i], values)
            for j in applied:
                used[j] = True
            own = {p.name: values[p.name] for p in report.params if p.name in values}
            jobs.append(Job(fitted, own))
            fits.append((applied, notes))
        # Reports that read the same rows run as one aggregation (crmreports.sharing); with a
        # cache, each is looked up on its own.
        # Strict runs go one by one, so a value no row holds is located at its own item.
        sharing = execute and cache is None and not strict
        grouped = groups(jobs) if sharing else [[i] for i in range(len(jobs))]
        shared = {i for group in grouped if len(group) > 1 for i in group}
        misses = cache.misses if cache is not None else 0
        prepared: dict[int, tuple[ResolvedReport, Plan]] = {}
        results: dict[int, ReportResult] = {}
        for i, job in enumerate(jobs):
            try:  # a report's problems are located at its item, whichever way it runs
                if not execute or i in shared:
                    prepared[i] = job.report.prepare(data, job.params, day)
                elif cache is not None:
                    results[i] = cache.run(
                        job.report, data, params=job.params, as_of=day, strict=strict
                    )
                else:
                    results[i] = job.report.run(data, params=job.params, as_of=day, strict=strict)
            except SpecError as exc:
                problems += [self._locate(p, i, reports[i], fits[i][0]) for p in exc.problems]
        problems += self._unused_filters(used, columns)
        if problems:
            raise SpecError.from_problems(problems)
        if not execute:
            return None
        for group in grouped:
            if len(group) > 1:
                members = [jobs[i] for i in group]
                made = run_group(members, data, day, [prepared[i] for i in group])
                results.update(zip(group, made, strict=True))
        scans = cache.misses - misses if cache is not None else len(grouped)
        for i, (item, report) in enumerate(zip(self.items, reports, strict=True)):
            applied, notes = fits[i]
            tiles.append(TileResult(item, report, results[i], applied, notes))
        return DashboardResult(self, tuple(tiles), as_of=day, params=values, scans=scans)

    def _fit_filters(
        self, report: Report, columns: set[str] | None, values: Mapping[str, Any]
    ) -> tuple[Report, tuple[int, ...], tuple[str, ...]]:
        """The report with every shared filter its data can take; the others become notes."""
        if not self.filters or columns is None:
            return report, (), ()
        params = {p.name for p in report.params}
        applied: list[int] = []
        notes: list[str] = []
        for j, shared in enumerate(self.filters):
            missing = sorted(filter_fields(shared) - columns - params)
            if missing:
                source = report.source or "the data"
                notes.append(
                    f"Dashboard filter “{describe_filter(shared, dict(values))}” is not applied "
                    f"here: {source} has no column {', '.join(repr(m) for m in missing)}."
                )
            else:
                applied.append(j)
        if not applied:
            return report, (), tuple(notes)
        extra = [self.filters[j] for j in applied]
        fitted = report.model_copy(update={"filters": [*report.filters, *extra]})
        return fitted, tuple(applied), tuple(notes)

    def _locate(self, problem: Problem, i: int, report: Report, applied: Sequence[int]) -> Problem:
        """A report's problem located in the dashboard; problems of an added shared filter
        point at the dashboard's `filters[j]`, where the author can fix them."""
        own = len(report.filters)
        for k, j in enumerate(applied):
            prefix = f"filters[{own + k}]"
            if problem.path == prefix or problem.path.startswith((prefix + ".", prefix + "[")):
                moved = Problem(
                    problem.code,
                    f"{problem.message} (in report {report.name!r})",
                    f"filters[{j}]" + problem.path[len(prefix) :],
                    problem.checked_against,
                    problem.suggestion,
                    problem.hint,
                )
                return moved
        item = self.items[i]
        return relocate(
            problem, f"items[{i}].report", item.report if isinstance(item.report, str) else None
        )

    def _unused_filters(self, used: list[bool], columns: list[set[str] | None]) -> list[Problem]:
        """A shared filter that fits no report is almost always a typo: say so."""
        known = [c for c in columns if c is not None]
        if not known or len(known) < len(columns):
            return []
        every = sorted(set().union(*known))
        problems = []
        for j, shared in enumerate(self.filters):
            if used[j]:
                continue
            fields = sorted(filter_fields(shared) - set(every))
            name = fields[0] if fields else ""
            problems.append(
                Problem(
                    "unknown-column",
                    f"dashboard filter “{describe_filter(shared, self.params)}” fits none of the "
                    f"reports: no report's data has column {name!r}",
                    f"filters[{j}]",
                    checked_against=format_names(every, "columns"),
                    suggestion=_suggest(name, every) if name else None,
                )
            )
        return problems


def _columns_by_item(data: Any, reports: Iterable[Report]) -> list[set[str] | None]:
    """Per report: the columns its rows can be filtered on (its source's, plus `to.column`
    through its relationships); None when its source cannot be told (the run reports why)."""
    cursor = duckdb_cursor()
    bound: dict[str | None, Any] = {}
    out: list[set[str] | None] = []
    try:
        for report in reports:
            key = None if isinstance(data, Mapping) else report.source
            if key not in bound:
                bound[key] = bind_inputs(data, report.source, cursor)
            schema = {name: s.schema for name, s in bound[key].items()}
            source = report.source or (next(iter(schema)) if len(schema) == 1 else None)
            if source is None or source not in schema:
                out.append(None)
                continue
            joined, _ = reachable_columns(source, report.relationships, schema, [])
            out.append(set(schema[source]) | set(joined))
    finally:
        cursor.close()
    return out


def load_dashboard(path: str | Path) -> Dashboard:
    """Load a dashboard spec from a .yaml, .yml or .json file."""
    if not Path(path).is_file():
        raise DataError(f"dashboard file not found: {str(path)!r}")
    return Dashboard.from_file(path)


# --- results ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TileResult:
    """One item's outcome: its report as written, the result of running it with the shared
    filters its data could take (`applied`: their indices), and the dashboard's notes on it."""

    item: Item
    report: Report
    result: ReportResult
    applied: tuple[int, ...] = ()
    notes: tuple[str, ...] = ()


class DashboardResult:
    """The computed reports of a dashboard, as a page, an image, or a notebook display."""

    def __init__(
        self,
        dashboard: Dashboard,
        tiles: tuple[TileResult, ...],
        *,
        as_of: dt.date,
        params: Mapping[str, Any],
        generated_at: dt.datetime | None = None,
        scans: int | None = None,
    ) -> None:
        self.dashboard = dashboard
        self.tiles = tiles
        # How many aggregations ran: compatible reports share one (crmreports.sharing).
        self.scans = len(tiles) if scans is None else scans
        self.as_of = as_of
        self.params = dict(params)
        self.generated_at = generated_at or dt.datetime.now(dt.UTC)

    @property
    def results(self) -> tuple[ReportResult, ...]:
        """Each item's `ReportResult`, in item order."""
        return tuple(t.result for t in self.tiles)

    def __getitem__(self, key: int | str) -> ReportResult:
        """An item's result by position, or by its report's name (the first such item)."""
        if isinstance(key, int):
            return self.tiles[key].result
        for tile in self.tiles:
            if tile.report.name == key:
                return tile.result
        names = [t.report.name for t in self.tiles]
        raise KeyError(f"no report {key!r} on this dashboard; reports: {', '.join(names)}")

    def __len__(self) -> int:
        return len(self.tiles)

    def __repr__(self) -> str:
        names = ", ".join(t.report.name for t in self.tiles)
        return f"<DashboardResult {self.dashboard.title!r} as of {self.as_of}: {names}>"

    # --- presentation --------------------------------------------------------------------------

    def page(self) -> DashboardPage:
        """What every rendering of this dashboard shows, formatted for people."""
        colors: dict[str, str] = {}  # one colour per category value, filled chart by chart
        tiles = [self._tile(t, colors) for t in self.tiles]
        # A relative date filter's note gives its dates ("... (2024-01-01 .. 2024-12-31)"):
        # shown once in the header for a dashboard filter, rather than on every tile.
        shared = []
        for f in self.dashboard.filters:
            text = describe_filter(f, self.params)
            notes = (n for t in tiles for n in t.notes if n.startswith(f"{text} ("))
            shared.append(next(notes, text))
        tiles = [replace(t, notes=tuple(n for n in t.notes if n not in shared)) for t in tiles]
        return DashboardPage(
            title=self.dashboard.title,
            description=self.dashboard.description,
            tiles=tuple(tiles),
            generated_at=self.generated_at,
            as_of=self.as_of,
            filters=tuple(shared),
            params=tuple(f"{k} = {v}" for k, v in self.params.items()),
        )

    def _tile(self, tile: TileResult, colors: dict[str, str]) -> Tile:
        result = tile.result
        filters = tuple(describe_filter(f, self.params) for f in tile.report.filters)
        notes = tuple(result.notes) + tile.notes
        title = tile.report.display_title
        if isinstance(tile.item, KpiItem):
            figure = kpi_figure(result.to_pandas(), result.resolved, tile.item.measure)
            return Tile("kpi", tile.item.width, title, tile.report.description, kpi=figure,
                        filters=filters, notes=notes)  # fmt: skip
        section = result.section(colors=colors)
        kind: TileKind = "table" if section.chart is None else "chart"
        chart = section.chart if section.chart is not None else result.chart().to_dict()
        return Tile(kind, tile.item.width, title, section.description, chart=chart,
                    table=section.table, filters=filters, notes=notes)  # fmt: skip

    def to_html(self, path: str | Path | None = None) -> str:
        """One self-contained, responsive page (no network needed); written to `path` if given."""
        html = render_dashboard(self.page())
        if path is not None:
            Path(path).write_text(html, encoding="utf-8")
        return html

    def chart(self, width: int = PAGE_WIDTH) -> alt.VConcatChart:
        """The dashboard as one static Altair layout (rows of charts and KPI tiles), for
        images: no tooltips, tables only for table reports, notes in the subtitle."""
        return alt.VConcatChart.from_dict(compose(self.page(), width))

    def to_png(self, path: str | Path, *, scale: float = 2.0, width: int = PAGE_WIDTH) -> Path:
        """The static layout (`chart()`) as PNG, drawn without a browser."""
        return export_chart(compose(self.page(), width), require_suffix(path, ".png"), scale=scale)

    def to_svg(self, path: str | Path, *, width: int = PAGE_WIDTH) -> Path:
        return export_chart(compose(self.page(), width), require_suffix(path, ".svg"))

    def to_pdf(self, path: str | Path, *, width: int = PAGE_WIDTH) -> Path:
        return export_chart(compose(self.page(), width), require_suffix(path, ".pdf"))

    def write(self, path: str | Path) -> Path:
        """Write by extension: .html (interactive page), or .png, .svg, .pdf (static layout)."""
        target = Path(path)
        suffix = target.suffix.lower()
        if suffix == ".html":
            self.to_html(target)
            return target
        if suffix in IMAGE_SUFFIXES:
            return export_chart(compose(self.page()), target)
        raise DataError(
            f"cannot write a dashboard to {str(target)!r}: use a .html, .png, .svg or .pdf "
            "file name"
        )

    # --- notebooks -----------------------------------------------------------------------------

    def _repr_html_(self) -> str:
        return render_fragment(self.page())

    def _repr_mimebundle_(
        self, include: Iterable[str] | None = None, exclude: Iterable[str] | None = None
    ) -> dict[str, Any]:
        """What Jupyter shows: the dashboard as HTML, its charts drawn to SVG (no JavaScript)."""
        return mime_bundle({"text/html": self._repr_html_, "text/plain": self.__repr__},
                           include, exclude)  # fmt: skip
