"""storyline.eval stage."""
