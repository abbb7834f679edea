"""The Word chapter (report.docx): its content from the run's tables, and the document as
LibreOffice prints it (page count, every figure present, the Chinese text in CJK fonts)."""

from __future__ import annotations

import re
import shutil
import subprocess

import pandas as pd
import pytest

from model import chapter
from model.chapter import Figure, Heading, Table


@pytest.fixture(scope="module")
def blocks(shared_run, shared_run_folder):
    from model.workbook import assumptions

    charts = [(path, path.stem, "source") for path in sorted((shared_run_folder / "charts").glob("*.png"))]
    return chapter.chapter_blocks(shared_run, charts, assumptions(shared_run.scenario, shared_run.derived, "zh"), "zh")


def test_the_chapter_has_the_sections_of_a_planning_analysis(blocks):
    sections = [b.words for b in blocks if isinstance(b, Heading) and b.level == 1]
    assert sections == ["一、现状", "二、趋势预测", "三、养老服务供需缺口", "四、情景比较", "五、主要假设与资料来源"]
    assert isinstance(blocks[0], Heading) and blocks[0].words == "晋中市人口老龄化与养老服务供需分析（2020—2035年）"


def test_tables_have_the_milestone_years_as_columns_in_reader_units(blocks, shared_run):
    tables = [b.table for b in blocks if isinstance(b, Table)]
    population = next(t for t in tables if t.key == "population")
    assert list(population.frame.columns) == ["名称", "单位", "2020", "2025", "2030", "2035"]
    row = population.frame.set_index("名称").loc["60岁及以上人口占比"]
    csv = shared_run.tables["indicators"].query("indicator == 'share_60plus'").set_index("year")["value"]
    assert row["单位"] == "%" and row["2030"] == round(100 * csv[2030], 2)
    pension = next(t for t in tables if t.key == "pension").frame.set_index("名称")
    transfer = shared_run.tables["pension"].query("scheme == 'employee' and metric == 'required_transfer' and year == 2035")
    assert pension.at["需统筹调剂弥补的缺口", "单位"] == "亿元"
    assert pension.at["需统筹调剂弥补的缺口", "2035"] == round(transfer["value"].item() / 1e8, 2)
    care = next(t for t in tables if t.key == "care").frame.set_index("名称")
    assert care.at["床位缺口（需求−供给）", "单位"] == "张"
    assert all(t.note for t in tables)   # every table has its source line
    appendix = next(t for t in tables if t.key == "assumptions").frame
    assert len(appendix) and not appendix["资料来源" if "资料来源" in appendix else "来源"].str.startswith("假设").any()


def test_the_text_quotes_the_tables(blocks, shared_run, shared_run_folder):
    text = " ".join(b.words for b in blocks if isinstance(b, chapter.Paragraph))
    end = shared_run.tables["indicators"].query("indicator == 'population_total' and year == 2035")["value"].item()
    assert f"常住人口为{end / 1e4:,.2f}万人" in text
    gap = shared_run.tables["care"].query("metric == 'bed_gap' and year == 2035")["value"].item()
    assert f"床位缺口为{gap:,.0f}张" in text
    assert "已进入老龄化社会" in text          # 12.99% aged 65+ in 2020: an ageing society (7–14%)
    assert "是假设而非结论" in text             # the care mixes' "chose family care" is labelled an assumption
    figures = [b.path.stem for b in blocks if isinstance(b, Figure)]   # every chart of the run, once
    assert sorted(figures) == sorted(p.stem for p in (shared_run_folder / "charts").glob("*.png"))


def test_ageing_stages_follow_the_65plus_thresholds():
    assert [chapter.ageing_stage(s, "zh") for s in (0.05, 0.07, 0.1299, 0.14, 0.2, 0.25)] == [
        "年轻型", "老龄化", "老龄化", "深度老龄化", "超级老龄化", "超级老龄化"]


@pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdftotext") is None,
                    reason="needs LibreOffice and poppler-utils (.ci/run installs them)")
def test_the_word_chapter_prints_with_every_figure_and_no_missing_glyph(shared_run_folder, tmp_path):
    docx = shared_run_folder / "report.docx"
    done = subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "pdf",
                           "--outdir", str(tmp_path), str(docx)], capture_output=True, text=True, timeout=180)
    pdf = tmp_path / "report.pdf"
    assert pdf.exists(), done.stderr
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    assert 6 <= pages <= 20, pages
    charts = list((shared_run_folder / "charts").glob("*.png"))
    images = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True).stdout.splitlines()[2:]
    assert len([line for line in images if line.split()[2] == "image"]) == len(charts)   # (not their alpha masks)
    printed = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    numbers = {int(n) for n in re.findall(r"图\s*(\d+)\s", printed)}   # LibreOffice spaces 图 and the number
    assert numbers == set(range(1, len(charts) + 1))
    assert re.search(r"表\s*1\s", printed) and "五、主要假设与资料来源" in printed and "\ufffd" not in printed
    # Every font is embedded and the Chinese text is set in a CJK font, not a Latin fallback.
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout.splitlines()[2:]
    assert fonts and all(" yes " in line for line in fonts)
    assert any("CJK" in line for line in fonts)
    frame = pd.DataFrame({"font": [line.split()[0] for line in fonts]})
    assert not frame.font.str.contains("LastResort|Unknown").any()


def test_the_english_chapter_names_the_region_and_its_units_in_english(shared_run, shared_run_folder):
    from model.workbook import assumptions

    blocks = chapter.chapter_blocks(shared_run, [], assumptions(shared_run.scenario, shared_run.derived, "en"), "en")
    assert blocks[0].words == "Jinzhong: population ageing and elder care, 2020–2035"
    population = next(b.table for b in blocks if isinstance(b, Table) and b.table.key == "population").frame
    assert population.set_index("Name").at["Resident population", "Unit"] == "thousand"
    text = " ".join(b.words for b in blocks if isinstance(b, chapter.Paragraph))
    assert "had 3,379.5 thousand residents" in text and not any("\u4e00" <= c <= "\u9fff" for c in text)
