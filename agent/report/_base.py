"""Shared pieces of the report models."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Model(BaseModel):
    """Base of every report model: unknown fields are refused, so a typo is a 422, not silent loss."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, validate_assignment=False)


__all__ = ["Model"]
