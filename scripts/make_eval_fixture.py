#!/usr/bin/env python3
"""Golden fixture for `cfcd eval`: small random descriptors for ROxford5k / RParis6k and the scores that
revisitop's own compute_map gives for them. Run once with Debian's python3-numpy; the outputs are committed
under tests/Cfcd.Tests/Fixtures/Retrieval/. revisitop's code below is copied from
filipradenovic/revisitop python/evaluate.py (compute_ap, compute_map) and its example_evaluate.py setups.

    /usr/bin/python3 scripts/make_eval_fixture.py ../shared/data/revisitop tests/Cfcd.Tests/Fixtures/Retrieval
"""
import json
import os
import pickle
import sys

import numpy as np


def compute_ap(ranks, nres):
    nimgranks = len(ranks)
    ap = 0
    recall_step = 1. / nres
    for j in np.arange(nimgranks):
        rank = ranks[j]
        if rank == 0:
            precision_0 = 1.
        else:
            precision_0 = float(j) / rank
        precision_1 = float(j + 1) / (rank + 1)
        ap += (precision_0 + precision_1) * recall_step / 2.
    return ap


def compute_map(ranks, gnd, kappas=[]):
    map = 0.
    nq = len(gnd)
    aps = np.zeros(nq)
    pr = np.zeros(len(kappas))
    prs = np.zeros((nq, len(kappas)))
    nempty = 0
    for i in np.arange(nq):
        qgnd = np.array(gnd[i]['ok'])
        if qgnd.shape[0] == 0:
            aps[i] = float('nan')
            prs[i, :] = float('nan')
            nempty += 1
            continue
        try:
            qgndj = np.array(gnd[i]['junk'])
        except Exception:
            qgndj = np.empty(0)
        pos = np.arange(ranks.shape[0])[np.in1d(ranks[:, i], qgnd)]
        junk = np.arange(ranks.shape[0])[np.in1d(ranks[:, i], qgndj)]
        k = 0
        ij = 0
        if len(junk):
            ip = 0
            while ip < len(pos):
                while ij < len(junk) and pos[ip] > junk[ij]:
                    k += 1
                    ij += 1
                pos[ip] = pos[ip] - k
                ip += 1
        ap = compute_ap(pos, len(qgnd))
        map = map + ap
        aps[i] = ap
        pos += 1
        for j in np.arange(len(kappas)):
            kq = min(max(pos), kappas[j])
            prs[i, j] = (pos <= kq).sum() / kq
        pr = pr + prs[i, :]
    map = map / (nq - nempty)
    pr = pr / (nq - nempty)
    return map, aps, pr, prs


def make(dataset, gnd_root, out, dim=16, seed=0):
    with open(os.path.join(gnd_root, f'gnd_{dataset}.pkl'), 'rb') as f:
        cfg = pickle.load(f)
    gnd = cfg['gnd']
    rng = np.random.default_rng(seed)
    db = rng.standard_normal((len(cfg['imlist']), dim)).astype(np.float32)
    q = rng.standard_normal((len(cfg['qimlist']), dim)).astype(np.float32)
    # Pull easy positives (strongly) and hard positives (weakly) towards their query, so scores are mid-range.
    for i, g in enumerate(gnd):
        db[g['easy']] += 0.9 * q[i]
        db[g['hard']] += 0.4 * q[i]
    db /= np.linalg.norm(db, axis=1, keepdims=True)
    q /= np.linalg.norm(q, axis=1, keepdims=True)
    sim = db @ q.T
    # Stable argsort: exact ties keep database order, as cfcd ranks them.
    ranks = np.argsort(-sim, axis=0, kind='stable')
    ks = [1, 5, 10]
    result = {'dataset': dataset, 'queries': len(q), 'db': len(db), 'mAP': {}, 'mP@k': {'k': ks}}
    protocols = [('easy', ['easy'], ['junk', 'hard']), ('medium', ['easy', 'hard'], ['junk']),
                 ('hard', ['hard'], ['junk', 'easy'])]
    for name, ok, junk in protocols:
        g = [{'ok': np.concatenate([gnd[i][k] for k in ok]), 'junk': np.concatenate([gnd[i][k] for k in junk])}
             for i in range(len(gnd))]
        m, aps, pr, prs = compute_map(ranks, g, ks)
        result['mAP'][name] = float(m * 100)
        result['mP@k'][name] = [float(v * 100) for v in pr]
    np.save(os.path.join(out, f'{dataset}_query.npy'), q)
    np.save(os.path.join(out, f'{dataset}_db.npy'), db)
    with open(os.path.join(out, f'{dataset}_expected.json'), 'w') as f:
        json.dump(result, f, indent=2)
    print(dataset, json.dumps(result['mAP']))


if __name__ == '__main__':
    for name in ['roxford5k', 'rparis6k']:
        make(name, sys.argv[1], sys.argv[2])
