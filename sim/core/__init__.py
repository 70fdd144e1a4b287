"""The model core: everything one simulated month needs. It imports nothing else of the project
(an import contract in pyproject.toml, checked in CI).

`model.LaborExportModel` builds and schedules; each process of the month is a module named after
its mechanism: `population` and `households`, `institutions` and `rooms`, `decisions` (with the
compiled rounds in `compiled.choice`), `employment` and `placement`, `levers.*` (one module per
policy lever), `timeline` (the calendar, disruption and the Spring Festival), `metrics`,
`starting_state`. `params` and `validation` are the parameters and the values they may take;
`random_streams` the counter-based random numbers; `mesa_reference` the plain-Mesa reference model.
"""
