"""Remote monitoring: wearable samples in at volume, daily rollups, the neuromodulation log."""
