"""Activation files: YAML with line marks, the JSON Schema, semantic checks -> Activation.

load_activation(path) -> Activation          raises ConfigError with every problem
validate_paths(paths) -> Report              files, folders or names, checked together
find_activations(names_or_paths) -> [Path]   `canvas`, configs/canvas.yaml or configs/
"""

from __future__ import annotations

from passport.config.discover import find_activations
from passport.config.schema import activation_schema
from passport.config.validate import FileResult, Report, check_file, load_activation, validate_paths

__all__ = [
    "FileResult",
    "Report",
    "activation_schema",
    "check_file",
    "find_activations",
    "load_activation",
    "validate_paths",
]
