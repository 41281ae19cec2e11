"""Importing this module registers calmline's built-in detectors (done by `registry()`)."""

from calmline.signals import abuse, anger, causes, facts, flags, semantic, venting, wants

__all__ = ["abuse", "anger", "causes", "facts", "flags", "semantic", "venting", "wants"]
