"""storyline.clean stage: normalization, metadata lines, boilerplate removal, language."""

from storyline.clean.boilerplate import boilerplate_category, remove_boilerplate
from storyline.clean.language import DEFAULT_LANGUAGES, detect_language
from storyline.clean.metadata import Metadata, extract_metadata
from storyline.clean.normalize import normalize_text
from storyline.clean.pipeline import clean_article, clean_text

__all__ = [
    "DEFAULT_LANGUAGES",
    "Metadata",
    "boilerplate_category",
    "clean_article",
    "clean_text",
    "detect_language",
    "extract_metadata",
    "normalize_text",
    "remove_boilerplate",
]
