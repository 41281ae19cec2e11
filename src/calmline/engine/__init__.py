"""Everything above single signals: the analyzer, trends, escalation (and, later, the coach)."""
