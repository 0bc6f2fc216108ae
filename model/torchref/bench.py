"""PyTorch side of `rlef bench train`: trains and samples rlef's model.

The model is package model's GPT-2 style decoder, built from the same
parameters (float32) and trained on the same batches with the same loss
(mean next-token cross-entropy), AdamW and gradient clipping, so the losses
of both implementations can be compared step by step.

Usage: bench.py IN.json OUT.json
"""
import json
import math
import sys
import time

import torch
import torch.nn.functional as F


class GPT(torch.nn.Module):
    def __init__(self, cfg, layout, flat):
        super().__init__()
        self.cfg = cfg
        self.names = []
        flat = torch.tensor(flat, dtype=torch.float32)
        for t in layout:
            n = t["rows"] * t["cols"]
            p = torch.nn.Parameter(flat[t["offset"]:t["offset"] + n].view(t["rows"], t["cols"]).clone())
            self.register_parameter(t["name"].replace(".", "_"), p)
            self.names.append((t["name"], t["decay"]))

    def p(self, name):
        return getattr(self, name.replace(".", "_"))

    def block(self, l, x, attend):
        d = self.cfg["dim"]
        pre = "h%d." % l
        h = F.layer_norm(x, (d,), self.p(pre + "ln1.w").view(-1), self.p(pre + "ln1.b").view(-1), eps=1e-5)
        qkv = h @ self.p(pre + "qkv.w") + self.p(pre + "qkv.b").view(-1)
        x = x + attend(l, qkv) @ self.p(pre + "proj.w") + self.p(pre + "proj.b").view(-1)
        h = F.layer_norm(x, (d,), self.p(pre + "ln2.w").view(-1), self.p(pre + "ln2.b").view(-1), eps=1e-5)
        h = F.gelu(h @ self.p(pre + "fc.w") + self.p(pre + "fc.b").view(-1), approximate="tanh")
        return x + h @ self.p(pre + "fc2.w") + self.p(pre + "fc2.b").view(-1)

    def forward(self, idx):
        B, T = idx.shape
        d, H = self.cfg["dim"], self.cfg["heads"]
        dh = d // H
        mask = torch.triu(torch.ones(T, T, dtype=torch.bool), diagonal=1)

        def attend(l, qkv):
            q, k, v = qkv.split(d, dim=2)
            q, k, v = [t.view(B, T, H, dh).transpose(1, 2) for t in (q, k, v)]
            att = (q @ k.transpose(-2, -1)) / math.sqrt(dh)
            att = att.masked_fill(mask, float("-inf")).softmax(dim=-1)
            return (att @ v).transpose(1, 2).reshape(B, T, d)

        x = self.p("wte")[idx] + self.p("wpe")[:T]
        for l in range(self.cfg["layers"]):
            x = self.block(l, x, attend)
        x = F.layer_norm(x, (d,), self.p("lnf.w").view(-1), self.p("lnf.b").view(-1), eps=1e-5)
        return x @ self.p("wte").T

    @torch.no_grad()
    def step(self, tok, pos, cache):
        """One token through the model with a KV cache (lists of [H, t, dh])."""
        d, H = self.cfg["dim"], self.cfg["heads"]
        dh = d // H

        def attend(l, qkv):
            q, k, v = [t.view(H, 1, dh) for t in qkv.view(3, d)]
            if pos == 0:
                cache[l] = (k, v)
            else:
                cache[l] = (torch.cat([cache[l][0], k], dim=1), torch.cat([cache[l][1], v], dim=1))
            K, V = cache[l]
            att = ((q @ K.transpose(1, 2)) / math.sqrt(dh)).softmax(dim=-1)
            return (att @ V).view(1, d)

        x = (self.p("wte")[tok] + self.p("wpe")[pos]).view(1, d)
        for l in range(self.cfg["layers"]):
            x = self.block(l, x, attend)
        x = F.layer_norm(x, (d,), self.p("lnf.w").view(-1), self.p("lnf.b").view(-1), eps=1e-5)
        return (x @ self.p("wte").T).view(-1)


def blas_libraries():
    libs = set()
    with open("/proc/self/maps") as f:
        for line in f:
            path = line.split()[-1] if len(line.split()) >= 6 else ""
            base = path.rsplit("/", 1)[-1].lower()
            if any(k in base for k in ("blas", "mkl", "blis", "atlas")):
                libs.add(path)
    return sorted(libs)


def train(model, inp):
    decay = [p for (n, dk), p in zip(model.names, model.parameters()) if dk]
    other = [p for (n, dk), p in zip(model.names, model.parameters()) if not dk]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": inp["weight_decay"]},
                             {"params": other, "weight_decay": 0.0}],
                            lr=inp["lr"], betas=(0.9, 0.95), eps=1e-8)
    losses, times = [], []
    for batch in inp["batches"]:
        x = torch.tensor(batch, dtype=torch.long)
        t0 = time.perf_counter()
        logits = model(x)
        V = logits.shape[-1]
        loss = F.cross_entropy(logits[:, :-1].reshape(-1, V), x[:, 1:].reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), inp["clip"])
        opt.step()
        times.append(time.perf_counter() - t0)
        losses.append(loss.item())
    return losses, times


@torch.no_grad()
def sample(model, prompt, n, cached):
    toks = list(prompt)
    t0 = time.perf_counter()
    if cached:
        cache = [None] * model.cfg["layers"]
        for i, t in enumerate(toks):
            logits = model.step(t, i, cache)
        for _ in range(n):
            t = int(logits.argmax())
            toks.append(t)
            logits = model.step(t, len(toks) - 1, cache)
    else:
        for _ in range(n):
            logits = model(torch.tensor([toks], dtype=torch.long))[0, -1]
            toks.append(int(logits.argmax()))
    return toks[len(prompt):], time.perf_counter() - t0


def main():
    with open(sys.argv[1]) as f:
        inp = json.load(f)
    torch.set_num_threads(inp["threads"])
    torch.manual_seed(0)
    model = GPT(inp["config"], inp["layout"], inp["params"])
    sample(model, inp["prompt"], 2, True)  # warm up
    cached_toks, cached_s = sample(model, inp["prompt"], inp["sample_tokens"], True)
    uncached_toks, uncached_s = sample(model, inp["prompt"], inp["sample_tokens"], False)
    losses, times = train(model, inp)
    out = {
        "losses": losses, "step_seconds": times,
        "sample_tokens": cached_toks, "sample_tokens_uncached": uncached_toks,
        "sample_cached_seconds": cached_s, "sample_uncached_seconds": uncached_s,
        "threads": torch.get_num_threads(), "torch_version": torch.__version__,
        "blas": blas_libraries(),
    }
    with open(sys.argv[2], "w") as f:
        json.dump(out, f)


if __name__ == "__main__":
    main()
