"""Fuzz: every real OpenMolcas fixture run, with one of its files truncated or with bytes flipped, parses to an ok
run or a failed run with a reason naming a file, and never raises (seeded; bounded to ~20 s on 2 cores)."""

import random
import warnings

import pytest
from foreign_runs import RUNS, unpack

from adatom_wf.parse import parse_directory

SEED = 20261201
LARGE = 300_000  # bytes: fewer mutations of the big files (each parse reads them whole)


def mutations(data: bytes, rng: random.Random, count: int):
    for n in range(count):
        if n % 2 == 0 or not data:
            yield f"truncated at {(cut := rng.randrange(len(data) + 1))}", data[:cut]
        else:
            damaged = bytearray(data)
            for _ in range(rng.randint(1, 16)):
                damaged[rng.randrange(len(damaged))] = rng.randrange(256)
            yield "bytes flipped", bytes(damaged)


@pytest.mark.parametrize("name", RUNS)
def test_damaged_files_give_ok_or_failed_with_reason_never_an_exception(tmp_path, name):
    run = unpack(name, tmp_path)
    rng = random.Random(f"{SEED}-{name}")
    names = {path.name for path in run.iterdir()}
    for path in sorted(run.iterdir()):
        original = path.read_bytes()
        for how, data in mutations(original, rng, 8 if len(original) > LARGE else 24):
            path.write_bytes(data)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                record = parse_directory(run).record  # must not raise
            assert record["status"] in ("ok", "failed"), (path.name, how)
            if record["status"] == "failed":
                assert record["failure"] and any(n in record["failure"] for n in names | {run.name}), \
                    (path.name, how, record["failure"])
                assert record["multiplets"] == [] and record["doublets"] == [] and record["spectrum"] is None
        path.write_bytes(original)
