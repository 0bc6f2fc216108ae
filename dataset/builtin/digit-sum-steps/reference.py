def digit_sum_steps(n: int) -> int:
    """Count digit-sum replacements until one digit remains."""
    steps = 0
    while n >= 10:
        n = sum(int(d) for d in str(n))
        steps += 1
    return steps
