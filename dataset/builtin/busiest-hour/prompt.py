def busiest_hour(times: list) -> int:
    """Given event times as "HH:MM" strings on a 24-hour clock, return the
    hour (0 to 23) in which the most events happened. If several hours tie,
    return the earliest of them. Return -1 when there are no events.

    >>> busiest_hour(["09:15", "10:00", "09:59"])
    9
    >>> busiest_hour([])
    -1
    """
