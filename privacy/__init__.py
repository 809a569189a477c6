"""Privacy for the conversation logs: masking of personal data before storage, and retention."""
