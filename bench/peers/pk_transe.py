#!/usr/bin/env python3
"""PyKEEN's TransE through the shared PyKEEN runner, which knows only ComplEx, RotatE and DistMult.

The runner (../shared/peers/pykeen/pk_run.py, or the path in $PK_RUN) looks its model classes up by name when it
runs, so this wrapper hands it PyKEEN's TransE under the name DistMult (a real-valued model like TransE: the same
embedding_dim = --dim, the same `--entity-constrainer none` switch, which then drops TransE's unit-norm entities)
and relabels the runner's JSON line. Every flag is the runner's; `--model TransE` is the only model it accepts.
TransE is PyKEEN's default: L1 distance, Xavier-uniform entities kept at unit norm, `--loss default` = margin
ranking with margin 1 (Bordes et al. 2013). One flag of its own: `--norm 1|2` (as kgdistill's flag), the distance's norm
(1, PyKEEN's default and kgdistill's; 2 = L2, kgdistill's `--norm 2`).
"""
import contextlib
import functools
import io
import json
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
runner = os.environ.get("PK_RUN") or os.path.join(here, "..", "..", "..", "shared", "peers", "pykeen", "pk_run.py")
if not os.path.isfile(runner):
    sys.exit(f"pk_transe.py: the PyKEEN runner {runner} does not exist (set PK_RUN to its path)")
sys.path.insert(0, os.path.dirname(os.path.abspath(runner)))

import pk_run  # noqa: E402
from pykeen.models import TransE  # noqa: E402


def main():
    argv = sys.argv[1:]
    if "--model" not in argv or argv[argv.index("--model") + 1 :][:1] != ["TransE"]:
        sys.exit("pk_transe.py: pass --model TransE (the other models run through pk_run.py itself)")
    argv[argv.index("--model") + 1] = "DistMult"
    norm = 1
    if "--norm" in argv:
        i = argv.index("--norm")
        if argv[i + 1 :][:1] not in (["1"], ["2"]):
            sys.exit("pk_transe.py: --norm takes 1 or 2")
        norm = int(argv[i + 1])
        del argv[i : i + 2]
    pk_run.DistMult = functools.partial(TransE, scoring_fct_norm=norm)
    sys.argv = [runner] + argv
    captured = io.StringIO()
    with contextlib.redirect_stdout(captured):
        code = pk_run.main()
    lines = captured.getvalue().strip().split("\n")
    result = json.loads(lines[-1])
    result["model"] = "TransE"
    result["settings"]["model"] = "TransE"
    result["settings"]["transe_norm"] = norm
    print("\n".join(lines[:-1] + [json.dumps(result)]))
    return code


if __name__ == "__main__":
    sys.exit(main())
