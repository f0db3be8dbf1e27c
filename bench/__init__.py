"""`make bench`: the portal at 20,000 applicants, each page next to a bare Django view.

See `bench.run` for what is measured and the targets; the results are printed as one table
and written to `bench/results.json`.
"""
