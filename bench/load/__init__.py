"""The load test of issue 10 (item 5): see ``bench/load/run.py``."""
