from pathlib import Path

import pytest
from lxml import etree

from htr.formats import FORMATS, FormatError, page_to_bytes, read_page, write_page
from htr.lines import Line, Page, Region

ALTO_NS = {"a": "http://www.loc.gov/standards/alto/ns-v4#"}


def dataset_pages(shared: Path) -> list[Path]:
    files = sorted((shared / "datasets" / "cremma-mss-18").glob("*/*.xml"))
    assert files, "the CREMMA dataset has no ALTO files"
    return files


def a_rich_page() -> Page:
    """Regions interleaved in reading order, a line without region, an empty region, confidences."""
    return Page(
        image="folio 12r.jpg",
        width=1200,
        height=1600,
        regions=[
            Region("r0", [(0, 0), (50, 0), (50, 50)], "MarginTextZone"),
            Region("main", [(0, 0), (1199, 0), (1199, 1599), (0, 1599)]),
            Region("title", [(10, 10), (500, 10), (500, 90)], "heading"),
            Region("empty", [(5, 5), (9, 5), (9, 9)], "StampZone"),
        ],
        lines=[
            Line(
                "l1",
                [(100, 100), (900, 100), (900, 160), (100, 160)],
                [(100, 150), (900, 148)],
                "Monsieur,",
                [0.9, 0.12345, 1.0, 0.0, 0.5, 0.5, 0.5, 0.5, 0.77],
                "main",
            ),
            Line(
                "l2",
                [(100, 20), (400, 20), (400, 80)],
                [(100, 70), (400, 70)],
                "Titre",
                [],
                "title",
            ),
            Line(
                "l3",
                [(100, 200), (900, 200), (900, 260), (100, 260)],
                [(100, 250), (900, 250)],
                "",
                [],
                "main",
            ),
            Line("l4", [], [(10, 500), (90, 500)], "note", [0.3, 0.3, 0.3, 0.3], None),
        ],
    )


def test_it_reads_escriptorium_alto_as_written(shared):
    path = dataset_pages(shared)[0]
    page = read_page(path)
    root = etree.parse(str(path)).getroot()
    xml_lines = root.findall(".//a:TextLine", ALTO_NS)
    assert page.image == root.findtext(".//a:fileName", namespaces=ALTO_NS).strip()
    page_el = root.find(".//a:Page", ALTO_NS)
    assert (page.width, page.height) == (
        int(page_el.get("WIDTH")),
        int(page_el.get("HEIGHT")),
    )
    assert [ln.id for ln in page.lines] == [el.get("ID") for el in xml_lines]
    assert [ln.text for ln in page.lines] == [el.find("a:String", ALTO_NS).get("CONTENT") for el in xml_lines]
    first = xml_lines[0]
    nums = [int(v) for v in first.find("a:Shape/a:Polygon", ALTO_NS).get("POINTS").split()]
    assert page.lines[0].polygon == list(zip(nums[::2], nums[1::2]))
    base = [int(v) for v in first.get("BASELINE").split()]
    assert page.lines[0].baseline == list(zip(base[::2], base[1::2]))
    assert page.lines[0].region == first.getparent().get("ID")
    # eScriptorium's block types come through as region kinds
    assert {r.kind for r in page.regions} <= {
        "MainZone",
        "NumberingZone",
        "TitlePageZone",
        "MarginTextZone",
        "CustomZone",
        "StampZone",
        "GraphicZone",
        "TableZone",
        "QuireMarksZone",
        "text",
    }
    assert "MainZone" in {r.kind for r in page.regions}


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_dataset_page_survives_a_round_trip(shared, fmt):
    for path in dataset_pages(shared):
        page = read_page(path)
        assert page.lines, path
        assert read_page(page_to_bytes(page, fmt)) == page, f"{path.name} changed through {fmt}"


def test_alto_to_page_to_alto_gives_back_the_same_page(shared, tmp_path):
    path = dataset_pages(shared)[10]
    page = read_page(path)
    as_page = write_page(page, tmp_path / "p.xml", "page")
    back = write_page(read_page(as_page), tmp_path / "a.xml", "alto")
    assert read_page(back) == page


@pytest.mark.parametrize("fmt", FORMATS)
def test_it_keeps_confidences_regions_and_reading_order(fmt):
    page = a_rich_page()
    back = read_page(page_to_bytes(page, fmt))
    assert [ln.id for ln in back.lines] == ["l1", "l2", "l3", "l4"]
    assert [ln.region for ln in back.lines] == ["main", "title", "main", None]
    assert [(r.id, r.kind) for r in back.regions] == [(r.id, r.kind) for r in page.regions]
    assert back.lines[0].confidences == pytest.approx(page.lines[0].confidences, abs=1e-4)
    assert back.lines[3].confidences == pytest.approx([0.3] * 4, abs=1e-4)
    for before, after in zip(page.lines, back.lines):
        assert (after.polygon, after.baseline, after.text) == (
            before.polygon,
            before.baseline,
            before.text,
        )
    assert (back.image, back.width, back.height) == ("folio 12r.jpg", 1200, 1600)


