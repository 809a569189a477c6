"""Norwegian language model handling for the Rasa NLU pipeline."""
