"""One look across every figure and the dashboard: a colour per status and per lever, and the
labels of the metrics (English, with the article's term where it has one)."""

from __future__ import annotations

from ..core.params import LEVERS
from ..core.population import STATUS_LABELS

STATUS_COLOURS = {
    "out_of_province": "#1f77b4", "in_province": "#17becf", "local_job": "#2ca02c",
    "workshop": "#bcbd22", "public_welfare": "#ff7f0e", "training": "#9467bd",
    "not_working": "#7f7f7f", "outside_labour_force": "#c7c7c7",
}
# ten levers, ten colours that differ (matplotlib's tab10), in the order of the levers
LEVER_COLOURS = dict(zip(LEVERS, ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                  "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf")))

# metric -> (English label, the article's term or None)
LABELS = {
    **STATUS_LABELS,
    "in_work": ("In work", "就業"), "in_county": ("In the home county", "縣內"),
    "migrant": ("Migrant work (away)", "外出務工"),
    "households_below_line": ("Households below the monitoring line", "監測線以下"),
    "zero_employment_households": ("Zero-employment households", "零就業家庭"),
    "in_work_weak": ("Weak labour in work", "弱勞力"),
    "in_work_over_age": ("Over-age labour in work", "超齡勞力"),
    "household_income_mean": ("Household income per month (yuan)", None),
    "earnings_mean": ("Mean earnings per worker per month (yuan)", None),
    "cost_total": ("Fiscal cost, all levers (yuan)", None),
    "migrant_months": ("Migrant work over the year", "外出務工"),
    "household_income": ("Household income over the year (yuan)", None),
}
