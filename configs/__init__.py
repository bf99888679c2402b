"""The shipped configs (Hydra's config module ``configs``): presets, scenarios and experiments."""

from pathlib import Path

#: Their folder, as the code that reads a preset file by its path names it.
CONFIGS = Path(__file__).resolve().parent
