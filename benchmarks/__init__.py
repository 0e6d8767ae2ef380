"""Reproducible performance runs. Each prints its figures as ratios against a baseline
measured in the same run, because absolute times on a shared 2-core machine are noise."""
