import sys


def main():
    data = sys.stdin.read().split()
    n = int(data[0])
    skills = [int(x) for x in data[1:1 + n]]
    total = sum(skills)
    best = None
    # Enumerate the smaller team (size n // 2) by bitmask.
    want = n // 2
    for mask in range(1 << n):
        if bin(mask).count("1") != want:
            continue
        team = 0
        for i in range(n):
            if mask >> i & 1:
                team += skills[i]
        diff = abs(total - 2 * team)
        if best is None or diff < best:
            best = diff
    print(best)


main()
