"""The import's vocabulary (vocabulary.yaml beside this file): every field's labels, the row kinds'
words and the comparison signs, read once; labels.py and cells.py both read it."""

from __future__ import annotations

from pathlib import Path

import yaml

VOCABULARY_FILE = Path(__file__).with_name("vocabulary.yaml")


def load_vocabulary(path: Path = VOCABULARY_FILE) -> dict:
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


VOCABULARY = load_vocabulary()
