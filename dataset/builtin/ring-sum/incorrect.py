import sys


def main():
    # Bug: a ring that is a single row or column is counted twice.
    data = sys.stdin.read().split()
    n, m, k = int(data[0]), int(data[1]), int(data[2])
    a = [[int(data[3 + r * m + c]) for c in range(m)] for r in range(n)]
    top, left = k - 1, k - 1
    bottom, right = n - k, m - k
    if top > bottom or left > right:
        print(0)
        return
    total = sum(a[top][left:right + 1]) + sum(a[bottom][left:right + 1])
    for r in range(top + 1, bottom):
        total += a[r][left] + a[r][right]
    print(total)


main()
