"""The independent verifier: checks a whole election from the published board alone."""
