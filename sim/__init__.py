"""sim: where Shaanxi's poverty-alleviated rural workers work, an agent-based model.

Three parts, each importing only the ones below it:

- `sim.core`: the model, everything one simulated month needs (population, institutions,
  decisions, employment, the levers, the calendar and its shocks, metrics, the start state);
- `sim.experiments`: runs and their files, sweeps gathered, the fit to the article, calibration,
  sensitivity, the shipped studies and their figures;
- `sim.commands`: the command-line programs (`sim`, `sim-calibrate`, `sim-plot`, ...), their input
  checks, the dashboard and the benchmark.
"""
