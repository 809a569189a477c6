"""Custom actions of Forløpsassistenten (run with `python -m actions`).

Pure logic lives in age, opening_hours, directory and replies; contact_actions is the Rasa glue.
Nothing is loaded at import time.
"""
