def run_length(s: str) -> list:
    """Compress s into runs of equal consecutive characters."""
    runs = []
    for ch in s:
        if runs and runs[-1][0] == ch:
            runs[-1][1] += 1
        else:
            runs.append([ch, 1])
    return runs
