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


# --- shared data ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ds() -> CRMDataset:
    """The synthetic CRM dataset of 5,000 orders (seed 0)."""
    from crmreports.datasets import generate

    return generate(seed=0, size=5_000)


# --- snapshot tests (tests/snapshots/): compared, rewritten only on request ------------------


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-snapshots",
        action="store_true",
        default=False,
        help="rewrite the files under tests/snapshots/ instead of comparing with them",
    )


@pytest.fixture
def update_snapshots(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-snapshots"))
