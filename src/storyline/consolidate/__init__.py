"""storyline.consolidate stage."""
