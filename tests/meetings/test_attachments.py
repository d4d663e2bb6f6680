"""Minutes attachments (meetings/attachments.py): documents and images, told by their content, never by
their name; the stored and downloaded names end in the extension of what the file is."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from meetings import attachments
from meetings.models import MeetingAttachment
from meetings.services import attachment_add
from tests.meetings import attachment_files as files
from tests.meetings.scheduling import schedule

NOT_ACCEPTED = (
    "Attach a PDF, a Word, Excel or PowerPoint document (or OpenDocument), or a JPEG, PNG or WebP image; "
    "this file is none of these."
)
MACROS = (
    "Documents with macros are not accepted; save it without macros (for example as .docx) "
    "and attach it again."
)
WORD = ("WordDocument", "1Table", "\x05SummaryInformation")


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def add(world, name: str, data: bytes) -> MeetingAttachment:
    return attachment_add(actor=world.liaison, meeting=schedule(world), file=files.upload(name, data))


def refused(world, name: str, data: bytes) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        add(world, name, data)
    assert not MeetingAttachment.objects.exists()
    return caught.value.message_dict["file"]


@pytest.mark.parametrize(("name", "data", "shown"), [
    ("签到表.pdf", files.pdf(), "签到表.pdf"),
    ("会议纪要.docx", files.docx(), "会议纪要.docx"),
    ("签到.xlsx", files.xlsx(), "签到.xlsx"),
    ("学习材料.pptx", files.pptx(), "学习材料.pptx"),
    ("纪要.odt", files.odt(), "纪要.odt"),
    ("旧纪要.doc", files.compound(*WORD), "旧纪要.doc"),
    ("旧名单.xls", files.compound("Workbook", "\x05SummaryInformation"), "旧名单.xls"),
    ("现场.JPEG", files.image("JPEG"), "现场.jpg"),
    ("现场.png", files.image("PNG"), "现场.png"),
    ("现场.webp", files.image("WEBP"), "现场.webp"),
    # the name follows the content
    ("纪要.pdf", files.docx(), "纪要.docx"),
    ("scan", files.image("PNG"), "scan.png"),
    ("纪要.2024", files.pdf(), "纪要.2024.pdf"),
])
def test_documents_and_images_are_kept_under_the_extension_of_their_content(world, private_media, name, data,
                                                                            shown):
    attachment = add(world, name, data)
    assert attachment.name == shown
    assert attachment.file.name.endswith("." + shown.rsplit(".", 1)[1])
    assert str(private_media) in attachment.file.path
    with attachment.file.open("rb") as stored:
        assert stored.read() == data


def test_a_word_document_whose_directory_runs_over_several_sectors(world):
    names = ("\x05SummaryInformation", "\x05DocumentSummaryInformation", "1Table", "CompObj", "Data")
    names += ("WordDocument",)  # the 7th entry: in the directory's second sector
    assert add(world, "长.doc", files.compound(*names)).name == "长.doc"


@pytest.mark.parametrize(("name", "data"), [
    ("纪要.pdf", files.HTML),  # a web page named .pdf
    ("纪要.docx", files.EXE),  # a program named .docx
    ("纪要.txt", "一、传达会议精神".encode()),
    ("纪要.zip", files._zip({"纪要.txt": "一、"})),  # a zip that is no document
    ("纪要.docx", files.docx()[:300]),  # cut short
    ("纪要.doc", files.compound("Unknown")),  # an OLE file that is no Office document
    ("纪要.pdf", b"%PDF-1.7\n<html><script>alert(1)</script>"),  # a PDF header and nothing of a PDF
    ("photo.png", files.image("PNG")[:40]),
])
def test_anything_else_is_refused_by_its_content(world, name, data):
    assert refused(world, name, data) == [NOT_ACCEPTED]


@pytest.mark.parametrize(("name", "data"), [
    ("纪要.docm", files.docx(content_type=files.WORD_MACROS, extra={"word/vbaProject.bin": b"\x00"})),
    ("纪要.docx", files.docx(extra={"word/vbaProject.bin": b"\x00"})),
    ("纪要.doc", files.compound(*WORD, "Macros")),
    ("名单.xls", files.compound("Workbook", "_VBA_PROJECT_CUR")),
    ("纪要.odt", files.odt(extra={"Basic/Standard/Module1.xml": "<script/>"})),
])
def test_documents_with_macros_are_refused(world, name, data):
    assert refused(world, name, data) == [MACROS]


def test_a_decompression_bomb_is_refused_before_it_is_decoded(world):
    bomb = files.image("PNG", size=(10_000, 5_000), mode="1")  # 50 megapixels in a few kilobytes
    assert len(bomb) < 100_000
    message = "The image has more than 40 megapixels; attach a smaller one."
    assert refused(world, "bomb.png", bomb) == [message]


def test_a_file_over_the_size_limit_is_refused(world, monkeypatch):
    data = files.pdf()
    monkeypatch.setattr(attachments, "MAX_BYTES", len(data) - 1)
    assert refused(world, "a.pdf", data) == ["The file is larger than 15 MB; attach a smaller one."]


def test_the_page_says_what_is_accepted_and_stores_nothing_refused(client, world, private_media):
    meeting = schedule(world)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.force_login(world.liaison)
    url = reverse("meetings:minutes", args=[meeting.pk])
    page = client.get(url).text
    assert 'accept=".pdf,.docx,.xlsx,' in page and "OpenDocument without macros" in page

    response = client.post(url, {"file": files.upload("纪要.pdf", files.HTML)})
    assert response.status_code == 200
    assert NOT_ACCEPTED in response.text
    assert not meeting.attachments.exists()
    assert not private_media.exists() or not any(p.is_file() for p in private_media.rglob("*"))

    response = client.post(url, {"file": files.upload("纪要.pdf", files.pdf())})
    assert response.status_code == 302
    attachment = meeting.attachments.get()
    download = client.get(reverse("meetings:attachment", args=[meeting.pk, attachment.pk]))
    assert download["Content-Type"] == "application/pdf"
    assert 'filename*=utf-8\'\'%E7%BA%AA%E8%A6%81.pdf' in download["Content-Disposition"]


def test_the_refusal_is_in_chinese_by_default(world):
    with translation.override("zh-hans"):
        messages = refused(world, "纪要.pdf", files.HTML)
    assert messages == [
        "请上传 PDF、Word、Excel 或 PowerPoint 文档（或 OpenDocument 文档），"
        "或 JPEG、PNG、WebP 图片；此文件不属于以上类型。"
    ]
