"""The words for numbers, weekdays and months, shared by what reads the customer (facts: "two
weeks", "March 3rd") and what reads the agent's promises (engine/commitments: "within two days",
"by Friday", "3rd of March"), so the two never disagree on what counts as a number or a date."""

from __future__ import annotations

NUMBER_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
                "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
                "fifteen": 15, "twenty": 20, "twenty-four": 24, "thirty": 30, "forty": 40,
                "forty-five": 45, "forty-eight": 48}
# a number in words or digits (up to three), longest words first so "twenty-four" beats "twenty"
NUMBER = r"(?:\d{1,3}|" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True)) + ")"
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
# a month's name, whole or cut short ("Sept", "Dec"); its first three letters index MONTHS
MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
         r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)")


def number_value(token: str) -> int | None:
    """The value of a number written in digits or words; None for anything else."""
    return int(token) if token.isdigit() else NUMBER_WORDS.get(token.lower())
