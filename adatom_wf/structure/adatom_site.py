"""The adatom in a relaxed supercell, for the DFT records of VASP and GPAW alike: which atom it is, and its height
above the layer (``adatom_height_angstrom`` of docs/results.md)."""

from pathlib import Path

from adatom_wf.errors import ParseError, StructureError
from adatom_wf.lanthanides import LANTHANIDES


def read_contcar(path: Path) -> dict:
    """A CONTCAR as the record's ``final_structure``: symbols, cell and Cartesian positions (Å)."""
    from adatom_wf.structure.io import read_structure

    try:
        atoms, _ = read_structure(path, format="vasp")
    except StructureError as error:
        raise ParseError(f"CONTCAR is unreadable ({' '.join(str(error).split())})") from None
    return {"symbols": atoms.get_chemical_symbols(), "cell_angstrom": atoms.cell.array.tolist(),
            "positions_angstrom": atoms.positions.tolist()}


def find_adatom(symbols: list[str], adatom: str | None) -> tuple[str | None, int | None, str | None]:
    """(symbol, index, warning): the given ``adatom``, else the single lanthanide atom of the structure."""
    if adatom is None:
        found = sorted({s for s in symbols if s in LANTHANIDES})
        if len(found) != 1 or symbols.count(found[0]) != 1:
            return None, None, None
        adatom = found[0]
    indices = [i for i, s in enumerate(symbols) if s == adatom]
    if len(indices) != 1:
        return adatom, None, f"{len(indices)} {adatom} atoms in the final structure: no adatom height"
    return adatom, indices[0], None


def substrate_depths(cell, positions, index: int, substrate: list[int]):
    """How far (Å) each ``substrate`` atom lies below atom ``index``, along the unit normal of a×b (turned towards
    +c). Each substrate atom is taken at its minimum image along c relative to the adatom, so a layer that
    straddles the cell boundary counts as one layer."""
    import numpy as np

    cell, positions = np.asarray(cell, float), np.asarray(positions, float)
    normal = np.cross(cell[0], cell[1])
    normal /= np.linalg.norm(normal)
    if normal @ cell[2] < 0:
        normal = -normal
    offsets = positions[substrate] - positions[index]
    along_c = np.linalg.solve(cell.T, offsets.T)[2]
    offsets -= np.outer(np.round(along_c), cell[2])
    return -(offsets @ normal)


def height_above_plane(cell, positions, index: int, substrate: list[int]) -> float:
    """Height (Å) of atom ``index`` above the mean plane of the ``substrate`` atoms (:func:`substrate_depths`)."""
    return float(substrate_depths(cell, positions, index, substrate).mean())


def layer_buckling(structure: dict, adatom: str | None, substrate_element: str = "C") -> float | None:
    """How far (Å) the ``substrate_element`` layer of a final structure spans along its normal (the highest atom's
    height above the lowest); None without one adatom or without substrate atoms."""
    _, index, _ = find_adatom(structure["symbols"], adatom)
    substrate = [i for i, s in enumerate(structure["symbols"]) if s == substrate_element]
    if index is None or not substrate:
        return None
    depths = substrate_depths(structure["cell_angstrom"], structure["positions_angstrom"], index, substrate)
    return float(depths.max() - depths.min())


def locate_adatom(structure: dict, adatom: str | None, substrate_element: str = "C") -> tuple[str | None,
                                                                                              float | None, list]:
    """(adatom symbol, height above the ``substrate_element`` layer in Å or None, notes) of a final structure."""
    symbol, index, note = find_adatom(structure["symbols"], adatom)
    notes = [note] if note else []
    substrate = [i for i, s in enumerate(structure["symbols"]) if s == substrate_element]
    if index is not None and not substrate:
        notes.append(f"no {substrate_element} atoms in the final structure: no adatom height")
        return symbol, None, notes
    if index is None:
        return symbol, None, notes
    return symbol, height_above_plane(structure["cell_angstrom"], structure["positions_angstrom"], index,
                                      substrate), notes
