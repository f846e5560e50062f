"""Numbers with what they count: a value and its kind, currency and unit.

"40%" and "40 patients" are different facts, and so are "£4.5 million" and
"$4.5 million". Each number of a text is read into one or more *readings*
(value, kind, unit): "half" reads as 50 percent, "£1.5m" as 1,500,000 GBP,
"6.30pm" as the time 18:30, "2nd" as the ordinal 2. Two numbers agree when a
reading of one equals a reading of the other.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

# -- number words --------------------------------------------------------------

_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19,
}  # fmt: skip
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
_SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000, "trillion": 1_000_000_000_000}
_SUFFIXES = {"k": 1_000, "m": 1_000_000, "bn": 1_000_000_000, "b": 1_000_000_000}
_ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8, "ninth": 9,
    "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13, "fourteenth": 14, "fifteenth": 15, "sixteenth": 16,
    "seventeenth": 17, "eighteenth": 18, "nineteenth": 19, "twentieth": 20, "thirtieth": 30, "fortieth": 40,
    "fiftieth": 50, "hundredth": 100,
}  # fmt: skip
# Ordinal words that are everyday English far more often than facts ("at first",
# "a second chance"): read in the source, not asked of the draft.
_IDIOM_ORDINALS = frozenset({"first", "second"})
_FRACTIONS = {"half": 50.0, "a third": 100 / 3, "one third": 100 / 3, "a quarter": 25.0, "one quarter": 25.0, "two thirds": 200 / 3, "three quarters": 75.0}
_DOZEN = {"dozen": 12, "a dozen": 12}

_CURRENCY_SYMBOLS = {"£": "GBP", "$": "USD", "€": "EUR", "¥": "JPY", "₹": "INR", "US$": "USD", "A$": "AUD", "C$": "CAD", "NZ$": "NZD", "HK$": "HKD"}
_CURRENCY_CODES = {"GBP", "USD", "EUR", "JPY", "INR", "AUD", "CAD", "NZD", "CHF", "HKD", "SEK", "NOK", "DKK", "ZAR"}
_CURRENCY_WORDS = {"pound": "GBP", "pounds": "GBP", "sterling": "GBP", "dollar": "USD", "dollars": "USD", "euro": "EUR", "euros": "EUR", "yen": "JPY", "rupees": "INR"}

# Measures a number can be of: a changed unit is a changed fact.
_UNIT_WORDS = {
    "second": "second", "seconds": "second", "sec": "second", "secs": "second", "minute": "minute", "minutes": "minute",
    "min": "minute", "mins": "minute", "hour": "hour", "hours": "hour", "hr": "hour", "hrs": "hour", "day": "day",
    "days": "day", "week": "week", "weeks": "week", "month": "month", "months": "month", "year": "year", "years": "year",
    "yr": "year", "yrs": "year", "decade": "decade", "decades": "decade", "century": "century", "centuries": "century",
    "mm": "mm", "millimetre": "mm", "millimetres": "mm", "cm": "cm", "centimetre": "cm", "centimetres": "cm",
    "metre": "m", "metres": "m", "meter": "m", "meters": "m", "km": "km", "kilometre": "km", "kilometres": "km",
    "kilometer": "km", "kilometers": "km", "mile": "mile", "miles": "mile", "ft": "ft", "foot": "ft", "feet": "ft",
    "inch": "inch", "inches": "inch", "yard": "yard", "yards": "yard", "g": "g", "gram": "g", "grams": "g",
    "kg": "kg", "kilo": "kg", "kilos": "kg", "kilogram": "kg", "kilograms": "kg", "tonne": "tonne", "tonnes": "tonne",
    "ton": "ton", "tons": "ton", "lb": "lb", "lbs": "lb", "ounce": "oz", "ounces": "oz", "oz": "oz",
    "hectare": "hectare", "hectares": "hectare", "ha": "hectare", "acre": "acre", "acres": "acre", "litre": "litre",
    "litres": "litre", "liter": "litre", "liters": "litre", "ml": "ml", "millilitre": "ml", "millilitres": "ml",
    "gallon": "gallon", "gallons": "gallon", "mph": "mph", "kph": "km/h", "km/h": "km/h", "kw": "kW", "mw": "MW",
    "gw": "GW", "kwh": "kWh", "mwh": "MWh", "gwh": "GWh", "watts": "W", "calories": "kcal", "kcal": "kcal",
}  # fmt: skip
_TEMPERATURE = re.compile(r"\s?(?:°\s?([CF])\b|degrees?\s+(celsius|centigrade|fahrenheit|[CF]\b))", re.IGNORECASE)
_PERCENT = re.compile(r"\s?(?:%|per\s?cent\b|percent\b|percentage points?\b)", re.IGNORECASE)
_UNIT_AFTER = re.compile(r"(?:\s|-)?(?:(?:more|extra|further|additional|full|whole|long|straight|consecutive)\s+)?([A-Za-z/]+)")
_RANGE_JOIN = re.compile(r"\s*(?:–|—|-|to|and|or)\s*")

_U = "|".join(sorted(_UNITS, key=len, reverse=True))
_U9 = "one|two|three|four|five|six|seven|eight|nine"
_T = "|".join(_TENS)
_SMALL = rf"(?:(?:{_T})(?:[-\s](?:{_U9}))?|{_U})"
_WORDS = rf"{_SMALL}(?:\s+hundred(?:\s+(?:and\s+)?{_SMALL})?)?(?:\s+(?:thousand|million|billion|trillion))?"
_ORD = "|".join(sorted(_ORDINALS, key=len, reverse=True))
_FRAC = "|".join(sorted((*_FRACTIONS, *_DOZEN), key=len, reverse=True)).replace(" ", r"[\s-]+")

_TIME = re.compile(r"(?<![\w.,:])(?P<h>\d{1,2})(?:[:.](?P<mi>[0-5]\d))?\s?(?P<ap>[ap])\.?\s?m\b\.?|(?<![\w.,:])(?P<h24>[01]?\d|2[0-3]):(?P<m24>[0-5]\d)(?![\d:])", re.IGNORECASE)
_NUMBER = re.compile(
    r"(?P<cur>US\$|A\$|C\$|NZ\$|HK\$|[£$€¥₹])?\s?(?P<code>(?:GBP|USD|EUR|JPY|INR|AUD|CAD|NZD|CHF)\s?)?"
    r"(?<![\w.,])(?<![A-Za-z]-)(?P<d>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?![\d])"
    r"(?:(?P<ord>st|nd|rd|th)\b)?"
    r"(?:(?P<suf>k|m|bn|b)\b)?"
    r"(?:\s+(?P<ds>hundred|thousand|million|billion|trillion)\b)?"
    rf"|\b(?P<f>{_FRAC})\b"
    rf"|\b(?P<o>{_ORD})\b"
    rf"|\b(?P<w>{_WORDS})\b",
    re.IGNORECASE,
)
_CANDIDATE = re.compile(r"\d+|[A-Za-z]+")
_NUMBER_WORDS = frozenset(_UNITS) | frozenset(_TENS) | frozenset(_ORDINALS) | {"half", "a", "one", "two", "three", "dozen"}


@dataclass(frozen=True)
class Reading:
    """One meaning a written number can have."""

    value: float
    kind: str  # "count", "percent", "money", "measure", "time", "ordinal"
    unit: str = ""  # the currency code for money, the unit for a measure

    def describe(self) -> str:
        """The reading in an editor's words ("a percentage", "an amount in GBP")."""
        return {
            "percent": "a percentage",
            "money": f"an amount in {self.unit}",
            "measure": f"a measure in {self.unit}",
            "time": "a time of day",
            "ordinal": "an ordinal (2nd, third)",
        }.get(self.kind, "a count")


