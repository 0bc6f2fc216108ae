import sys


def main():
    data = sys.stdin.read().split()
    n, m, k = int(data[0]), int(data[1]), int(data[2])
    a = [[int(data[3 + r * m + c]) for c in range(m)] for r in range(n)]
    top, left = k - 1, k - 1
    bottom, right = n - k, m - k
    if top > bottom or left > right:
        print(0)
        return
    cells = set()
    for c in range(left, right + 1):
        cells.add((top, c))
        cells.add((bottom, c))
    for r in range(top, bottom + 1):
        cells.add((r, left))
        cells.add((r, right))
    print(sum(a[r][c] for r, c in cells))


main()
