#include <algorithm>
#include <cstdio>
#include <utility>
#include <vector>

int main() {
    long long n, len;
    if (std::scanf("%lld %lld", &n, &len) != 2) return 1;
    std::vector<std::pair<long long, long long>> seg;
    for (long long i = 0; i < n; i++) {
        long long x, r;
        if (std::scanf("%lld %lld", &x, &r) != 2) return 1;
        long long lo = std::max(0LL, x - r), hi = std::min(len, x + r);
        if (lo <= hi) seg.push_back({lo, hi});
    }
    std::sort(seg.begin(), seg.end());
    long long total = 0, curLo = 0, curHi = -2;
    bool open = false;
    for (const auto& s : seg) {
        if (open && s.first <= curHi + 1) {
            curHi = std::max(curHi, s.second);
            continue;
        }
        if (open) total += curHi - curLo + 1;
        curLo = s.first;
        curHi = s.second;
        open = true;
    }
    if (open) total += curHi - curLo + 1;
    std::printf("%lld\n", total);
    return 0;
}
