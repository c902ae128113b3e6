from importlib import resources

import pytest

from adatom_wf.errors import SpecError
from adatom_wf.execution.profiles import load_profile, parse_profile, slurm_time, slurm_time_seconds

EXAMPLE = resources.files("adatom_wf.templates").joinpath("slurm", "profiles.example.yaml")


def test_the_shipped_example_is_valid_and_stage_sections_override():
    profile = load_profile("mycluster", str(EXAMPLE))
    relax, molcas, carve = profile.stage("relax"), profile.stage("molcas"), profile.stage("carve")
    assert (relax.time, relax.nodes, relax.ntasks, relax.memory) == ("12:00:00", 2, 128, "200G")
    assert (molcas.cpus_per_task, molcas.time, carve.time, carve.memory) == (4, "1-00:00:00", "00:15:00", "4G")
    assert profile.max_time_seconds("relax") == 2 * 86400 and profile.molcas.workdir == "/scratch/me/molcas"
    assert load_profile("laptop", str(EXAMPLE)).vasp is None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"time": "1"}, "missing required key(s) partition"),
        ({"partition": "p", "time": "1", "vasp": {"time": "1"}}, "missing required key(s) vasp.command"),
        ({"partition": "p", "time": "1", "colour": "red"}, "unknown key 'colour'; allowed keys: account,"),
        ({"partition": "p", "time": "1:2:3:4"}, "time '1:2:3:4' is not a Slurm time"),
        ({"partition": "p", "time": "1", "memory": "lots"}, "memory 'lots' is not a Slurm size"),
        ({"partition": "p", "time": "1", "environment": {"A B": "x"}}, "'A B' is not a valid shell name"),
        ({"partition": "p", "time": "1", "molcas": {"nprocs": 0}}, "molcas.nprocs: got 0"),
    ],
)
def test_bad_profiles_name_the_key(data, message):
    with pytest.raises(SpecError) as error:
        parse_profile(data, "profiles.yaml: profile 'x'")
    assert message in str(error.value) and str(error.value).startswith("profiles.yaml: profile 'x': ")


def test_unknown_profile_and_missing_file(tmp_path):
    path = tmp_path / "profiles.yaml"
    path.write_text("profiles:\n  a: {partition: p, time: '1'}\n  b: {partition: p, time: '1'}\n")
    with pytest.raises(SpecError, match=r"unknown profile 'c' in .*profiles.yaml; its profiles: a, b"):
        load_profile("c", path)
    with pytest.raises(SpecError, match="profiles file .*nowhere.yaml not found"):
        load_profile("a", tmp_path / "nowhere.yaml")


def test_profiles_file_from_the_environment(tmp_path, monkeypatch):
    path = tmp_path / "p.yaml"
    path.write_text("profiles:\n  env: {partition: q, time: 30}\n")
    monkeypatch.setenv("ADATOM_WF_PROFILES", str(path))
    assert load_profile("env").time == "30"


@pytest.mark.parametrize(("text", "seconds"), [("30", 1800), ("1:30", 90), ("01:00:00", 3600), ("2-00", 172800),
                                               ("1-02:03", 93780), ("1-02:03:04", 93784)])
def test_slurm_times(text, seconds):
    assert slurm_time_seconds(text) == seconds
    assert slurm_time_seconds(slurm_time(seconds)) == max(60, seconds)
