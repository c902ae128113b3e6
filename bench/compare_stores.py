"""Compare two results stores dataset by dataset and attribute by attribute (exact: same bytes, same values).

    python3 bench/compare_stores.py OLD.h5 NEW.h5 [--ignore-attr producer]

Prints every difference (a path only one store has, a dataset whose dtype, shape or values differ, an attribute
that differs) and exits 1 if there is any; used to show that a restructuring leaves the demo's store unchanged.
"""

import argparse
import sys

import h5py
import numpy as np


def _items(h5) -> dict:
    found = {}

    def visit(name, obj) -> None:  # visititems stops at the first callback that returns something
        found[name] = obj

    h5.visititems(visit)
    return found


def _same(a, b) -> bool:
    a, b = np.asarray(a), np.asarray(b)
    if a.dtype != b.dtype or a.shape != b.shape:
        return False
    if a.dtype.kind == "f" or a.dtype.kind == "c":
        return bool(np.array_equal(a, b, equal_nan=True))
    return bool(np.array_equal(a, b))


def compare(old_path: str, new_path: str, ignore_attrs=()) -> list[str]:
    differences = []
    with h5py.File(old_path, "r") as old, h5py.File(new_path, "r") as new:
        old_items, new_items = _items(old), _items(new)
        for name in sorted(set(old_items) | set(new_items)):
            if name not in new_items or name not in old_items:
                differences.append(f"{name}: only in {'old' if name in old_items else 'new'}")
                continue
            a, b = old_items[name], new_items[name]
            if isinstance(a, h5py.Dataset) != isinstance(b, h5py.Dataset):
                differences.append(f"{name}: a dataset in one store, a group in the other")
            elif isinstance(a, h5py.Dataset) and not _same(a[()], b[()]):
                differences.append(f"{name}: values differ")
        for name in ["", *sorted(set(old_items) & set(new_items))]:
            a, b = (old[name], new[name]) if name else (old, new)
            for key in sorted(set(a.attrs) | set(b.attrs)):
                if key in ignore_attrs:
                    continue
                if key not in a.attrs or key not in b.attrs:
                    differences.append(f"{name or '/'} attribute {key}: only in {'old' if key in a.attrs else 'new'}")
                elif not _same(a.attrs[key], b.attrs[key]):
                    differences.append(f"{name or '/'} attribute {key}: {a.attrs[key]!r} != {b.attrs[key]!r}")
        count = sum(isinstance(item, h5py.Dataset) for item in old_items.values())
    print(f"{count} datasets compared, {len(differences)} differences")
    return differences


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old")
    parser.add_argument("new")
    parser.add_argument("--ignore-attr", action="append", default=[])
    arguments = parser.parse_args()
    differences = compare(arguments.old, arguments.new, arguments.ignore_attr)
    for line in differences:
        print(line)
    sys.exit(1 if differences else 0)


if __name__ == "__main__":
    main()
