"""Runs inside the pypgx benchmark venv: phenotype look-ups, timed here (JSON on stdout)."""

import json
import sys
import time

import pypgx

rows = json.load(sys.stdin)
sample = rows["timed"]
started = time.perf_counter()
for gene, a, b in sample:
    pypgx.predict_phenotype(gene, a, b)
elapsed = time.perf_counter() - started
answers = {f"{g}|{a}|{b}": pypgx.predict_phenotype(g, a, b) for g, a, b in rows["unique"]}
print(json.dumps({"elapsed": elapsed, "n": len(sample), "answers": answers}))
