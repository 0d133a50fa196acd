"""Engines reduce each feature to the sufficient statistics that ``stats`` needs.

``memory`` is the in-process engine (numpy kernels over columns already in memory).
"""
