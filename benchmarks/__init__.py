"""Benchmark scripts, one per headline figure (run them as files: ``python benchmarks/<x>.py``)."""
