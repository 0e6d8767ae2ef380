"""Runs inside the pypgx benchmark venv: phenotype look-ups, timed here (JSON on stdout).

A diplotype pypgx cannot interpret (e.g. a CPIC name it does not know) is answered with
"error: ..." instead of stopping the whole comparison.
"""

import json
import sys
import time

import pypgx


def _answer(gene, a, b):
    try:
        return pypgx.predict_phenotype(gene, a, b)
    except Exception as exc:  # any pypgx failure is reported, not fatal
        return f"error: {type(exc).__name__}: {exc}"[:200]


rows = json.load(sys.stdin)
sample = rows["timed"]
started = time.perf_counter()
for gene, a, b in sample:
    _answer(gene, a, b)
elapsed = time.perf_counter() - started
answers = {f"{g}|{a}|{b}": _answer(g, a, b) for g, a, b in rows["unique"]}
print(json.dumps({"elapsed": elapsed, "n": len(sample), "answers": answers}))
