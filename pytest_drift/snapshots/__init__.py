"""Baselines kept as reviewed artifacts: exact snapshots of a dataset's distributions.

A snapshot keeps, per feature, what every test needs and nothing else: a numeric feature's
sorted distinct finite values with their counts, a categorical feature's category counts,
and the missing and ±inf counts. Read back, it is the same multiset of values per column, so
every statistic computed from it equals the one computed from the raw data.
"""
