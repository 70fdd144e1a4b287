"""Months of a run: index 0 is the state at the end of 2020, index 1 is 2021-01."""

from __future__ import annotations


def month_label(start_year: int, index: int) -> str:
    """`YYYY-MM` of month `index` (0 = December of the year before `start_year`)."""
    months = start_year * 12 + index - 1
    return f"{months // 12:04d}-{months % 12 + 1:02d}"


def month_index(start_year: int, label: str) -> int:
    year, month = (int(x) for x in label.split("-"))
    return (year - start_year) * 12 + month


def labels(start: str, end: str) -> list[str]:
    """Labels from the initial state (month before `start`) through `end`."""
    y0 = int(start[:4])
    return [month_label(y0, i) for i in range(month_index(y0, end) + 1)]
