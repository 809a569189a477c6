"""The conversation store: Rasa's SQL tracker store configured from settings, plus helpers."""
