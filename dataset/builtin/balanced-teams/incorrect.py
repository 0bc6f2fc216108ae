import sys


def main():
    # Bug: ignores the team-size rule and allows any split.
    data = sys.stdin.read().split()
    n = int(data[0])
    skills = [int(x) for x in data[1:1 + n]]
    total = sum(skills)
    best = None
    for mask in range(1, (1 << n) - 1):
        team = sum(skills[i] for i in range(n) if mask >> i & 1)
        diff = abs(total - 2 * team)
        if best is None or diff < best:
            best = diff
    print(best)


main()
