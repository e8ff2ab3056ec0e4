"""Provenance and reuse (contract 2.1): `source` as 来源 on pages, in PDFs and in the open data;
the site's data `license` on /data/ and in datapackage.json."""

from __future__ import annotations

import csv
import io
import json

import pypdf

from sitegen.checks.pipeline import load_content
from sitegen.render.pdf import project_pdf_path
from tests.conftest import CONTENT

JISHAN = "jishan-ybj/2020/p01-jiandang-lika-jiaofei-peitao"
JISHAN_SOURCE = "https://keke.chddh.cn/archives/bqg98jldqdz7y2xm7pe6.html"


def test_source_is_one_record_or_a_list(site):
    one = "source: {url: 'https://a.gov.cn/x.htm', title: 表一, published: 2023-12-01}\n"
    many = "source:\n  - {url: 'https://a.gov.cn/x.htm?id=1&b=2'}\n  - {url: 'http://b.gov.cn/', title: 表二}\n"
    loaded = load_content(site({"u1/2024/disclosure.yaml": one}))
    [unit_year] = loaded.content.unit_years()
    [source] = unit_year.sources
    assert (source.url, source.title, source.published.isoformat()) == ("https://a.gov.cn/x.htm", "表一", "2023-12-01")
    assert unit_year.projects[0].sources == [source]  # a project without its own shows its table's
    loaded = load_content(site({"u1/2024/disclosure.yaml": many}))
    assert [s.url for s in loaded.content.unit_years()[0].sources] == ["https://a.gov.cn/x.htm?id=1&b=2", "http://b.gov.cn/"]


def test_a_bad_source_is_one_located_chinese_line(site):
    loaded = load_content(site({"u1/2024/disclosure.yaml": "source: {url: 'www.a.gov.cn', title: 表}\n"}))
    [error] = loaded.findings.errors
    assert error.loc.line == 1 and "来源网址（url）" in error.message and "http://" in error.message
    loaded = load_content(site({"u1/2024/disclosure.yaml": "source: {title: 表}\n"}))
    [error] = loaded.findings.errors
    assert error.code == "missing-key" and "url" in error.message


def test_a_licence_is_an_spdx_id_or_a_name_and_url(site):
    loaded = load_content(site({"site.yaml": "title: t\nbase_url: https://e.org/\nlicense: {name: 政府数据开放协议, url: 'https://e.org/l'}\n"}))
    assert loaded.content.site.license == ("政府数据开放协议", "https://e.org/l")
    loaded = load_content(site({"site.yaml": "title: t\nbase_url: https://e.org/\nlicense: {nme: x}\n"}))
    [error] = loaded.findings.errors
    assert "未知的键 nme" in error.message and error.loc.line == 3


def test_pages_show_the_source_with_its_date(built):
    page = (built / JISHAN / "index.html").read_text(encoding="utf-8")
    assert f'<p class="source">来源：<a href="{JISHAN_SOURCE}"' in page
    overall = (built / "dg-zhanlanguan/2022/index.html").read_text(encoding="utf-8")
    assert "来源：" in overall and "（发布日期 <time class=\"nowrap\" datetime=\"2022-02-17\">2022-02-17</time>）" in overall
    # one attachment a project: the unit-year page lists both
    tangxi = (built / "219001/2022/index.html").read_text(encoding="utf-8")
    assert "download?id=502364&amp;siteId=2" in tangxi and "download?id=502367&amp;siteId=2" in tangxi


def test_the_pdf_document_info_names_the_source(built):
    project = next(p for p in load_content(CONTENT).content.projects() if p.url == f"/{JISHAN}/")
    subject = pypdf.PdfReader(built / project_pdf_path(project)).metadata["/Subject"]
    assert subject.startswith("来源：") and JISHAN_SOURCE in subject


def test_the_open_data_has_the_source_the_basis_and_the_licence(built):
    rows = list(csv.DictReader(io.StringIO((built / "data/all.csv").read_bytes().decode("utf-8-sig"))))
    [row] = [r for r in rows if r["indicator"] == "全县参合人数"]
    assert (row["met"], row["met_basis"], row["source_url"]) == ("未达成", "inferred", JISHAN_SOURCE)
    assert {r["source_url"] for r in rows if r["agency_id"] == "418001"} == {""}  # a seed table without an address
    document = json.loads((built / "data/all.json").read_text(encoding="utf-8"))
    jishan = next(d for d in document["disclosures"] if d["agency"]["id"] == "jishan-ybj")
    assert jishan["source"] == [{"url": JISHAN_SOURCE, "title": "建档立卡个人缴费县级配套绩效自评表.xlsx", "published": None}]
    package = json.loads((built / "data/datapackage.json").read_text(encoding="utf-8"))
    assert package["licenses"] == [{"name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/",
                                    "title": "知识共享署名 4.0 国际许可协议"}]
    data_page = (built / "data/index.html").read_text(encoding="utf-8")
    assert 'rel="license">知识共享署名 4.0 国际许可协议</a>（CC-BY-4.0）' in data_page
