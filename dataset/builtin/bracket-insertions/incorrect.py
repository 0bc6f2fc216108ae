def min_bracket_insertions(s: str) -> int:
    # Bug: only compares the counts and ignores the order.
    return abs(s.count("(") - s.count(")"))
