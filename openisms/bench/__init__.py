"""The benchmark: a deterministic data generator (``openisms bench-data``) and ``make bench``.

See docs/performance.md for what is measured and the budgets of DESIGN.md section 4.
"""
