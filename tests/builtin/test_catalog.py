"""The built-in catalog as a whole: every report and view runs on the synthetic data and draws
valid Vega-Lite; the binding API and the `builtin` CLI behave as documented.

The figures of each report are checked by hand in the per-domain test files.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import altair as alt
import jsonschema
import pandas as pd
import pytest

from crmreports import SpecError, builtin
from crmreports.cli import main
from tests.helpers import synthetic_tables

# The nineteen reports the catalog promises (issue #4), in the order of the docs.
PROMISED = [
    "sales.performance", "sales.channels", "sales.purchase_behaviour", "sales.salesperson",
    "sales.pipeline", "sales.win_rate", "sales.quota",
    "customers.profile", "customers.loyalty", "customers.value", "customers.churn",
    "marketing.campaign_roi", "marketing.channels", "marketing.leads", "marketing.engagement",
    "service.response_time", "service.resolution_time", "service.complaints",
    "service.satisfaction",
]  # fmt: skip
AS_OF = "2024-12-31"


def _tables() -> dict[str, pd.DataFrame]:
    return synthetic_tables(1500)


@cache
def _validator() -> Any:
    path = Path(alt.__file__).parent / "vegalite" / "v6" / "schema" / "vega-lite-schema.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    return jsonschema.validators.validator_for(schema)(schema)


VIEWS = [(name, view) for name in builtin.names() for view in builtin.views(name)]


def test_every_promised_report_is_there() -> None:
    assert sorted(PROMISED) == builtin.names()
    assert builtin.names("service") == sorted(n for n in PROMISED if n.startswith("service."))


def test_every_promised_dashboard_is_there() -> None:
    assert builtin.dashboard_names() == ["customers", "marketing", "sales", "service"]


@pytest.mark.parametrize(("name", "view"), VIEWS, ids=[f"{n}/{v}" for n, v in VIEWS])
def test_every_view_runs_on_the_synthetic_data_and_draws(name: str, view: str) -> None:
    report = builtin.get(name, view=view)
    result = report.run(_tables(), as_of=AS_OF)
    assert len(result) > 0, f"{name}/{view} is empty on the synthetic data"
    spec = result.chart().to_dict(validate=True)
    errors = sorted(_validator().iter_errors(spec), key=str)
    assert not errors, errors[0].message
    assert "<html" in result.to_html()
    # The shipped file is a normal spec: it survives a YAML round trip unchanged.
    assert type(report).from_yaml(report.to_yaml()) == report


@pytest.mark.parametrize("name", PROMISED)
def test_every_report_has_a_gallery_text(name: str) -> None:
    about = builtin.path(name).parent / "about.md"
    text = about.read_text(encoding="utf-8")
    for heading in ("## Measures", "## Views", "## Parameters"):
        assert heading in text, f"{about} lacks {heading}"


# --- binding -----------------------------------------------------------------------------------

DEALS = pd.DataFrame(
    {
        "opportunity_id": [1, 2, 3],
        "deal_stage": ["Won", "Lost", "Won"],
        "order_total": [10.0, 20.0, 30.0],
    }
)


def _orders() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": [1, 2, 3],
            "day": pd.to_datetime(["2024-01-05", "2024-01-20", "2024-02-03"]),
            "total": [100.0, 50.0, 30.0],
        }
    )


@pytest.mark.parametrize(
    "columns",
    [
        {"orders": {"order_id": "id", "order_date": "day", "amount": "total"}},
        {"orders.order_id": "id", "orders.order_date": "day", "orders.amount": "total"},
        {"order_id": "id", "order_date": "day", "amount": "total"},
    ],
    ids=["nested", "dotted", "flat"],
)
def test_three_ways_to_map_columns(columns: dict[str, Any]) -> None:
    result = builtin.get("sales.performance", columns=columns).run({"orders": _orders()})
    # January 100 + 50 = 150 in two orders, February 30 in one; no cost, quantity or status.
    rows = result.to_pandas()[["month", "revenue", "orders"]].to_dict("records")
    assert rows == [
        {"month": pd.Timestamp("2024-01-01"), "revenue": 150.0, "orders": 2},
        {"month": pd.Timestamp("2024-02-01"), "revenue": 30.0, "orders": 1},
    ]
    assert "filter 1 skipped: source 'orders' has no column 'status'" in result.notes


def test_values_are_recoded_before_the_report_reads_them() -> None:
    orders = _orders().assign(state=["Completed", "Refunded", "Completed"])
    report = builtin.get(
        "sales.performance",
        columns={"orders": {"order_id": "id", "order_date": "day", "amount": "total",
                            "status": "state"}},
        values={"orders.status": {"Completed": "won", "Refunded": "cancelled"}},
    )  # fmt: skip
    rows = report.run({"orders": orders}).to_pandas()[["revenue", "orders"]]
    # The refunded 50 is not a sale: January 100 (1 order), February 30.
    assert rows.to_dict("records") == [
        {"revenue": 100.0, "orders": 1},
        {"revenue": 30.0, "orders": 1},
    ]


def test_a_missing_required_column_says_how_to_map_it() -> None:
    with pytest.raises(SpecError) as info:
        builtin.get("sales.performance").run({"orders": _orders()})
    message = str(info.value)
    assert "unknown column 'order_id' in source 'orders'" in message
    assert "builtin.get(..., columns={'orders': {'order_id': '<your column>'}})" in message


@pytest.mark.parametrize(
    ("kwargs", "fragments"),
    [
        ({"columns": {"order": {"amount": "x"}}}, ["no table 'order'", "did you mean: 'orders'"]),
        (
            {"columns": {"orders.amout": "x"}},
            ["table 'orders' has no column 'amout'", "did you mean: 'amount'"],
        ),
        (
            {"columns": {"stage": "deal_stage"}},
            ["none of the tables this report reads (orders)", "has a column 'stage'"],
        ),
        ({"columns": {"orders.amount": 5}}, ["must map to one of your column names"]),
        ({"values": {"orders.status": "won"}}, ["needs {your value: model value}"]),
        ({"params": {"inactivity": 3}}, ["has no parameter 'inactivity'"]),
    ],
    ids=["table", "column", "flat-unknown", "column-not-text", "values-not-mapping", "param"],
)
def test_mapping_mistakes_are_explained(kwargs: dict[str, Any], fragments: list[str]) -> None:
    with pytest.raises(SpecError) as info:
        builtin.get("sales.performance", **kwargs)
    for fragment in fragments:
        assert fragment in str(info.value)


def test_unknown_names_suggest_the_right_one() -> None:
    with pytest.raises(SpecError, match=r"did you mean: 'sales\.performance'"):
        builtin.get("sales.performence")
    with pytest.raises(SpecError, match="available views"):
        builtin.get("sales.performance", view="nope")
    with pytest.raises(SpecError, match="did you mean: 'sales'"):
        builtin.dashboard("sale")


def test_segment_map_is_a_parameter() -> None:
    top = [55, 54, 53, 52, 51, 45, 44, 43, 42, 41]
    rest = [r * 10 + f for r in (1, 2, 3) for f in range(1, 6)]
    report = builtin.get("customers.value", params={"segment_map": {"Top": top, "Rest": rest}})
    result = report.run(_tables(), as_of=AS_OF).to_pandas()
    assert set(result["segment"]) == {"Top", "Rest"}
    # Every customer with a won order on or before as_of is in exactly one segment.
    orders = _tables()["orders"]
    won = orders[(orders["status"] == "won") & (orders["order_date"] <= AS_OF)]
    assert result["customers"].sum() == won["customer_id"].nunique()
    with pytest.raises(SpecError, match=r"codes \[12, 13"):
        builtin.get("customers.value", params={"segment_map": {"a": [11]}})
    with pytest.raises(SpecError, match="in both 'a' and 'b'"):
        builtin.get("customers.value", params={"segment_map": {"a": [11], "b": [11]}})


def test_requirements_are_found_by_probing() -> None:
    needs = builtin.requirements("sales.performance")
    assert needs.required == {"orders": ("order_id", "order_date", "amount")}
    assert needs.optional == {"orders": ("cost", "quantity", "status")}


# --- the CLI -----------------------------------------------------------------------------------


def test_cli_lists_reports_and_dashboards(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["builtin", "list"]) == 0
    out = capsys.readouterr().out
    for name in PROMISED:
        assert name in out
    assert "dashboards: customers, marketing, sales, service" in out


def test_cli_shows_the_spec_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["builtin", "show", "sales.performance"]) == 0
    assert capsys.readouterr().out == builtin.path("sales.performance").read_text()


def test_cli_runs_a_builtin_with_a_mapping_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "orders.csv"
    _orders().to_csv(data, index=False)
    mapping = tmp_path / "map.yaml"
    mapping.write_text("columns:\n  orders: {order_id: id, order_date: day, amount: total}\n")
    out = tmp_path / "out.csv"
    code = main(["builtin", "run", "sales.performance", "--data", f"orders={data}",
                 "--mapping", str(mapping), "--out", str(out)])  # fmt: skip
    assert code == 0, capsys.readouterr().err
    written = pd.read_csv(out)
    assert written["revenue"].tolist() == [150.0, 30.0]
    assert "note: filter 1 skipped" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (None, "mapping file not found"),
        ("columns: [a", "is not valid YAML"),
        ("colums: {}", "unknown key 'colums'"),
        ("columns: 5", "columns must be a mapping"),
    ],
)
def test_cli_mapping_file_problems(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | None, fragment: str
) -> None:
    data = tmp_path / "orders.csv"
    _orders().to_csv(data, index=False)
    mapping = tmp_path / "map.yaml"
    if content is not None:
        mapping.write_text(content)
    code = main(["builtin", "run", "sales.performance", "--data", f"orders={data}",
                 "--mapping", str(mapping), "--out", str(tmp_path / "o.csv")])  # fmt: skip
    assert code == 1
    err = capsys.readouterr().err
    assert fragment in err and "Traceback" not in err
