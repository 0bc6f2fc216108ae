def window_averages(values: list, k: int) -> list:
    """Averages of all windows of k consecutive values."""
    if k > len(values):
        return []
    out = []
    window = sum(values[:k])
    out.append(window / k)
    for i in range(k, len(values)):
        window += values[i] - values[i - k]
        out.append(window / k)
    return out
