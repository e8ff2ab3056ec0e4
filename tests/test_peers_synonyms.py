"""A site's own synonyms for the peers (contract 2.1: in layouts/-side data, never in the content):
layouts/peers/synonyms.yaml joins names into one indicator for the peer pages and soft-target by
peers; removing the group splits them again; a bad file is one located line."""

from __future__ import annotations

import re

import pytest

from sitegen.render.indicator_index import slug
from tests.conftest import run, write_tree
from tests.test_peers import AGENCY, SITE, table
from tests.test_safety import snapshot

FILES = {
    "site.yaml": SITE,
    **{f"u{n}/agency.yaml": AGENCY.format(code=f"10000{n}") for n in (1, 2, 3)},
    # 学员满意度: one unit, two years; 参训人员满意度: two units, one year. Each is shared on its own.
    "u1/2023/train.yaml": table(85, 100, "学员满意度"),
    "u1/2024/train.yaml": table(88, 100, "学员满意度"),
    "u2/2024/train.yaml": table(90, 120),
    "u3/2024/train.yaml": table(92, 110),
}
SYNONYMS = "# 本站视为同一指标的名称\n- [参训人员满意度, 学员 满意度]\n"
KIND = "满意度"


def build_site(root, synonyms: str | None):
    from sitegen.build.site import PDF, build, without

    path = root / "layouts/peers/synonyms.yaml"
    if synonyms is None:
        path.unlink(missing_ok=True)
    else:
        write_tree(root, {"layouts/peers/synonyms.yaml": synonyms})
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SITEGEN_SHARD_PROJECTS", "1")  # every unit in a shard of its own
        return build(root / "content", root / "output", renderers=without(PDF))


def peer_page(out, name: str) -> str:
    return (out / f"peers/{slug(f'{KIND}|{name}')}/index.html").read_text(encoding="utf-8")


def body_rows(html: str) -> list[str]:
    """The 三级 names as written of a peer page's rows (its 4th column)."""
    rows = html.split('<h2 id="rows-heading">')[1].split("<tbody>")[1].split("</tbody>")[0]
    return [re.findall(r"<td[^>]*>(.*?)</td>", row)[3] for row in rows.split("</tr>") if "<td" in row]


def test_a_synonym_joins_two_names_into_one_peer_page_and_removing_it_splits_them(tmp_path):
    write_tree(tmp_path / "content", FILES)
    out = tmp_path / "output"
    build_site(tmp_path, None)
    assert sorted(body_rows(peer_page(out, "学员满意度"))) == ["学员满意度", "学员满意度"]
    assert sorted(body_rows(peer_page(out, "参训人员满意度"))) == ["参训人员满意度", "参训人员满意度"]
    untouched = out / f"peers/{slug('数量|培训人数')}/index.html"
    project = out / "u1/2024/train/index.html"
    inodes = untouched.stat().st_ino, project.stat().st_ino

    loaded = build_site(tmp_path, SYNONYMS)
    joined = peer_page(out, "参训人员满意度")  # the group's first name names the page
    assert sorted(body_rows(joined)) == ["参训人员满意度", "参训人员满意度", "学员满意度", "学员满意度"]
    assert "3 个单位 · 2 个年度 · 4 行" in joined
    assert not (out / f"peers/{slug(f'{KIND}|学员满意度')}").exists()
    # the project page of 学员满意度 links by its own name's slug: there, a row that leads to the joined page
    raw = slug(f"{KIND}|学员满意度")
    bucket = (out / f"peers/k/{raw[:2]}/index.html").read_text(encoding="utf-8")
    row = re.search(rf'<tr id="{raw}">.*?</tr>', bucket).group(0)
    assert f'href="../../{slug(f"{KIND}|参训人员满意度")}/"' in row and "含“学员满意度”" in row
    assert f"#{raw}" in project.read_text(encoding="utf-8")
    # the synonyms are not the shards': the unit pages and the pages whose rows did not move are linked
    assert (untouched.stat().st_ino, project.stat().st_ino) == inodes
    # soft-target by peers compares by them too: u1's 85 and 88 against u2's 90 and u3's 92 (2024 only: 88)
    assert [f.loc.file.rsplit("content/", 1)[1] for f in loaded.findings.warnings if f.code == "soft-target"] == [
        "u1/2024/train.yaml"]

    build_site(tmp_path, None)
    assert sorted(body_rows(peer_page(out, "学员满意度"))) == ["学员满意度", "学员满意度"]
    assert sorted(body_rows(peer_page(out, "参训人员满意度"))) == ["参训人员满意度", "参训人员满意度"]


def test_sitegen_check_compares_by_the_synonyms_too(tmp_path, monkeypatch):
    write_tree(tmp_path / "content", FILES)
    monkeypatch.chdir(tmp_path)
    code, out, _ = run("check", "content")
    assert "soft-target" not in out
    write_tree(tmp_path, {"layouts/peers/synonyms.yaml": SYNONYMS})
    code, out, _ = run("check", "content")
    assert "u1/2024/train.yaml" in out and "soft-target" in out


BAD = {
    # the file's text: the line the message must start with
    "参训人员满意度, 学员满意度\n": "layouts/peers/synonyms.yaml:1:1: 同义词文件应是一个列表",
    "- [参训人员满意度, 学员满意度]\n- 培训合格率\n": "layouts/peers/synonyms.yaml:2:3: 每一组应是名称的列表",
    "- [参训人员满意度]\n": "layouts/peers/synonyms.yaml:1:3: 一组至少要有两个名称",
    "- [参训人员满意度, ~]\n": "layouts/peers/synonyms.yaml:1:13: 名称应是三级指标的名称文字",
    "- [参训人员满意度, 学员满意度]\n- [学员 满意度, 培训满意度]\n":
        "layouts/peers/synonyms.yaml:2:4: 名称「学员 满意度」已在第 1 行的一组中",
    "- [a, b\n": "layouts/peers/synonyms.yaml:2:1: YAML 语法错误",
}


