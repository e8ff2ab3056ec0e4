"""An id (a unit folder's or a project file's name) is part of the output's file names: one too
long for them is an error of `check`, with the file, never a failed PDF build."""

from __future__ import annotations

from tests.conftest import MINIMAL, run

PROJECT = MINIMAL["u1/2024/p1.yaml"]


def test_a_240_character_project_id_is_an_error_of_check_and_build_writes_nothing(site, tmp_path):
    name = "p" * 240
    content = site({f"u1/2024/{name}.yaml": PROJECT})
    code, out, _ = run("check", str(content))
    lines = [line for line in out.splitlines() if "long-id" in line]
    assert code == 1 and len(lines) == 1, out
    assert f"u1/2024/{name}.yaml:1:1" in lines[0] and "240 个字符" in lines[0] and "最多 64" in lines[0]
    code, _, err = run("build", str(content), "--out", str(tmp_path / "output"))
    assert code == 1 and "long-id" in err and "Traceback" not in err
    assert not (tmp_path / "output").exists()


def test_a_long_unit_folder_name_is_an_error(site):
    name = "u" * 65
    content = site({f"{name}/agency.yaml": MINIMAL["u1/agency.yaml"], f"{name}/2024/p1.yaml": PROJECT})
    code, out, _ = run("check", str(content))
    assert code == 1 and f"{name}/:1:1" in out and "65 个字符" in out, out


def test_ids_of_64_characters_build_with_their_pdfs(site, tmp_path):
    agency, project = "a" * 64, "p" * 64
    content = site({"u1/agency.yaml": None, "u1/2024/p1.yaml": None,
                    f"{agency}/agency.yaml": MINIMAL["u1/agency.yaml"], f"{agency}/2024/{project}.yaml": PROJECT})
    code, _, err = run("build", str(content), "--out", str(tmp_path / "output"))
    assert code == 0, err
    assert list((tmp_path / "output").rglob(f"{agency}-2024-{project}.pdf"))
