import sys


def main():
    data = sys.stdin.read().split()
    n, length = int(data[0]), int(data[1])
    segments = []
    for i in range(n):
        x, r = int(data[2 + 2 * i]), int(data[3 + 2 * i])
        lo, hi = max(0, x - r), min(length, x + r)
        if lo <= hi:
            segments.append((lo, hi))
    segments.sort()
    total = 0
    cur_lo = cur_hi = None
    for lo, hi in segments:
        if cur_hi is not None and lo <= cur_hi + 1:
            cur_hi = max(cur_hi, hi)
            continue
        if cur_hi is not None:
            total += cur_hi - cur_lo + 1
        cur_lo, cur_hi = lo, hi
    if cur_hi is not None:
        total += cur_hi - cur_lo + 1
    print(total)


main()