@dataclass(frozen=True)
class Number:
    """A number as written: its span, its text, and the readings it may stand for."""

    start: int
    end: int
    text: str
    readings: tuple[Reading, ...]
    bare_one: bool = False  # the word "one" on its own ("no one", "one of"): not a count
    idiom: bool = False  # an everyday ordinal word ("first", "second") or a lone fraction word
    ratio_part: bool = False  # the "five" of "one in five": checked as part of the ratio

    @property
    def value(self) -> float:
        """The first reading's value."""
        return self.readings[0].value


def _key(value: float) -> float:
    return round(value, 6)


def _words_value(text: str) -> int:
    total = current = 0
    for word in re.split(r"[-\s]+", text.lower()):
        if word in _UNITS:
            current += _UNITS[word]
        elif word in _TENS:
            current += _TENS[word]
        elif word == "hundred":
            current *= 100
        elif word in _SCALES:
            total += current * _SCALES[word]
            current = 0
    return total + current


def _matches(text: str) -> Iterator[tuple[str, re.Match[str]]]:
    """("time" | "number", match) for each number, tried only where a digit or a number word starts."""
    done = 0
    for candidate in _CANDIDATE.finditer(text):
        start = candidate.start()
        if start < done:
            continue
        word = candidate.group()
        if word[0].isdigit():
            time = _TIME.match(text, start)
            if time:
                done = time.end()
                yield "time", time
                continue
            back = start
            while back and text[back - 1] in " £$€¥₹":
                back -= 1
                if text[back] != " ":
                    break
            for where in (m for m in (start - 4, start - 3, back) if 0 <= m < start):
                match = _NUMBER.match(text, where)
                if match and match.group("d") and match.start("d") == start and (match.group("cur") or match.group("code")):
                    start = where
                    break
        elif word.lower() not in _NUMBER_WORDS or word.isupper() and len(word) > 1:
            continue
        match = _NUMBER.match(text, start)
        if match and match.group().strip():
            done = match.end()
            yield "number", match


