def main():
    clock, d, h = input().split()
    hh, mm, ss = (int(x) for x in clock.split(":"))
    seconds = hh * 3600 + mm * 60 + ss + int(h) * (3600 + int(d))
    seconds %= 24 * 3600
    print("%02d:%02d:%02d" % (seconds // 3600, seconds // 60 % 60, seconds % 60))


main()
