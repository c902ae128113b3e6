"""What a GPAW relaxation of one site costs on one core, scaled from the relaxations and single points measured
here on Tb above 4x4 graphene (docs/gpaw.md, "What a relaxation costs"). An estimate to plan with, not a promise:
the LCAO scaling with the cell is measured (4x4 and 5x5), the plane-wave one assumed (bands x plane waves)."""

import math

# The reference: Tb + 32 C (4x4 cell), a Γ-centred 2x2x1 k-grid, one core (docs/gpaw.md's settings table)
REFERENCE_ATOMS = 33
REFERENCE_KPOINTS = 4
REFERENCE_IRREDUCIBLE = 2  # Γ and M of the 2x2 grid under the hollow site's symmetry
# s per SCF iteration at the reference: LCAO dzp at h 0.20 Å (measured 4.7), plane waves at 400 eV (11.5)
SECONDS_PER_ITERATION = {"lcao": 4.7, "pw": 11.5}
REFERENCE_ECUT_EV = 400.0
REFERENCE_GRID_SPACING_ANGSTROM = 0.2
# LCAO: 3.4 s at 33 atoms and 6.1 s at 51 (5x5), both h 0.25: exponent ln(6.1/3.4)/ln(51/33); h 0.25 -> 0.20 cost
# 1.38x. Plane waves: bands x plane waves, both grow with the cell (assumed, not measured beyond 4x4).
ATOMS_EXPONENT = {"lcao": math.log(6.1 / 3.4) / math.log(51 / 33), "pw": 2.0}
GRID_EXPONENT = math.log(4.7 / 3.4) / math.log(0.25 / 0.20)
# k-points of the full grid: LCAO 3.4 s (2x2) and 5.3 s (4x4) at h 0.25, measured; plane waves: the irreducible
# points grow about as (full grid)^0.66 in this cell (2 of 4, ~5 of 16), assumed linear in those
KPOINTS_EXPONENT = {"lcao": math.log(5.3 / 3.4) / math.log(16 / 4), "pw": 0.66}
# The demo's three relaxations: 22-33 BFGS steps, each 7 SCF iterations plus the forces (~3 iterations' worth)
ITERATIONS_PER_STEP = 10
STEPS = 30
# Memory: the demo's relaxation peaked at 0.74 GB (LCAO, 33 atoms: mostly real-space grids, which grow with the
# cell); plane waves hold ~4 copies of the wavefunctions (16-byte coefficients) per irreducible k-point
LCAO_REFERENCE_GB = 0.74
BYTES_PER_COEFFICIENT = 16
WAVEFUNCTION_COPIES = 4
BOHR_ANGSTROM = 0.529177210903
HARTREE_EV = 27.211386245988


def plane_waves(volume_angstrom3: float, ecut_ev: float) -> float:
    """The number of plane waves below the cutoff in the cell: V k_cut³ / (6π²), k_cut = √(2 E_cut) in atomic units."""
    k_cut = math.sqrt(2.0 * ecut_ev / HARTREE_EV)
    return volume_angstrom3 / BOHR_ANGSTROM**3 * k_cut**3 / (6.0 * math.pi**2)


def relaxation_cost(parameters: dict, natoms: int, kpoints: int, volume_angstrom3: float,
                    valence_electrons: float) -> dict:
    """The estimate for one site: s per SCF iteration, hours for a relaxation of STEPS steps, peak memory (GB)."""
    mode = parameters["mode"]
    per_iteration = SECONDS_PER_ITERATION[mode] * (natoms / REFERENCE_ATOMS) ** ATOMS_EXPONENT[mode] \
        * (kpoints / REFERENCE_KPOINTS) ** KPOINTS_EXPONENT[mode]
    if mode == "pw":
        per_iteration *= (parameters["ecut_ev"] / REFERENCE_ECUT_EV) ** 1.5
        bands = math.ceil(1.2 * valence_electrons / 2) + 4
        irreducible = REFERENCE_IRREDUCIBLE * (kpoints / REFERENCE_KPOINTS) ** KPOINTS_EXPONENT[mode]
        memory = plane_waves(volume_angstrom3, parameters["ecut_ev"]) * bands * irreducible \
            * BYTES_PER_COEFFICIENT * WAVEFUNCTION_COPIES / 1e9
    else:
        per_iteration *= (REFERENCE_GRID_SPACING_ANGSTROM / parameters["grid_spacing_angstrom"]) ** GRID_EXPONENT
        memory = LCAO_REFERENCE_GB * natoms / REFERENCE_ATOMS  # real-space grids, which grow with the cell
    return {"seconds_per_scf_iteration": round(per_iteration, 1),
            "seconds_per_step": round(per_iteration * ITERATIONS_PER_STEP),
            "relaxation_hours": round(per_iteration * ITERATIONS_PER_STEP * STEPS / 3600.0, 2),
            "memory_gb": round(memory, 2), "steps_assumed": STEPS}


def study_relaxation_cost(study, parameters: dict) -> dict:
    """:func:`relaxation_cost` of one site of ``study`` (graphene: 2nm C and the adatom, cell vacuum_angstrom high)."""
    from adatom_wf.lanthanides import f_count_trivalent

    n, m = study.substrate.supercell
    a = study.substrate.lattice_constant_angstrom
    volume = n * m * math.sqrt(3.0) / 2.0 * a * a * study.substrate.vacuum_angstrom
    adatom_valence = 11 if parameters["f_in_core"] else 11 + f_count_trivalent(study.adatom)  # 5s2 5p6 5d1 6s2 (+4f)
    grid = study.dft.kpoints.grid
    return relaxation_cost(parameters, 2 * n * m + 1, grid[0] * grid[1] * grid[2], volume, 4 * 2 * n * m
                           + adatom_valence)
