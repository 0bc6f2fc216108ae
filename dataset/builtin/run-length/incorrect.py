def run_length(s: str) -> list:
    # Bug: strings shorter than two characters are treated as empty.
    if len(s) < 2:
        return []
    runs = []
    for ch in s:
        if runs and runs[-1][0] == ch:
            runs[-1][1] += 1
        else:
            runs.append([ch, 1])
    return runs
