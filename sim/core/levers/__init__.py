"""The policy levers P1..P13, one module each, named as its config group (`conf/policy/<name>/`,
`policy.<name>` in `sim.core.params`): what the lever does in a month, what it does to the end-2020
state it is built into, and what it costs (`cost(model)`, yuan this month).

`state` holds the year's effective settings (`LeverState`: plain floats, 0 where a lever is off,
so the monthly step never reads a config object) and the policy path after 2021; `handover` is
January 2021, when the run's levers replace those the start was built with. The utility terms a
lever changes are in `sim.core.decisions`; docs/MODEL.md §3.4 has the table: config class ->
module -> utility term -> cost line -> conf file.
"""

from __future__ import annotations
