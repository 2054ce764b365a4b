"""Seed corpus of the state-dict fuzz target: real torch.save files, written by the project's
torch (scripts/fuzz.sh runs it with .venv/bin/python into .build-fuzz/seeds/state-dict).

    python write_seeds.py DIR
"""
import collections
import os
import sys

import torch

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
torch.manual_seed(0)


def save(name, obj):
    torch.save(obj, os.path.join(out, name + ".pt"))


# A model's state dict: an OrderedDict with _metadata, parameters and buffers.
net = torch.nn.Sequential(torch.nn.Conv2d(1, 2, 3), torch.nn.BatchNorm2d(2), torch.nn.Flatten(), torch.nn.Linear(8, 3))
save("ordered-dict", net.state_dict())
save("plain-dict", dict(net.state_dict()))
# Element types.
save("dtypes", {
    "f16": torch.randn(3, 2).half(),
    "bf16": torch.randn(2, 3).bfloat16(),
    "i64": torch.arange(5, dtype=torch.int64),
    "f64": torch.randn(2, dtype=torch.float64),
    "i32": torch.arange(3, dtype=torch.int32),
    "u8": torch.arange(4, dtype=torch.uint8),
    "bool": torch.tensor([True, False]),
})
# Shared storages: views of one tensor, saved once.
base = torch.randn(4, 6)
save("shared-storage", {"whole": base, "row": base[1], "column": base[:, 2], "block": base[1:3, 2:5]})
# Non-contiguous tensors: transposed, strided, with a storage offset.
save("non-contiguous", {"t": torch.randn(3, 5).t(), "every-other": torch.randn(10)[::2], "offset": torch.randn(8)[3:]})
# Zero-element and scalar tensors.
save("empty-and-scalar", {"empty": torch.empty(0, 3), "scalar": torch.tensor(2.5)})
# Nested dicts (refused: a state dict holds tensors only) and a parameter.
save("nested", {"inner": {"w": torch.randn(2)}, "p": torch.nn.Parameter(torch.randn(2))})