@pytest.mark.parametrize("text", BAD)
def test_a_bad_synonyms_file_is_one_located_line_and_nothing_is_written(tmp_path, monkeypatch, text):
    write_tree(tmp_path / "content", FILES)
    write_tree(tmp_path, {"layouts/peers/synonyms.yaml": text})
    monkeypatch.chdir(tmp_path)
    before = snapshot(tmp_path)
    code, out, err = run("build", "content", "--out", "output", "--no-pdf")
    assert code == 1 and out == ""
    [line] = err.strip().splitlines()
    assert line.startswith(BAD[text]) and line.endswith("（未生成网站；output/ 保持不变）"), line
    assert snapshot(tmp_path) == before
    code, out, _ = run("check", "content")  # an error of the check too, the same place and words
    where, message = BAD[text].split(": ", 1)
    assert code == 1 and f"{where}: error: {message}" in out


def test_a_synonym_joins_names_never_kinds_and_normalises_both_sides(tmp_path):
    from sitegen.base.findings import Findings
    from sitegen.checks.review.synonyms import read_synonyms
    from sitegen.checks.review.vocabulary import name_key

    write_tree(tmp_path, {"layouts/peers/synonyms.yaml": SYNONYMS + "- [培训合格率, 2.培训考核 合格率]\n"})
    findings = Findings()
    synonyms = read_synonyms(tmp_path, findings)
    assert findings.items == []
    written = name_key("指标1：学员满意度")  # numbered as a template prints it
    assert synonyms.key(f"满意度|{written}") == "满意度|参训人员满意度"
    assert synonyms.key(f"社会效益|{written}") == "社会效益|参训人员满意度"  # the kind stays its own
    assert synonyms.key("质量|培训考核合格率") == "质量|培训合格率"
    assert synonyms.key("质量|培训合格率") == "质量|培训合格率" and synonyms.key("质量|其他") == "质量|其他"
    assert not read_synonyms(tmp_path / "nowhere", findings) and findings.items == []


def test_after_an_edit_only_the_indicators_of_changed_units_are_hashed_again(tmp_path):
    """An indicator's rows are hashed again only when a unit it has rows in has a new shard key (a
    shard a unit here): editing u2 hashes again the four indicators u2 has rows in, not 学员满意度
    (u1's alone); removing u3 leaves 参训人员满意度 to one unit, no longer shared."""
    from sitegen.render.indicator_index import IndicatorIndex

    write_tree(tmp_path / "content", FILES)
    out = tmp_path / "output"
    hashed: list[tuple] = []
    real = IndicatorIndex.digest

    def counted(self, where, args=(), ordered=False):
        if where == "WHERE key = ?":
            hashed.append(args[0])
        return real(self, where, args, ordered)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(IndicatorIndex, "digest", counted)
        build_site(tmp_path, None)
        assert len(hashed) == 5  # cold: every shared indicator
        hashed.clear()
        build_site(tmp_path, None)
        assert hashed == []  # nothing changed: nothing hashed, every page linked
        (tmp_path / "content/u2/2024/train.yaml").write_text(table(91, 120), encoding="utf-8")
        build_site(tmp_path, None)
        assert sorted(hashed) == sorted(["数量|培训人数", "成本|人均培训成本", "社会效益|就业率提升", f"{KIND}|参训人员满意度"])
        assert ">91<" in peer_page(out, "参训人员满意度")
        hashed.clear()
        (tmp_path / "content/u3/2024/train.yaml").unlink()
        (tmp_path / "content/u3/agency.yaml").unlink()
        (tmp_path / "content/u3/2024").rmdir()
        (tmp_path / "content/u3").rmdir()
        build_site(tmp_path, None)
        assert sorted(hashed) == sorted(["数量|培训人数", "成本|人均培训成本", "社会效益|就业率提升"])
        assert not (out / f"peers/{slug(f'{KIND}|参训人员满意度')}").exists()
        assert "单位100003" not in (out / f"peers/{slug('数量|培训人数')}/index.html").read_text(encoding="utf-8")
        assert sorted(body_rows(peer_page(out, "学员满意度"))) == ["学员满意度", "学员满意度"]


def test_in_chromium_a_joined_name_leads_to_the_joined_page_and_passes_axe(tmp_path, browser):
    """From u1's project page (学员满意度) through its index row to the page the synonym joined it
    to; the index page with the joined name passes axe-core's every rule."""
    from tests.conftest import served
    from tests.test_site import AXE

    write_tree(tmp_path / "content", FILES)
    build_site(tmp_path, SYNONYMS)
    with served(tmp_path / "output") as url:
        context = browser.new_context(viewport={"width": 360, "height": 800}, bypass_csp=True)
        tab = context.new_page()
        try:
            tab.goto(f"{url}/u1/2024/train/")
            tab.locator("a.peer-link").nth(3).click()
            tab.wait_for_load_state()
            row = tab.locator(f"tr[id='{tab.evaluate('location.hash').lstrip('#')}']")
            assert "含“学员满意度”" in row.inner_text()
            tab.add_script_tag(path=str(AXE))
            result = tab.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
            assert [v["id"] for v in result["violations"]] == []
            row.locator("a").click()
            tab.wait_for_load_state()
            assert tab.locator("h1").inner_text() == "参训人员满意度"
            assert tab.locator("table.sortable tbody tr").count() == 4
        finally:
            context.close()
