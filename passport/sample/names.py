"""Invented names for the sample district. Given names are common first names; family
names are made up from syllables, so no generated person is a real one."""

from __future__ import annotations

from typing import Final

GIVEN: Final = (
    "Ada", "Amir", "Ana", "Ben", "Bea", "Caleb", "Chloe", "Dara", "Diego", "Elena", "Eli",
    "Esme", "Farah", "Felix", "Gia", "Gus", "Hana", "Hugo", "Ines", "Ivan", "Jada", "Jonah",
    "Kai", "Kira", "Leo", "Lena", "Luca", "Maya", "Milo", "Nadia", "Nico", "Nora", "Omar",
    "Opal", "Pablo", "Pia", "Quinn", "Rafi", "Rosa", "Sami", "Sara", "Tariq", "Tess", "Uma",
    "Vera", "Wren", "Xavi", "Yara", "Yusuf", "Zoe",
)  # fmt: skip

FAMILY_START: Final = (
    "Amber", "Bram", "Cinder", "Dove", "Elm", "Fern", "Glen", "Hollow", "Ivy", "Juni",
    "Kestrel", "Lark", "Marsh", "Nettle", "Oak", "Pebble", "Quill", "Rook", "Sorrel", "Thorn",
)  # fmt: skip

FAMILY_END: Final = (
    "brook", "by", "cott", "dale", "field", "ford", "gate", "holm", "ley", "mere",
    "ridge", "stead", "ton", "vale", "wick", "wood",
)  # fmt: skip

CITIES: Final = ("Northvale", "Riverton", "Lakeside", "Fairmont", "Cedar Falls")
