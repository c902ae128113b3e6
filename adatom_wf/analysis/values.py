"""Numbers from the text of command-line options, with one-line errors that name the option and its unit.

The analysis verbs take their numbers as text and convert them here, so that a bad value is an
:class:`AnalysisError` (one line, exit 2) rather than a multi-line usage message.
"""

import math

from adatom_wf.errors import AnalysisError


def number(option: str, text: str, unit: str) -> float:
    """A finite float from ``text``."""
    try:
        value = float(text)
    except (TypeError, ValueError):
        raise AnalysisError(f"{option}: {text!r} is not a number (expected a value in {unit})") from None
    if not math.isfinite(value):
        raise AnalysisError(f"{option}: {text!r} is not a finite number (expected a value in {unit})")
    return value


def numbers(option: str, text: str, unit: str, count: tuple = ()) -> list[float]:
    """Comma-separated finite floats; ``count`` lists the allowed lengths (any if empty)."""
    values = [number(option, part.strip(), unit) for part in str(text).split(",")]
    if count and len(values) not in count:
        allowed = " or ".join(str(c) for c in count)
        raise AnalysisError(
            f"{option}: expected {allowed} comma-separated numbers in {unit}, got {len(values)} in {text!r}"
        )
    return values


def half_integer(option: str, text: str) -> float:
    """A positive multiple of 1/2 written as '7/2', '3.5' or '3'."""
    numerator, _, denominator = str(text).partition("/")
    value = number(option, numerator, "(a multiple of 1/2)") / (number(option, denominator, "(a multiple of 1/2)")
                                                                 if denominator else 1.0)
    if value <= 0 or (2 * value) % 1:
        raise AnalysisError(f"{option}: {text!r} is not a positive multiple of 1/2 (e.g. 1/2, 3, 7/2)")
    return value


def grid(option: str, text: str, unit: str) -> list[float]:
    """Either a list 'a,b,c' or an evenly spaced range 'start:stop:points' (points >= 2)."""
    if ":" not in text:
        return numbers(option, text, unit)
    parts = text.split(":")
    if len(parts) != 3:
        raise AnalysisError(f"{option}: a range is 'start:stop:points' (e.g. 2:300:50), got {text!r}")
    start, stop = number(option, parts[0], unit), number(option, parts[1], unit)
    points = number(option, parts[2], "points")
    if points != int(points) or points < 2:
        raise AnalysisError(f"{option}: the number of points in {text!r} must be a whole number >= 2")
    step = (stop - start) / (int(points) - 1)
    return [start + i * step for i in range(int(points))]


def cf_parameters(terms) -> dict:
    """{(k, q): B_k^q} from repeated 'k,q=value' texts (value in cm⁻¹); a repeated (k, q) is an error."""
    parameters: dict = {}
    for term in terms:
        index, separator, value = term.partition("=")
        parts = index.split(",")
        if not separator or len(parts) != 2:
            raise AnalysisError(f"--cf: {term!r} is not 'k,q=value' (e.g. --cf 2,0=-5.375455, value in cm^-1)")
        try:
            k, q = (int(part) for part in parts)
        except ValueError:
            raise AnalysisError(f"--cf: the indices of {term!r} must be integers k,q (e.g. 6,6)") from None
        if (k, q) in parameters:
            raise AnalysisError(f"--cf: B_{k}^{q} is given twice")
        parameters[(k, q)] = number(f"--cf {k},{q}", value, "cm^-1")
    return parameters


def log_grid(option: str, text: str, unit: str) -> list[float]:
    """Either a list 'a,b,c' or a logarithmically spaced range 'start:stop:points' (0 < start < stop, points >= 2)."""
    if ":" not in text:
        return numbers(option, text, unit)
    ends = grid(option, text, unit)
    start, stop = ends[0], ends[-1]
    if not 0 < start < stop:
        raise AnalysisError(f"{option}: a logarithmic range 'start:stop:points' needs 0 < start < stop, got {text!r}")
    ratio = (stop / start) ** (1 / (len(ends) - 1))
    return [start * ratio**i for i in range(len(ends))]
