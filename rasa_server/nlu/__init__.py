"""NLU components named in config.yml: spaCy with the Norwegian fallback, the sentence-level
count vectors and logistic regression, and the crisis safety net."""
