"""Training wrapper: runs `rasa train` only when something the model depends on changed."""
