"""`python -m privacy.evaluate`: the privacy figures against their targets.

The same as `python -m evaluation.privacy` (where every evaluation lives); this name is the
one the privacy documentation and issue use, so both work.
"""
from evaluation.privacy import main

if __name__ == "__main__":
    raise SystemExit(main())
