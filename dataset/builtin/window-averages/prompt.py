def window_averages(values: list, k: int) -> list:
    """Return the average of every window of k consecutive values, in
    order, as floats. Return [] when k is larger than the number of values.
    k >= 1.

    >>> window_averages([1, 2, 3, 4], 2)
    [1.5, 2.5, 3.5]
    """
