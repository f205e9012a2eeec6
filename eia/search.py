"""The one way a search box matches text: every word typed must appear, in any of the columns, and a
word matches its plural and singular alike ("library" finds "libraries"). "%" and "_" match themselves."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, or_
from sqlalchemy.sql.elements import ColumnElement


def stem(word: str) -> str:
    """*word* without the endings that make a plural (or a singular in -y), lower case: "libraries" and
    "library" both give "librar", "buses" and "bus" give "bus", "charges" gives "charge"."""
    word = word.lower()
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3]
    if len(word) > 3 and word.endswith("y"):
        return word[:-1]
    if len(word) > 4 and word.endswith(("ses", "xes", "zes", "ches", "shes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def words_match(text: str, *columns: Any) -> ColumnElement[bool]:
    """A condition that holds where every word of *text* is in one of *columns*."""
    return and_(*(or_(*(column.icontains(stem(word), autoescape=True) for column in columns)) for word in text.split()))
