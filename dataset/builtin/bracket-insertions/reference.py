def min_bracket_insertions(s: str) -> int:
    """Minimum insertions to balance a bracket string."""
    open_count = 0
    inserted = 0
    for ch in s:
        if ch == "(":
            open_count += 1
        elif open_count > 0:
            open_count -= 1
        else:
            inserted += 1  # a '(' is needed before this ')'
    return inserted + open_count
