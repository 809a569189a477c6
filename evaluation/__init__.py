"""Quality and speed reports (issue: measure against stock Rasa)."""
