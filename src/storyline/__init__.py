"""storyline: news articles in, cross-checked and cited stories out."""

__version__ = "0.1.0"