def _after(text: str, end: int) -> tuple[str, str, int]:
    """What follows a number: ("percent" | "temperature" | "unit" | "currency" | "", unit, end)."""
    m = _PERCENT.match(text, end)
    if m:
        return "percent", "", m.end()
    m = _TEMPERATURE.match(text, end)
    if m:
        letter = (m.group(1) or m.group(2) or "")[:1].upper()
        return "measure", "°F" if letter == "F" else "°C", m.end()
    m = _UNIT_AFTER.match(text, end)
    if m and m.group(1).lower() not in _UNIT_WORDS and m.group(1).islower():
        # "4,200 volunteer hours": one describing word between a number and its unit
        second = re.compile(r"\s+([A-Za-z]+)").match(text, m.end())
        if second and second.group(1).lower() in _UNIT_WORDS and len(second.group(1)) > 2:
            m = second
    if m:
        word = m.group(1)
        if word.upper() in _CURRENCY_CODES:
            return "currency", word.upper(), m.end()
        lower = word.lower()
        if lower in _CURRENCY_WORDS:
            return "currency", _CURRENCY_WORDS[lower], m.end()
        if lower in _UNIT_WORDS and (len(lower) > 2 or word == lower):
            if _UNIT_WORDS[lower] == "year" and re.match(r"[\s-]old\b", text[m.end() : m.end() + 4]):
                return "", "", m.end() + 4  # "a 61-year-old": an age, the same as "Tom, 61"
            return "measure", _UNIT_WORDS[lower], m.end()
    return "", "", end


def _readings(kind: str, value: float, unit: str) -> tuple[Reading, ...]:
    return (Reading(_key(value), kind, unit),)


def numbers(text: str) -> list[Number]:
    """Every number in a text, in digits or in words, with what it counts."""
    found: list[Number] = []
    for what, m in _matches(text):
        if what == "time":
            hour = int(m.group("h") or m.group("h24"))
            minute = int(m.group("mi") or m.group("m24") or 0)
            if m.group("ap"):
                hour = hour % 12 + (12 if m.group("ap").lower() == "p" else 0)
            found.append(Number(m.start(), m.end(), m.group(), (Reading(hour + minute / 60, "time"),)))
            continue
        if m.group("f"):
            phrase = " ".join(m.group("f").lower().replace("-", " ").split())
            if phrase in _DOZEN:
                found.append(Number(m.start(), m.end(), m.group(), (Reading(12, "count"),)))
            else:
                share = _FRACTIONS[phrase]
                # "half" is 50% of something, or half of one thing ("half an hour").
                found.append(Number(m.start(), m.end(), m.group(), (Reading(_key(share), "percent"), Reading(_key(share / 100), "count")), idiom=True))
            continue
        if m.group("o"):
            word = m.group("o").lower()
            found.append(Number(m.start(), m.end(), m.group(), (Reading(_ORDINALS[word], "ordinal"),), idiom=word in _IDIOM_ORDINALS))
            continue
        if m.group("w"):
            words = m.group("w")
            value = _words_value(words)
            if words.lower() == "a":
                continue
            bare = words.lower() == "one" and text[m.end() : m.end() + 1] != "-"
            kind, unit, end = _after(text, m.end())
            found.append(_number(m.start(), end, text, kind, unit, value, value, "", bare))
            continue
        plain = float(m.group("d").replace(",", ""))
        if m.group("ord"):
            found.append(Number(m.start("d"), m.end(), m.group()[m.start("d") - m.start() :], (Reading(plain, "ordinal"),)))
            continue
        currency = _CURRENCY_SYMBOLS.get(m.group("cur") or "", "") or (m.group("code") or "").strip().upper()
        value = plain
        suffix = (m.group("suf") or "").lower()
        metres = False
        if suffix:
            if suffix == "m" and not currency:
                metres = True  # "5m" without a currency: five million, or five metres
            value = plain * _SUFFIXES[suffix]
        if m.group("ds"):
            value = plain * _SCALES[m.group("ds").lower()]
        kind, unit, end = _after(text, m.end())
        start = m.start("d") if not currency else m.start()
        if text[start] == " ":
            start += 1
        number = _number(start, end, text, kind, unit, value, plain, currency, False)
        if metres:
            number = Number(number.start, number.end, number.text, (*number.readings, Reading(_key(plain), "measure", "m")))
        found.append(number)
    return _ratios(text, _carry_ranges(text, found))


