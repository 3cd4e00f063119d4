"""Benchmarks: each measures Yakist against a baseline in the same run and prints the ratio."""
