"""Benchmarks: `make bench` prints figures, never asserts timings."""
