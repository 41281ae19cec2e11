"""Detectors: one module per signal, all behind the seam in `base.py`."""
