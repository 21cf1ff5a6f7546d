#!/usr/bin/env python3
"""Fits the same logistic regression as bistand's IRLS, independently, with statsmodels.

Reads JSON from stdin: {"outcome": [0/1...], "factors": [{"name", "levels", "values"}]}, the
first present level of each factor being the reference (bistand's rule). Writes JSON to stdout:
{"names": [...], "params": [...], "bse": [...]}, intercept first, then each factor's other
present levels in level order, named "factor=level"."""
import json
import sys

import numpy as np
# The model module itself: statsmodels.api also imports the time-series code, which breaks with
# some pandas versions and is not needed here.
from statsmodels.discrete.discrete_model import Logit

data = json.load(sys.stdin)
y = np.array(data["outcome"], dtype=float)
columns = [np.ones(len(y))]
names = ["intercept"]
for factor in data["factors"]:
    values = np.array(factor["values"])
    present = [l for l in range(len(factor["levels"])) if (values == l).any()]
    for level in present[1:]:
        columns.append((values == level).astype(float))
        names.append(f'{factor["name"]}={factor["levels"][level]}')
X = np.column_stack(columns)
result = Logit(y, X).fit(method="newton", tol=1e-14, maxiter=200, disp=0)
json.dump({"names": names, "params": list(result.params), "bse": list(result.bse)}, sys.stdout)
