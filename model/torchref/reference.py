"""PyTorch reference of rlef's model package, for its tests.

Reads a JSON file with the model's configuration, parameter layout and
parameters, a batch of sequences and loss coefficients; runs the same GPT-2
style transformer in float64, one sequence at a time (no packing), and writes
JSON with the logits, log-probabilities, entropies and values at the asked
positions and the gradient of sum(coef * outputs) for every parameter.

Usage: reference.py IN.json OUT.json
"""
import json
import math
import sys

import torch
import torch.nn.functional as F


def build(inp):
    flat = torch.tensor(inp["params"], dtype=torch.float64)
    params = {}
    for t in inp["layout"]:
        n = t["rows"] * t["cols"]
        params[t["name"]] = flat[t["offset"]:t["offset"] + n].view(t["rows"], t["cols"]).clone().requires_grad_()
    return params


def run_sequence(cfg, P, tokens):
    d, heads = cfg["dim"], cfg["heads"]
    dh = d // heads
    T = len(tokens)
    idx = torch.tensor(tokens, dtype=torch.long)
    x = P["wte"][idx] + P["wpe"][:T]
    mask = torch.triu(torch.ones(T, T, dtype=torch.bool), diagonal=1)
    for l in range(cfg["layers"]):
        p = "h%d." % l
        h = F.layer_norm(x, (d,), P[p + "ln1.w"].view(-1), P[p + "ln1.b"].view(-1), eps=1e-5)
        qkv = h @ P[p + "qkv.w"] + P[p + "qkv.b"].view(-1)
        q, k, v = qkv.split(d, dim=1)
        q = q.view(T, heads, dh).transpose(0, 1)
        k = k.view(T, heads, dh).transpose(0, 1)
        v = v.view(T, heads, dh).transpose(0, 1)
        att = (q @ k.transpose(1, 2)) / math.sqrt(dh)
        att = att.masked_fill(mask, float("-inf")).softmax(dim=-1)
        y = (att @ v).transpose(0, 1).reshape(T, d)
        x = x + y @ P[p + "proj.w"] + P[p + "proj.b"].view(-1)
        h = F.layer_norm(x, (d,), P[p + "ln2.w"].view(-1), P[p + "ln2.b"].view(-1), eps=1e-5)
        h = F.gelu(h @ P[p + "fc.w"] + P[p + "fc.b"].view(-1), approximate="tanh")
        x = x + h @ P[p + "fc2.w"] + P[p + "fc2.b"].view(-1)
    return F.layer_norm(x, (d,), P["lnf.w"].view(-1), P["lnf.b"].view(-1), eps=1e-5)


def main():
    with open(sys.argv[1]) as f:
        inp = json.load(f)
    cfg = inp["config"]
    P = build(inp)
    tokens, starts = inp["tokens"], inp["starts"]
    finals = []
    for s in range(len(starts) - 1):
        finals.append(run_sequence(cfg, P, tokens[starts[s]:starts[s + 1]]))
    final = torch.cat(finals)
    out = {"logits": [], "logprobs": [], "entropy": [], "values": []}
    loss = torch.zeros((), dtype=torch.float64)
    coef = inp["coef"]
    if inp["score"]:
        pos = torch.tensor(inp["score"], dtype=torch.long)
        logits = final[pos - 1] @ P["wte"].T
        logp_all = logits.log_softmax(dim=-1)
        tgt = torch.tensor([tokens[i] for i in inp["score"]], dtype=torch.long)
        logp = logp_all.gather(1, tgt.view(-1, 1)).view(-1)
        ent = -(logp_all.exp() * logp_all).sum(dim=-1)
        loss = loss + (torch.tensor(coef[:len(logp)], dtype=torch.float64) * logp).sum()
        out["logits"] = logits.detach().reshape(-1).tolist()
        out["logprobs"] = logp.detach().tolist()
        out["entropy"] = ent.detach().tolist()
    if inp["value"]:
        pos = torch.tensor(inp["value"], dtype=torch.long)
        vals = (final[pos] @ P["value.w"]).view(-1) + P["value.b"].view(-1)
        loss = loss + (torch.tensor(coef[:len(vals)], dtype=torch.float64) * vals).sum()
        out["values"] = vals.detach().tolist()
    loss.backward()
    grads = []
    for t in inp["layout"]:
        g = P[t["name"]].grad
        grads.extend((g if g is not None else torch.zeros(t["rows"], t["cols"], dtype=torch.float64)).reshape(-1).tolist())
    out["grads"] = grads
    with open(sys.argv[2], "w") as f:
        json.dump(out, f)


if __name__ == "__main__":
    main()
