#include <cstdio>
#include <cstdlib>
#include <vector>

int main() {
    int n;
    if (std::scanf("%d", &n) != 1) return 1;
    std::vector<long long> s(n);
    long long total = 0;
    for (int i = 0; i < n; i++) {
        if (std::scanf("%lld", &s[i]) != 1) return 1;
        total += s[i];
    }
    long long best = -1;
    for (int mask = 0; mask < (1 << n); mask++) {
        if (__builtin_popcount(mask) != n / 2) continue;
        long long team = 0;
        for (int i = 0; i < n; i++)
            if (mask >> i & 1) team += s[i];
        long long diff = std::llabs(total - 2 * team);
        if (best < 0 || diff < best) best = diff;
    }
    std::printf("%lld\n", best);
    return 0;
}
