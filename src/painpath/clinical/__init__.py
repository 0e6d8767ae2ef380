"""Pure clinical knowledge: instruments, opioids, pharmacogenomics, safety rules.

Nothing here imports Django; functions take and return plain data. Facts live in
data files beside the code that name their source and version.
"""
