import sys


def main():
    # Bug: a station exactly at the edge of the range is treated as
    # unreachable.
    data = sys.stdin.read().split()
    dist, cap, n = int(data[0]), int(data[1]), int(data[2])
    stations = [int(x) for x in data[3:3 + n]]
    reach = cap
    stops = 0
    i = 0
    while reach < dist:
        best = None
        while i < n and stations[i] < reach:
            best = stations[i]
            i += 1
        if best is None or best + cap <= reach:
            print(-1)
            return
        reach = best + cap
        stops += 1
    print(stops)


main()
