def digit_sum_steps(n: int) -> int:
    """Repeatedly replace n by the sum of its decimal digits until a single
    digit is left, and return how many replacements that took. n >= 0 and
    may be very large.

    >>> digit_sum_steps(9875)  # 9875 -> 29 -> 11 -> 2
    3
    >>> digit_sum_steps(7)
    0
    """
