"""storyline.read stage."""
