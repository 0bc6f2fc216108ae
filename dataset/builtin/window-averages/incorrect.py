def window_averages(values: list, k: int) -> list:
    # Bug: integer division.
    if k > len(values):
        return []
    return [sum(values[i:i + k]) // k for i in range(len(values) - k + 1)]
