"""The experiment machinery: configs composed (`compose`), runs (`runner`) and their files
(`run_files`), sweeps gathered (`sweep_results`), paired effects and costs (`paired_effects`),
the fit to the article (`targets`, `patterns`), calibration, sensitivity, the shipped studies
(`studies`) and their figures (`plots`). It uses the model core, never the commands.
"""
