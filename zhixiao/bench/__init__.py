"""Benchmark scenarios (one module each); shared helpers in ``_util``."""
