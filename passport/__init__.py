"""passport: school-district roster integrations as code."""

__version__ = "0.1.0"
