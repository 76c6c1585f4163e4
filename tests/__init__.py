"""kneebot's test suite (a package, so `tests` is ours even where a dependency ships a
top-level `tests` package of its own, as medspacy_quickumls does)."""
