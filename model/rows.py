"""Tidy rows of a stage for a batch of runs: one set of key columns, every run's values.

The pension and care stages compute their tables for a batch of populations at once (the
probabilistic trials, on axes after the year axis); the deterministic run is the batch of
one, whose rows become the tidy table of the output contract (`frame`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Rows:
    """Key columns (year, scheme, metric …: one line per table row) and the values of each run,
    (rows, *batch); `attrs`: named per-run figures that are not rows, each (*batch)."""

    keys: pd.DataFrame
    values: np.ndarray
    attrs: dict = field(default_factory=dict)

    @classmethod
    def from_items(cls, columns: list[str], items: list[tuple[tuple, np.ndarray]], batch: tuple[int, ...],
                   attrs: dict | None = None) -> Rows:
        """Rows from (key, values) pairs in table order; each value broadcasts to `batch`."""
        keys = pd.DataFrame([key for key, _ in items], columns=columns)
        values = np.empty((len(items), *batch))
        for row, (_, value) in enumerate(items):
            values[row] = value   # broadcast to the batch by the assignment
        return cls(keys, values, attrs or {})

    @classmethod
    def of(cls, frame: pd.DataFrame) -> Rows:
        """The rows of a tidy table (its `value` column; its attrs kept): a batch of one."""
        return cls(frame.drop(columns="value").reset_index(drop=True), frame["value"].to_numpy(dtype=float),
                   dict(frame.attrs))

    @classmethod
    def concat(cls, parts: list[Rows]) -> Rows:
        """One or more parts one after the other."""
        return cls(pd.concat([part.keys for part in parts], ignore_index=True),
                   np.concatenate([part.values for part in parts]))

    def frame(self) -> pd.DataFrame:
        """The tidy table of a batch of one: the keys and a `value` column, attrs kept."""
        if self.values.ndim != 1:
            raise ValueError(f"a tidy table holds one run; these rows hold a batch of shape {self.values.shape[1:]}")
        table = self.keys.assign(value=self.values)
        table.attrs.update({name: float(value) for name, value in self.attrs.items()})
        return table

    def column(self, **match) -> tuple[np.ndarray, np.ndarray]:
        """The rows whose keys equal `match` (e.g. scheme="employee", metric="revenue"), in table
        order: their years (n,) and values (n, *batch)."""
        mask = np.ones(len(self.keys), dtype=bool)
        for name, value in match.items():
            mask &= (self.keys[name] == value).to_numpy()
        return self.keys["year"].to_numpy()[mask], self.values[mask]


def per_year(values: np.ndarray, ndim: int) -> np.ndarray:
    """Values by year (years,) shaped to broadcast against arrays (years, *batch) of `ndim` axes."""
    return np.reshape(values, (-1,) + (1,) * (ndim - 1))


def ratio(numerator, denominator) -> np.ndarray:
    """numerator / denominator elementwise, NaN (an empty cell) where the denominator is 0."""
    numerator, denominator = np.asarray(numerator, dtype=float), np.asarray(denominator, dtype=float)
    out = np.full(np.broadcast_shapes(numerator.shape, denominator.shape), np.nan)
    return np.divide(numerator, denominator, out=out, where=denominator != 0)
