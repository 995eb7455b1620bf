"""storyline.enrich stage."""
