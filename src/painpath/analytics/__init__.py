"""Pure numerics: features, forecasting, n-of-1 comparisons, cohort outcomes, and the
synthetic cohort generator. Nothing here imports Django."""
