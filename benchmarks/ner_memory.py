"""Memory of the entity recognizers: resident set size after loading each language's model.

Loads the English spaCy model, then the recognizer of each other language (French, natasha for
Russian/Ukrainian/Bulgarian, LAC for Chinese) by running it once on a short text, and prints the
process's resident memory (VmRSS) after each step, and its peak (VmHWM).

    .venv/bin/python benchmarks/ner_memory.py
"""

from __future__ import annotations

import sys
from pathlib import Path

from storyline.enrich.entities import extract_mentions

SAMPLES = {
    "en": "Boeing delivered planes to Qantas in Sydney.",
    "fr": "Emmanuel Macron a rencontré Olaf Scholz à Berlin.",
    "ru": "Владимир Путин встретился с Ангелой Меркель в Москве.",
    "uk": "Володимир Зеленський прибув до Києва.",
    "bg": "Бойко Борисов посети Брюксел.",
    "es": "Pedro Sánchez viajó a Bruselas.",
    "zh": "张三在北京市工作。",
}


def status(field: str) -> float:
    """A memory figure of this process from /proc, in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def main() -> int:
    base = status("VmRSS")
    print(f"{'start':<6} RSS {base:7.0f} MiB")
    for lang, text in SAMPLES.items():
        found = extract_mentions(text, lang)
        print(f"{lang:<6} RSS {status('VmRSS'):7.0f} MiB  ({len(found)} mentions)")
    peak = status("VmHWM")
    print(f"all models loaded: RSS {status('VmRSS'):.0f} MiB, peak {peak:.0f} MiB (models: {status('VmRSS') - base:.0f} MiB)")
    return 0 if peak < 1536 else 1


if __name__ == "__main__":
    sys.exit(main())
