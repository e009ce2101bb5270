"""The base every spec model shares: frozen, unknown keys rejected, serialisable as plain data."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

# Names become result columns and are referenced from sort keys, visuals and (later) formulas,
# so they are restricted to identifiers that survive every backend and a YAML round trip.
Name = Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", max_length=128)]
# Fields name the caller's own columns, which may contain spaces or punctuation.
FieldName = Annotated[str, StringConstraints(min_length=1)]


class SpecModel(BaseModel):
    """Frozen, strict-keyed Pydantic model: a typo in YAML is an error, never silently ignored."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        populate_by_name=True,
        use_enum_values=False,
        validate_default=True,
    )
