"""How a record is named from outside, in a URL, a query parameter, an API body or a spreadsheet cell."""

# The largest value a BigAutoField holds; a larger id names no record and must not reach the database.
MAX_ID = 2**63 - 1


def parse_id(value):
    """A record id from text or a whole number; ValueError for anything else.

    Stricter than int(): "1.5", "1e3", " 7", True and "١" (an Arabic-Indic digit) are not ids.
    """
    if isinstance(value, bool):
        raise ValueError(f"“{value}” is not an id.")
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a number cell in a spreadsheet
    text = str(value)
    # Length before int(): Python refuses to parse an integer of more than 4,300 digits.
    if not (text.isascii() and text.isdigit()) or len(text.lstrip("0")) > 19 or int(text) > MAX_ID:
        raise ValueError(f"“{text}” is not an id.")
    return int(text)
