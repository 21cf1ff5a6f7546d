"""What the report checkers beside this file share: which shown column holds which number of a
JSON report's cell, and the footnote marker of each reason a number is not shown.

Imported by browser_check.py and xlsx_check.py (Python puts a script's own folder first on the
import path, so they find it wherever they are run from).
"""

# The footnote marker of each reason (core/src/stats/wide.rs, `marker`).
MARKERS = {"small": "a", "near_base": "b", "secondary": "c", "derived": "d", "quantile": "e"}


def expected_numbers(category, cell, fields):
    """(column code, JSON value, scale) for each number a table shows of one cell: the shown
    number must be the value times the scale (None: a whole count), or protected where the value
    is None. `category` is the cell's category code, `fields` the shown row by column code (a
    row with one base column has it as `base`, else each category has its own)."""
    c = category
    interval = cell["interval"] or [None, None]
    if c == "odds_ratio":
        # An odds ratio is a ratio, not a percentage, and has no count; the reference level
        # (ratio 1) has an empty interval.
        return (
            (f"{c}.value", cell["share"], 1),
            (f"{c}.ci_low", interval[0], 1),
            (f"{c}.ci_high", interval[1], 1),
        )
    base_key = "base" if "base" in fields else f"{c}.base"
    return (
        (f"{c}.count", cell.get("weeks", cell["count"]), None),
        (base_key, cell["base"], None),
        (f"{c}.percent", cell["share"], 100),
        (f"{c}.ci_low", interval[0], 100),
        (f"{c}.ci_high", interval[1], 100),
    )
