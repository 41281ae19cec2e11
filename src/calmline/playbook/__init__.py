"""The de-escalation method as data: load_playbook() returns the validated Playbook."""

from calmline.playbook.loader import default_playbook, load_playbook
from calmline.playbook.schema import LEVELS, Playbook

__all__ = ["LEVELS", "Playbook", "default_playbook", "load_playbook"]
