"""kneebot's benchmarks: `python -m bench` (or `./dev bench`) prints one table and writes it,
with the machine, the date and the versions, to docs/benchmarks.md.

Every comparison runs its variants in the same process and the same run, interleaved round by
round, and reports medians over rounds: the figures are meant to hold on a shared, noisy
machine, so they are ratios first and absolute times second. All traffic stays on loopback and
every loop is bounded.
"""
