"""Benchmarks: run as modules (`python -m bench.backbone`); they are not tests."""