def test_alto_confidences_follow_the_standard_scale():
    page = a_rich_page()
    root = etree.fromstring(page_to_bytes(page, "alto"))
    string = root.find(".//a:TextLine[@ID='l1']/a:String", ALTO_NS)
    cc = [float(v) for v in string.get("CC").split()]
    assert cc[2] == 0 and cc[3] == 9  # 0 = sure, 9 = unsure
    assert float(string.get("WC")) == pytest.approx(sum(page.lines[0].confidences) / 9, abs=1e-4)


def test_it_reads_baselines_written_with_commas():
    xml = b"""<alto xmlns="http://www.loc.gov/standards/alto/ns-v4#"><Layout><Page WIDTH="10" HEIGHT="10">
      <PrintSpace><TextBlock ID="b"><TextLine ID="t" BASELINE="1,9 30,8.6 60,9"><String CONTENT="a"/>
      </TextLine></TextBlock></PrintSpace></Page></Layout></alto>"""
    assert read_page(xml).lines[0].baseline == [(1, 9), (30, 9), (60, 9)]


def test_it_reads_single_digit_cc_and_joins_several_strings():
    xml = b"""<alto xmlns="http://www.loc.gov/standards/alto/ns-v3#"><Layout><Page WIDTH="10" HEIGHT="10">
      <PrintSpace><TextBlock ID="b"><TextLine ID="t" HPOS="1" VPOS="2" WIDTH="3" HEIGHT="4">
      <String CONTENT="ab" CC="09"/><SP/><String CONTENT="c" WC="0.5"/></TextLine></TextBlock></PrintSpace>
      </Page></Layout></alto>"""
    line = read_page(xml).lines[0]
    assert line.text == "ab c"
    assert line.confidences == pytest.approx([1.0, 0.0, 0.0, 0.5])
    assert line.polygon == [(1, 2), (4, 2), (4, 6), (1, 6)]


def test_it_reads_page_xml_of_another_year_with_word_level_text():
    xml = b"""<PcGts xmlns="http://schema.primaresearch.org/PAGE/gts/pagecontent/2013-07-15">
      <Page imageFilename="x.png" imageWidth="20" imageHeight="30"><TextRegion id="r" type="paragraph">
      <Coords points="0,0 19,0 19,29"/><TextLine id="t"><Coords points="1,1 9,1 9,5"/>
      <Baseline points="1,4 9,4"/><Word id="w1"><Coords points="1,1 2,2 1,2"/><TextEquiv><Unicode>bon</Unicode>
      </TextEquiv></Word><Word id="w2"><Coords points="1,1 2,2 1,2"/><TextEquiv><Unicode>jour</Unicode></TextEquiv>
      </Word></TextLine></TextRegion></Page></PcGts>"""
    page = read_page(xml)
    assert (page.image, page.width, page.height) == ("x.png", 20, 30)
    assert page.regions == [Region("r", [(0, 0), (19, 0), (19, 29)], "paragraph")]
    assert page.lines == [Line("t", [(1, 1), (9, 1), (9, 5)], [(1, 4), (9, 4)], "bon jour", [], "r")]


def test_the_image_name_can_be_overridden(shared):
    path = dataset_pages(shared)[0]
    assert read_page(path, image_name="renamed.jpg").image == "renamed.jpg"
    assert read_page(path.read_bytes(), image_name="renamed.jpg").image == "renamed.jpg"


def test_it_rejects_xml_that_is_neither_alto_nor_page():
    with pytest.raises(FormatError, match="unknown page format.*<html>"):
        read_page(b"<html><body/></html>")


def test_it_rejects_broken_empty_and_missing_files(tmp_path):
    with pytest.raises(FormatError, match="not well-formed XML"):
        read_page(b"<alto><Layout>")
    with pytest.raises(FormatError, match="empty file"):
        read_page(b"  \n")
    with pytest.raises(FormatError, match="no such file"):
        read_page(tmp_path / "nowhere.xml")
    with pytest.raises(FormatError, match="not valid JSON"):
        read_page(b"{lines: oops}")


def test_it_does_not_expand_external_entities(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    xml = f"""<?xml version="1.0"?><!DOCTYPE alto [<!ENTITY x SYSTEM "file://{secret}">]>
      <alto xmlns="http://www.loc.gov/standards/alto/ns-v4#"><Layout><Page WIDTH="1" HEIGHT="1"><PrintSpace>
      <TextBlock ID="b"><TextLine ID="t"><String CONTENT="a"/>&x;</TextLine></TextBlock></PrintSpace></Page>
      </Layout></alto>""".encode()
    page = read_page(xml)
    assert "TOP-SECRET" not in page.text


def test_it_refuses_an_unknown_output_format():
    with pytest.raises(ValueError, match="unknown page format 'hocr'"):
        page_to_bytes(a_rich_page(), "hocr")
