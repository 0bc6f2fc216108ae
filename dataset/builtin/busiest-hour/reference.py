def busiest_hour(times: list) -> int:
    """Return the hour with the most events (earliest on ties), or -1."""
    counts = [0] * 24
    for t in times:
        counts[int(t.split(":")[0])] += 1
    if not times:
        return -1
    best = 0
    for hour in range(24):
        if counts[hour] > counts[best]:
            best = hour
    return best
