"""The command-line programs: `sim` (`run`, with `input_checks` and the one `hydra_adapter`),
`sim-calibrate`, `sim-collect`, `sim-plot`, `sim-study`, `sim-bench` and `sim-dashboard`, and the
Hydra callback that gathers a sweep.
"""
