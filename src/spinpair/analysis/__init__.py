"""Analysis of count data: data model, intervals, chi-square and likelihood fits, fidelity,
fringe fits (PHYSICS.md §5, §6)."""
