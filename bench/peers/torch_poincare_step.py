#!/usr/bin/env python3
"""PyTorch peer of kgdistill's fused Poincaré 1-N step (`npm run bench:train -- RotH`): one RotH training step that
scores every entity, at FB15k-237's sizes (14,541 entities, 474 relations with reciprocals, d = 32, batch 500),
softmax cross-entropy, Adagrad lr 0.05, timed as ../shared/peers/torch_step.py times DistMult's.

The model as Chami et al. 2020 define it (written from the paper, not copied): the head's tangent row rotated by the
relation's Givens angles (eq. 4), mapped into the ball of the relation's curvature c = softplus(c₀) by exp₀ (eq. 1),
Möbius-translated by the relation's point; the score of tail t is −d_c(q, exp₀(e_t))² + b_h + b_t (eqs. 2–3), with
‖(−q) ⊕_c y‖ written through ‖q‖², ‖y‖², q·y so that all entities are one matrix product (as their code's eval mode).

Usage: python3 torch_poincare_step.py [threads (default 2)]. Prints one line: {'torch', 'mode', 'threads', 'median_ms', 'min_ms'}.
"""
import sys
import time

import torch

torch.set_num_threads(int(sys.argv[1]) if len(sys.argv) > 1 else 2)
N, R, d, B = 14541, 474, 32, 500
MIN_NORM = 1e-15


def expmap0(u, c):
    """exp₀ᶜ(u) = tanh(√c‖u‖)·u/(√c‖u‖) (Chami et al. 2020, eq. 1)."""
    sqrt_c = c.sqrt()
    norm = u.norm(dim=-1, keepdim=True).clamp_min(MIN_NORM)
    return torch.tanh(sqrt_c * norm) * u / (sqrt_c * norm)


def mobius_add(x, y, c):
    """x ⊕_c y (Ganea et al. 2018, eq. 4)."""
    x2 = (x * x).sum(-1, keepdim=True)
    y2 = (y * y).sum(-1, keepdim=True)
    xy = (x * y).sum(-1, keepdim=True)
    num = (1 + 2 * c * xy + c * y2) * x + (1 - c * x2) * y
    return num / (1 + 2 * c * xy + c * c * x2 * y2).clamp_min(MIN_NORM)


def givens(angles, x):
    """Rotates each pair of coordinates of x by the relation's angle (Chami et al. 2020, eq. 4)."""
    cos, sin = torch.cos(angles), torch.sin(angles)
    x0, x1 = x[:, 0::2], x[:, 1::2]
    return torch.stack((cos * x0 - sin * x1, sin * x0 + cos * x1), dim=-1).reshape(x.shape)


def sq_distance_all(q, c, tangent):
    """−d_c(q, exp₀(v))² of every query with every entity row v [N×d] in the tangent space, through q·v."""
    sqrt_c = c.sqrt()
    v_norm = tangent.norm(dim=-1).clamp_min(MIN_NORM)  # [N]
    gamma = torch.tanh(sqrt_c * v_norm) / sqrt_c  # ‖y‖ [B, N]
    xy = gamma * (q @ tangent.t()) / v_norm  # q·y
    x2 = (q * q).sum(-1, keepdim=True)
    c1 = 1 - 2 * c * xy + c * gamma * gamma
    c2 = 1 - c * x2
    num = (c1 * c1 * x2 + c2 * c2 * gamma * gamma - 2 * c1 * c2 * xy).clamp_min(MIN_NORM).sqrt()
    denom = (1 - 2 * c * xy + c * c * x2 * gamma * gamma).clamp_min(MIN_NORM)
    z = (sqrt_c * num / denom).clamp(max=1 - 1e-5)
    dist = 2 * torch.atanh(z) / sqrt_c
    return -dist * dist


entity = torch.nn.Embedding(N, d)
rotation = torch.nn.Embedding(R, d // 2)
translation = torch.nn.Embedding(R, d)
curvature = torch.nn.Embedding(R, 1)
head_bias = torch.nn.Embedding(N, 1)
tail_bias = torch.nn.Embedding(N, 1)
for table in (entity, rotation, translation):
    table.weight.data *= 1e-3
curvature.weight.data.fill_(0.5413)  # softplus⁻¹(1)
head_bias.weight.data.zero_()
tail_bias.weight.data.zero_()
params = [p for m in (entity, rotation, translation, curvature, head_bias, tail_bias) for p in m.parameters()]
opt = torch.optim.Adagrad(params, lr=0.05)


def step():
    h = torch.randint(0, N, (B,))
    r = torch.randint(0, R, (B,))
    t = torch.randint(0, N, (B,))
    c = torch.nn.functional.softplus(curvature(r))
    head = expmap0(givens(rotation(r), entity(h)), c)
    q = mobius_add(head, expmap0(translation(r), c), c)
    scores = sq_distance_all(q, c, entity.weight) + head_bias(h) + tail_bias.weight.t()
    loss = torch.nn.functional.cross_entropy(scores, t)
    opt.zero_grad()
    loss.backward()
    opt.step()


for _ in range(3):
    step()
times = []
for _ in range(15):
    t0 = time.perf_counter()
    step()
    times.append((time.perf_counter() - t0) * 1000)
times.sort()
print({'torch': torch.__version__, 'mode': 'poincare1N', 'threads': torch.get_num_threads(), 'median_ms': round(times[7], 2),
       'min_ms': round(times[0], 2)})
