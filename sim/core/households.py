"""Households each month: income (wages of its members and non-wage income), whether nobody is
in work (zero-employment households, P12) and whether income per person over a year at this
month's rate is below the monitoring line (P2)."""

from __future__ import annotations

from .compiled.scans import household_month


def update_households(model) -> None:
    """Income of the month, households with nobody in work, and those below the line."""
    hh = model.households
    wages = model.ledger.household_wages
    # in numpy: zero = (working == 0) & (labour > 0); income = wages + nonwage / 12 (float32 division);
    # income_year += income; below = (12 * wages + nonwage) / persons < line
    model.zero_employment, model.below_line, model.n_zero_employment, model.n_below_line = \
        household_month(model.ledger.household_working, model.ledger.household_labour, wages,
                        hh.nonwage_income, hh.persons,
                        hh.income_year, float(model.p.policy.monitoring.monitoring_line),
                        model.month_income)
