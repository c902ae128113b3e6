"""FAKE POTCARs for tests: the header layout of VASP's PAW potentials, with made-up data.

Real POTCARs are licensed and never shipped or committed; these fakes carry realistic PSCTR headers
(what pymatgen parses) and a few made-up numbers as data, so POTCAR assembly can be tested.
"""

from pathlib import Path

# symbol -> (title, VRHFIN, POMASS, ZVAL, ENMAX, EAUG)
FAKE_HEADERS = {
    "C": ("PAW_PBE C 08Apr2002", "C: s2p2", 12.011, 4.0, 400.0, 644.873),
    "H": ("PAW_PBE H 15Jun2001", "H: ultrasoft test", 1.0, 1.0, 250.0, 400.0),
    "Tb_3": ("PAW_PBE Tb_3 06Sep2000", "Tb: 5p6s5d", 158.925, 9.0, 155.0, 307.0),
}


def fake_potcar_text(symbol: str) -> str:
    title, vrhfin, pomass, zval, enmax, eaug = FAKE_HEADERS[symbol]
    return f"""  {title}
 {zval:.14f}
 parameters from PSCTR are:
   VRHFIN ={vrhfin}
   LEXCH  = PE
   EATOM  =   147.1560 eV,   10.8157 Ry

   TITEL  = {title}
   LULTRA =        F    use ultrasoft PP ?
   IUNSCR =        0    unscreen: 0-lin 1-nonlin 2-no
   RPACOR =    0.000    partial core radius
   POMASS = {pomass:8.3f}; ZVAL   = {zval:8.3f}    mass and valenz
   RCORE  =    1.500    outmost cutoff radius
   RWIGS  =    1.630; RWIGS  =    0.863    wigner-seitz radius (au A)
   ENMAX  = {enmax:8.3f}; ENMIN  =  300.000 eV
   ICORE  =        2    local potential
   LCOR   =        T    correct aug charges
   LPAW   =        T    paw PP
   EAUG   = {eaug:8.3f}
   DEXC   =    0.000
   RMAX   =    1.529    core radius for proj-oper
   RAUG   =    1.300    factor for augmentation sphere
   RDEP   =    1.501    radius for radial grids
   RDEPT  =    1.300    core radius for aug-charge

   Atomic configuration
    2 entries
     n  l   j            E        occ.
     1  0    0.50      -273.3789   2.0000
     2  0    0.50       -13.7508   2.0000
   Description
     l       E           TYP  RCUT    TYP  RCUT
     0    -13.7508458     23  1.200
     1     -5.2854383     23  1.500
   Error from kinetic energy argument (eV)
   NDATA  =     100
   STEP   =   20.000   1.050
     10.1     9.04     8.56     7.65     7.23     6.44     5.73     5.40
END of PSCTR-controll parameters
 local part
   98.4511749115987
  0.12345678E+02  0.23456789E+02  0.34567891E+02  0.45678912E+02  0.56789123E+02
  0.11111111E+01  0.22222222E+01  0.33333333E+01  0.44444444E+01  0.55555555E+01
 End of Dataset
"""


def write_fake_potcar_library(root: Path, symbols=("C", "Tb_3"), subdir="POT_GGA_PAW_PBE_54") -> Path:
    """A fake library in pymatgen's layout: <root>/FAKE_potcar_library/<subdir>/POTCAR.<symbol>."""
    root = root / "FAKE_potcar_library"
    folder = root / subdir
    folder.mkdir(parents=True, exist_ok=True)
    for symbol in symbols:
        (folder / f"POTCAR.{symbol}").write_text(fake_potcar_text(symbol))
    return root
