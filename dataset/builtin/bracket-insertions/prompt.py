def min_bracket_insertions(s: str) -> int:
    """s consists only of '(' and ')'. Return the minimum number of
    brackets that must be inserted (anywhere in s) to make it a balanced
    bracket sequence.

    >>> min_bracket_insertions("())")
    1
    >>> min_bracket_insertions(")(")
    2
    """
