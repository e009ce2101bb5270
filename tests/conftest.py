"""Constructor fixtures (narwhals style): one test body runs on every input backend."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest

from tests.helpers import BACKENDS, Data, Schema, make_frame, result_type_check

if TYPE_CHECKING:
    from crmreports.datasets import CRMDataset


@dataclass(frozen=True)
class Constructor:
    """Builds `backend` frames from plain lists.

    `constructor({"a": [1, None]}, {"a": pa.int64()})`; the schema is optional.
    """

    backend: str

    def __call__(self, data: Data, schema: Schema | None = None) -> Any:
        return make_frame(self.backend, data, schema)

    def is_native_result(self, obj: Any) -> bool:
        """`result.data` is the same kind of frame as this backend's input."""
        return result_type_check(self.backend)(obj)

    def __repr__(self) -> str:
        return self.backend


@pytest.fixture(params=BACKENDS)
def constructor(request: pytest.FixtureRequest) -> Constructor:
    return Constructor(request.param)


# --- `--backends duckdb,polars`: the constructor tests on some backends only --------------------


def chosen_backends(value: str) -> tuple[str, ...]:
    """The backends named in `--backends` (comma-separated), in the order of BACKENDS."""
    names = {name.strip() for name in value.split(",") if name.strip()}
    unknown = sorted(names - set(BACKENDS))
    if unknown or not names:
        raise pytest.UsageError(
            f"--backends: unknown backend(s) {', '.join(unknown) or '(none given)'}; "
            f"choose among {', '.join(BACKENDS)}"
        )
    return tuple(b for b in BACKENDS if b in names)


def pytest_configure(config: pytest.Config) -> None:
    chosen_backends(config.getoption("--backends"))  # a typo stops the run before collection


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Deselect the tests whose `constructor` is a backend `--backends` leaves out (including
    tests that choose their own constructors with `indirect=True`)."""
    chosen = chosen_backends(config.getoption("--backends"))
    if chosen == BACKENDS:
        return
    kept, dropped = [], []
    for item in items:
        callspec = getattr(item, "callspec", None)
        backend = callspec.params.get("constructor") if callspec else None
        (dropped if backend is not None and backend not in chosen else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


# --- shared data ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ds() -> CRMDataset:
    """The synthetic CRM dataset of 5,000 orders (seed 0)."""
    from crmreports.datasets import generate

    return generate(seed=0, size=5_000)


# --- snapshot tests (tests/snapshots/): compared, rewritten only on request ------------------


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--backends",
        default=",".join(BACKENDS),
        metavar="NAMES",
        help="run the tests that take a `constructor` on these input backends only, "
        f"comma-separated (default: all of {','.join(BACKENDS)})",
    )
    parser.addoption(
        "--update-snapshots",
        action="store_true",
        default=False,
        help="rewrite the files under tests/snapshots/ instead of comparing with them",
    )


@pytest.fixture
def update_snapshots(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-snapshots"))
