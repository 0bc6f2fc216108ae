def digit_sum_steps(n: int) -> int:
    # Bug: 10 is treated as a single digit.
    steps = 0
    while n > 10:
        n = sum(int(d) for d in str(n))
        steps += 1
    return steps
