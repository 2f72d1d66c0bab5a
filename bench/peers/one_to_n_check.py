#!/usr/bin/env python3
"""An independent PyTorch check of kgdistill's 1-N losses: ComplEx (d real numbers per entity, [Re | Im] halves)
trained with 1-N scoring against all entities, with softmax cross-entropy (Chami et al. 2020's released code) or
with the binary cross-entropy of PyKEEN's LCWA (the mean over all B·N scores of softplus(s) − [j = gold]·s), an
optional N3 regulariser on the complex moduli of the batch's head, relation and tail rows (w·Σ|m|³ / B), Adagrad,
reciprocal relations; filtered test MRR (ties counted pessimistically, as KGEmb). Same settings as
`kgdistill train --model ComplEx --one-to-n --loss softmax|bce --reg n3 --reg-weight W --optimizer adagrad`, with
PyTorch's own initialisation draw (normal, std --init-scale), so the figures agree in kind, not in digits.

Usage: python one_to_n_check.py <dataset dir with train/valid/test.txt> --loss softmax|bce [--dim 32] [--epochs 20]
       [--batch 100] [--lr 0.1] [--reg 0] [--init-scale 0.001] [--seed 0] [--threads 1]
Prints one JSON line: {"loss", "epochs", "test_mrr", "seconds"}.
"""
import argparse
import json
import os
import time

import torch


def read_triples(path, entities, relations):
    triples = []
    with open(path, encoding="utf8") as f:
        for line in f:
            h, r, t = line.rstrip("\n").split("\t")
            triples.append((entities.setdefault(h, len(entities)), relations.setdefault(r, len(relations)),
                            entities.setdefault(t, len(entities))))
    return triples


def main():
    p = argparse.ArgumentParser()
    p.add_argument("data")
    p.add_argument("--loss", choices=["softmax", "bce"], required=True)
    p.add_argument("--dim", type=int, default=32)
    p.add_argument("--epochs", type=int, default=20)
    p.add_argument("--batch", type=int, default=100)
    p.add_argument("--lr", type=float, default=0.1)
    p.add_argument("--reg", type=float, default=0.0)
    p.add_argument("--init-scale", type=float, default=0.001)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=1)
    a = p.parse_args()
    torch.manual_seed(a.seed)
    torch.set_num_threads(a.threads)
    entities, relations = {}, {}
    splits = {s: read_triples(os.path.join(a.data, f"{s}.txt"), entities, relations) for s in ("train", "valid", "test")}
    n, nr, half = len(entities), len(relations), a.dim // 2

    def queries(triples):  # (h, r, t) and the reciprocal (t, r + R, h)
        x = torch.tensor(triples, dtype=torch.long)
        return torch.cat([x, torch.stack([x[:, 2], x[:, 1] + nr, x[:, 0]], 1)])

    entity = torch.nn.Parameter(torch.randn(n, a.dim) * a.init_scale)
    relation = torch.nn.Parameter(torch.randn(2 * nr, a.dim) * a.init_scale)
    optimizer = torch.optim.Adagrad([entity, relation], lr=a.lr)

    def query_rows(h, r):
        e, w = entity[h], relation[r]
        er, ei, wr, wi = e[:, :half], e[:, half:], w[:, :half], w[:, half:]
        return torch.cat([er * wr - ei * wi, er * wi + ei * wr], 1)

    def modulus(x):
        return torch.sqrt(x[:, :half] ** 2 + x[:, half:] ** 2)

    train = queries(splits["train"])
    start = time.time()
    for _ in range(a.epochs):
        for batch in train[torch.randperm(len(train))].split(a.batch):
            h, r, t = batch[:, 0], batch[:, 1], batch[:, 2]
            scores = query_rows(h, r) @ entity.t()
            if a.loss == "softmax":
                loss = torch.nn.functional.cross_entropy(scores, t)
            else:
                target = torch.zeros_like(scores)
                target[torch.arange(len(t)), t] = 1.0
                loss = torch.nn.functional.binary_cross_entropy_with_logits(scores, target)
            if a.reg > 0:
                loss = loss + a.reg * sum((modulus(x) ** 3).sum() for x in (entity[h], relation[r], entity[t])) / len(t)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    known = {}
    for triples in splits.values():
        for q in queries(triples).tolist():
            known.setdefault((q[0], q[1]), set()).add(q[2])
    reciprocal_ranks = []
    with torch.no_grad():
        test = queries(splits["test"])
        scores = query_rows(test[:, 0], test[:, 1]) @ entity.t()
        for i, (h, r, t) in enumerate(test.tolist()):
            row = scores[i].clone()
            gold = row[t].item()
            for other in known[(h, r)]:
                if other != t:
                    row[other] = float("-inf")
            reciprocal_ranks.append(1.0 / (row >= gold).sum().item())
    print(json.dumps({"loss": a.loss, "epochs": a.epochs, "test_mrr": round(sum(reciprocal_ranks) / len(reciprocal_ranks), 4),
                      "seconds": round(time.time() - start, 1)}))


if __name__ == "__main__":
    main()
