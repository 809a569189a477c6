"""The crisis safety net: a deterministic layer that never rests on the classifier alone."""