_RATIO_JOIN = re.compile(r"\s+(?:in|out\s+of)\s+(?:every\s+)?")


def _ratios(text: str, found: list[Number]) -> list[Number]:
    """"One in five" is also 20%: the first number gets the share as a reading, the second is part of it."""
    result = list(found)
    for i in range(len(result) - 1):
        first, second = result[i], result[i + 1]
        a, b = first.readings[0], second.readings[0]
        if a.kind == b.kind == "count" and b.value and a.value < b.value and _RATIO_JOIN.fullmatch(text[first.end : second.start]):
            share = Reading(_key(100 * a.value / b.value), "percent")
            result[i] = Number(first.start, second.end, text[first.start : second.end], (share,))
            result[i + 1] = Number(second.start, second.end, second.text, second.readings, ratio_part=True)
    return result


def _number(start: int, end: int, text: str, kind: str, unit: str, value: float, plain: float, currency: str, bare: bool) -> Number:
    if kind == "currency":
        currency, kind = unit, ""
    if currency:
        return Number(start, end, text[start:end], _readings("money", value, currency), bare)
    if kind == "percent":
        return Number(start, end, text[start:end], _readings("percent", value, ""), bare)
    if kind == "measure":
        return Number(start, end, text[start:end], _readings("measure", value, unit), bare)
    return Number(start, end, text[start:end], _readings("count", value, ""), bare)


def _carry_ranges(text: str, found: list[Number]) -> list[Number]:
    """In "10 to 12 weeks" or "£3–4m" the first number counts what the second does."""
    result = list(found)
    for i in range(len(result) - 2, -1, -1):
        first, second = result[i], result[i + 1]
        if not _RANGE_JOIN.fullmatch(text[first.end : second.start]):
            continue
        head, tail = first.readings[0], second.readings[0]
        if head.kind == "money" and tail.kind == "count" and not second.idiom:
            # "£3–4m": the second amount is in the first one's currency, and its scale is the first one's
            plain = _plain(second.text)
            scale = tail.value / plain if plain else 1
            result[i + 1] = Number(second.start, second.end, second.text, (Reading(tail.value, "money", head.unit),))
            result[i] = Number(first.start, first.end, first.text, (Reading(_key(head.value * scale), "money", head.unit), *first.readings))
            continue
        if head.kind != "count":
            continue
        if first.idiom or second.idiom:
            continue
        target = second.readings[0]
        if target.kind in ("count", "ordinal", "time"):
            continue
        value = head.value
        plain = _plain(second.text)
        if target.kind == "money" and plain and target.value > plain and value < target.value / plain * 10:
            value = value * target.value / plain  # "between £3 and £4 million"
        result[i] = Number(first.start, first.end, first.text, (Reading(_key(value), target.kind, target.unit), *first.readings))
    return result


def _plain(text: str) -> float:
    digits = re.search(r"\d[\d,]*(?:\.\d+)?", text)
    return float(digits.group().replace(",", "")) if digits else 0.0


def agree(mine: Number, theirs: Number) -> bool:
    """True when a reading of ``mine`` (the draft's) is a reading of ``theirs`` (the source's)."""
    for a in mine.readings:
        for b in theirs.readings:
            if a.kind == b.kind and a.unit == b.unit and abs(a.value - b.value) <= (0.5 if a.kind == "percent" and a.value != int(a.value) or b.kind == "percent" and b.value != int(b.value) else 1e-6):
                return True
            if a.kind == "count" and not a.unit and b.kind in ("money", "measure") and a.value == b.value:
                return True  # an amount given without its currency or unit is the same amount
    return False
