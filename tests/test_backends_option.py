"""`pytest --backends duckdb,polars`: the tests that take a `constructor` run on those only."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import narwhals as nw
import pyarrow as pa
import pytest

from tests.conftest import chosen_backends

ROOT = Path(__file__).resolve().parents[1]
THIS = "tests/test_backends_option.py"


def test_a_constructor_builds_a_frame_of_its_backend(constructor: Any) -> None:
    # The test the option is checked on below; on its own: two rows, one column, whatever the kind.
    frame = nw.from_native(constructor({"a": [1, None]}, {"a": pa.int64()}))
    if isinstance(frame, nw.LazyFrame):
        frame = frame.collect()
    assert frame.columns == ["a"]
    assert frame.shape == (2, 1)


def collected(*options: str) -> tuple[int, list[str]]:
    """The exit code and the test ids a `pytest --collect-only` of this module lists."""
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
         *options, f"{THIS}::test_a_constructor_builds_a_frame_of_its_backend"],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    ids = [line.split("::", 1)[1] for line in done.stdout.splitlines() if line.startswith(THIS)]
    return done.returncode, ids


def test_the_option_keeps_the_named_backends_only() -> None:
    code, ids = collected("--backends", "duckdb,polars")
    assert code == 0
    # In the order of the fixture's backends, not the option's.
    assert ids == [
        "test_a_constructor_builds_a_frame_of_its_backend[polars]",
        "test_a_constructor_builds_a_frame_of_its_backend[duckdb]",
    ]


def test_without_the_option_every_backend_runs() -> None:
    code, ids = collected()
    assert code == 0
    assert ids == [
        f"test_a_constructor_builds_a_frame_of_its_backend[{b}]"
        for b in ("pandas", "pyarrow", "polars", "polars_lazy", "duckdb")
    ]


def test_an_unknown_backend_stops_the_run() -> None:
    code, ids = collected("--backends", "duckdb,sqlite")
    assert code == pytest.ExitCode.USAGE_ERROR
    assert ids == []


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("duckdb", ("duckdb",)),
        (" polars_lazy , pandas,pandas", ("pandas", "polars_lazy")),
        ("pandas,pyarrow,polars,polars_lazy,duckdb",
         ("pandas", "pyarrow", "polars", "polars_lazy", "duckdb")),
    ],
)  # fmt: skip
def test_chosen_backends(value: str, expected: tuple[str, ...]) -> None:
    assert chosen_backends(value) == expected


@pytest.mark.parametrize("value", ["", " , ", "duck", "duckdb,Polars"])
def test_chosen_backends_refuses_what_it_does_not_know(value: str) -> None:
    with pytest.raises(pytest.UsageError, match="choose among pandas, pyarrow, polars"):
        chosen_backends(value)


def test_tests_that_pick_their_own_constructors_follow_the_option_too() -> None:
    # test_marketing parametrizes `constructor` itself (pandas and polars, indirect=True).
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
         "--backends", "polars", "tests/builtin/test_marketing.py"],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    ids = [line for line in done.stdout.splitlines() if "::" in line]
    assert done.returncode == 0
    # test_campaign_roi_without_status_counts_every_order runs on pandas and polars by itself.
    assert "test_campaign_roi_without_status_counts_every_order[polars]" in " ".join(ids)
    others = ("[pandas]", "[pyarrow]", "[polars_lazy]", "[duckdb]")
    assert not [i for i in ids if i.endswith(others)]
    # a test without a constructor stays
    assert any(i.endswith("::test_campaign_roi_refuses_a_duplicated_campaign") for i in ids)
