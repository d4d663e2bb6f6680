"""Roster import and export (django-import-export), as .xlsx and .csv.

The roster file (a CSV in UTF-8 or GB18030, or the first sheet of an .xlsx) has one heading row and
one member per row. Its columns come in any order; a heading may be the key below (`_` or space),
its label in any of the site's languages, or a usual Chinese heading (CHINESE_HEADINGS):

    key              label                               required  notes
    name             Name                                yes
    id_number        ID number                           yes       18 characters; sex and birth date
                                                                   are read from it
    phone            Mobile number                                 11 digits starting with 1
    ethnicity        Ethnicity                                     blank means 汉族
    education        Education                                     code or label
    university       University
    graduation_year  Graduation year
    home_township    Home township                                 a township's name
    work_place       Work city                                     a work place's name
    employer         Employer
    joined_party_on  Joined the Party on                 yes       YYYY-MM-DD
    full_member_on   Became a full member on             yes       blank for probationary members
    status           Status                              yes       full / probationary, or a label such
                                                                   as 正式党员 / 预备党员
    organization     Organization code                   yes       an organization the importer manages
    member_since     Member of this organization since             blank means today

Row numbers in messages are the spreadsheet's: the heading is row 1. Files are read through
ebranch.lib.tabular, which stops at the first row, column or cell past the limits below (blank rows
count toward a second ROSTER_IMPORT_MAX_ROWS) and checks an .xlsx archive before unpacking it; a
formula saved without its value is refused rather than read as a blank. Rows are created through
`member_create`; an import is all-or-nothing. Exports mask ID and mobile numbers and put a single
quote before any cell that a spreadsheet could read as a formula.
"""

import datetime
import re

import tablib
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import resources
from import_export.fields import Field
from import_export.formats import base_formats
from openpyxl.utils.cell import get_column_letter

from branches.models import Township, WorkPlace
from ebranch.lib import tabular

from .forms import member_date_errors
from .models import Member
from .services import member_create
from .validators import id_birth_date, normalize_id_number, validate_id_number, validate_phone

ROSTER_COLUMNS = {
    "name": gettext_lazy("Name"),
    "id_number": gettext_lazy("ID number"),
    "phone": gettext_lazy("Mobile number"),
    "ethnicity": gettext_lazy("Ethnicity"),
    "education": gettext_lazy("Education"),
    "university": gettext_lazy("University"),
    "graduation_year": gettext_lazy("Graduation year"),
    "home_township": gettext_lazy("Home township"),
    "work_place": gettext_lazy("Work city"),
    "employer": gettext_lazy("Employer"),
    "joined_party_on": gettext_lazy("Joined the Party on"),
    "full_member_on": gettext_lazy("Became a full member on"),
    "status": gettext_lazy("Status"),
    "organization": gettext_lazy("Organization code"),
    "member_since": gettext_lazy("Member of this organization since"),
}
#: headings and values of rosters kept in Chinese, accepted whatever the site's catalogue says
CHINESE_HEADINGS = {
    "name": ("姓名",), "id_number": ("身份证号", "身份证号码", "公民身份号码"),
    "phone": ("手机", "手机号", "手机号码", "联系电话"), "ethnicity": ("民族",), "education": ("学历",),
    "university": ("毕业院校", "毕业学校"), "graduation_year": ("毕业年份", "毕业时间"),
    "home_township": ("户籍乡镇", "籍贯乡镇", "乡镇"), "work_place": ("工作城市", "工作地"),
    "employer": ("工作单位",), "joined_party_on": ("入党时间", "入党日期"),
    "full_member_on": ("转正时间", "转正日期"), "status": ("党员类别", "人员类别", "状态"),
    "organization": ("组织代码", "支部代码"), "member_since": ("转入本组织时间", "转入时间"),
}
CHINESE_CHOICES = {
    "full": ("正式党员", "正式"), "probationary": ("预备党员", "预备"),
    "college": ("大专", "专科"), "bachelor": ("本科", "大学本科"), "master": ("硕士", "硕士研究生"),
    "doctor": ("博士", "博士研究生"),
}
REQUIRED_COLUMNS = ("name", "id_number", "joined_party_on", "full_member_on", "status", "organization")
#: model fields whose errors belong to a column
ERROR_COLUMNS = {"id_number_digest": "id_number", "birth_date": "id_number", "sex": "id_number",
                 "phone_digest": "phone"}
HEADER_ROWS = 1
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
#: limits of one roster file besides ROSTER_IMPORT_MAX_ROWS and ROSTER_IMPORT_MAX_BYTES (ebranch.lib.tabular)
MAX_COLUMNS = 50
MAX_CELL_CHARS = 500
MAX_PARTS = 200  # parts of an .xlsx archive
UNPACKED_PER_BYTE = 4  # an .xlsx unpacks to at most 4 times ROSTER_IMPORT_MAX_BYTES
DATE_PATTERN = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")


# File-level problems: shown on the upload form, before any row is read.

class RosterFileError(ValidationError):
    pass


def not_a_spreadsheet() -> RosterFileError:
    return RosterFileError(
        _("This file is not a spreadsheet that can be read. Upload an .xlsx or .csv file "
          "(save an old .xls file as .xlsx first)."),
        code="not_spreadsheet",
    )


def too_large() -> RosterFileError:
    return RosterFileError(
        _("This file is too large: at most %(size)s MB and %(rows)s members at a time. "
          "Split it into smaller files.")
        % {"size": round(settings.ROSTER_IMPORT_MAX_BYTES / 1024 / 1024, 1),
           "rows": settings.ROSTER_IMPORT_MAX_ROWS},
        code="too_large",
    )


def _expired() -> RosterFileError:
    return RosterFileError(_("The uploaded file is no longer available; upload it again."), code="expired")


def column_label(key: str) -> str:
    return str(ROSTER_COLUMNS.get(ERROR_COLUMNS.get(key, key), key))


def _heading_aliases() -> dict[str, str]:
    aliases = {}
    for key, label in ROSTER_COLUMNS.items():
        aliases[_fold(key)] = key
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                aliases[_fold(str(label))] = key
        for heading in CHINESE_HEADINGS.get(key, ()):
            aliases[_fold(heading)] = key
    return aliases


def _fold(text: str) -> str:
    return " ".join(str(text).replace("_", " ").split()).casefold()


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


def roster_limits() -> tabular.Limits:
    """Members are limited to ROSTER_IMPORT_MAX_ROWS; blank rows count toward as many again."""
    return tabular.Limits(
        rows=HEADER_ROWS + 2 * settings.ROSTER_IMPORT_MAX_ROWS, columns=MAX_COLUMNS,
        cell_chars=MAX_CELL_CHARS, parts=MAX_PARTS,
        unpacked_bytes=UNPACKED_PER_BYTE * settings.ROSTER_IMPORT_MAX_BYTES,
    )


def roster_dataset(rows) -> tablib.Dataset:
    """A dataset with the columns' keys as headers, from an iterable of row lists."""
    keys: list[str] = []
    try:
        return _dataset(iter(rows), keys)
    except tabular.Refused as error:
        raise _refusal(error, keys) from None


def _dataset(rows, keys: list[str]) -> tablib.Dataset:
    header = next(rows, None) or []
    _refuse_uncached_formulas(header, HEADER_ROWS, keys)
    header = [_text(cell) for cell in header]
    while header and not header[-1]:
        header.pop()
    if not header:
        raise RosterFileError(_("The file is empty: it has no heading row and no members."), code="empty")
    keys.extend(_header_keys(header))
    width = len(keys)
    data, pending_blank = [], []
    for number, row in enumerate(rows, start=HEADER_ROWS + 1):
        row = list(row)
        _refuse_uncached_formulas(row, number, keys)
        if any(_text(cell) for cell in row[width:]):
            raise RosterFileError(
                _("Row %(row)s has a value in a column without a heading.") % {"row": number},
                code="columns",
            )
        row = (row + [None] * width)[:width]
        if not any(_text(cell) for cell in row):
            pending_blank.append(row)  # kept only if a member follows, so row numbers stay true
            continue
        data.extend(pending_blank)
        pending_blank = []
        data.append(row)
        if len(data) > settings.ROSTER_IMPORT_MAX_ROWS:
            raise too_large()
    if not data:
        raise RosterFileError(_("The file has a heading row but no members."), code="empty")
    return tablib.Dataset(*data, headers=keys)


def _refuse_uncached_formulas(row, number: int, keys: list[str]) -> None:
    """A formula saved without its value would read as a blank cell: the row is refused instead."""
    for position, cell in enumerate(row, start=1):
        if cell is tabular.UNCACHED_FORMULA:
            message = _("The cell is a formula without a saved value. Open the file in Excel or WPS, "
                        "save it, and upload it again.")
            raise RosterFileError(_cell_message(number, position, keys, message), code="formula")


def _cell_message(row: int, position: int, keys: list[str], message: str) -> str:
    if position <= len(keys):
        column = column_label(keys[position - 1])
    else:
        column = _("column %(letter)s") % {"letter": get_column_letter(position)}
    return _("Row %(row)s, %(column)s: %(message)s") % {"row": row, "column": column, "message": message}


def _refusal(error: tabular.Refused, keys: list[str]) -> RosterFileError:
    """The reader's refusal as a message for the import page."""
    if error.code == tabular.PARTS:
        message = _("This spreadsheet has more than %(count)s parts (sheets, pictures and the like). "
                    "Copy the members into a new workbook, save it as .xlsx and upload that.")
        return RosterFileError(message % {"count": MAX_PARTS}, code="too_large")
    if error.code == tabular.UNPACKED:
        message = _("This spreadsheet is too large once unpacked: at most %(size)s MB. "
                    "Copy the members into a new workbook, save it as .xlsx and upload that.")
        size = round(UNPACKED_PER_BYTE * settings.ROSTER_IMPORT_MAX_BYTES / 1024 / 1024, 1)
        return RosterFileError(message % {"size": size}, code="too_large")
    if error.code == tabular.ROWS:
        message = _("This file has more than %(count)s rows after the heading, blank rows included. "
                    "Delete the empty rows below the members, or split the file.")
        return RosterFileError(message % {"count": 2 * settings.ROSTER_IMPORT_MAX_ROWS}, code="too_large")
    if error.code == tabular.COLUMNS:
        message = _("Row %(row)s has a value past column %(letter)s: a roster has at most %(count)s columns.")
        letter = get_column_letter(MAX_COLUMNS)
        return RosterFileError(message % {"row": error.row, "letter": letter, "count": MAX_COLUMNS},
                               code="columns")
    if error.code == tabular.CELL:
        message = _("The cell is longer than %(count)s characters.") % {"count": MAX_CELL_CHARS}
        return RosterFileError(_cell_message(error.row, error.column, keys, message), code="too_large")
    if error.code == tabular.LONG_ROW:
        message = _("Row %(row)s is too long: a roster row has at most %(columns)s cells of at most "
                    "%(count)s characters.")
        return RosterFileError(message % {"row": error.row, "columns": MAX_COLUMNS, "count": MAX_CELL_CHARS},
                               code="too_large")
    return not_a_spreadsheet()


def _header_keys(header: list[str]) -> list[str]:
    aliases = _heading_aliases()
    keys, unknown, repeated = [], [], []
    for position, heading in enumerate(header, start=1):
        key = aliases.get(_fold(heading))
        if key is None:
            unknown.append(heading or _("(column %(number)s has no heading)") % {"number": position})
        elif key in keys:
            repeated.append(heading)
        keys.append(key)
    missing = [str(ROSTER_COLUMNS[key]) for key in REQUIRED_COLUMNS if key not in keys]
    if unknown or missing or repeated:
        parts = [_("The columns do not match the roster template.")]
        if missing:
            parts.append(_("Missing: %(columns)s.") % {"columns": ", ".join(missing)})
        if unknown:
            parts.append(_("Unknown: %(columns)s.") % {"columns": ", ".join(unknown)})
        if repeated:
            parts.append(_("Repeated: %(columns)s.") % {"columns": ", ".join(repeated)})
        parts.append(_("The columns are: %(columns)s.")
                     % {"columns": ", ".join(str(label) for label in ROSTER_COLUMNS.values())})
        raise RosterFileError(" ".join(parts), code="columns")
    return keys


def _csv_rows(data):
    if data is None:
        raise _expired()
    if len(data) > settings.ROSTER_IMPORT_MAX_BYTES:
        raise too_large()
    return tabular.csv_rows(data, roster_limits())


def _xlsx_rows(data):
    if data is None:
        raise _expired()
    if len(data) > settings.ROSTER_IMPORT_MAX_BYTES:
        raise too_large()
    return tabular.xlsx_rows(data, roster_limits())


class RosterCSV(base_formats.CSV):
    def create_dataset(self, in_stream, **kwargs):
        return roster_dataset(_csv_rows(in_stream))


class RosterXLSX(base_formats.XLSX):
    def create_dataset(self, in_stream):
        return roster_dataset(_xlsx_rows(in_stream))


ROSTER_FORMATS = [RosterXLSX, RosterCSV]


def escape_formula(value):
    """A cell a spreadsheet would run as a formula gets a leading single quote."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def import_error_messages(result) -> list[str]:
    """Every problem of an import, one line each: "Row 3, ID number: …"."""
    lines = [str(error.error) for error in result.base_errors]
    for invalid in result.invalid_rows:
        row = invalid.number + HEADER_ROWS
        for key, messages in invalid.error_dict.items():
            for message in messages:
                if key == NON_FIELD_ERRORS:
                    lines.append(_("Row %(row)s: %(message)s") % {"row": row, "message": message})
                else:
                    lines.append(_("Row %(row)s, %(column)s: %(message)s")
                                 % {"row": row, "column": column_label(key), "message": message})
    for number, errors in result.row_errors():
        for error in errors:
            row = number + HEADER_ROWS
            lines.append(_("Row %(row)s: %(message)s") % {"row": row, "message": error.error})
    return lines


class _RosterDiff(resources.Diff):
    """The preview shows cells as the export does: masked and escaped."""

    def __init__(self, resource, instance, new):
        super().__init__(resource, instance, new)
        self.left = self.cells(resource, instance)

    def compare_with(self, resource, instance):
        self.right = self.cells(resource, instance)

    @staticmethod
    def cells(resource, instance):
        fields = resource.get_import_fields()
        return [escape_formula(resource.export_field(field, instance)) for field in fields]


class MemberResource(resources.ModelResource):
    """The roster as rows. Pass `scope` (the importer's or exporter's) when constructing it."""

    name = Field(column_name=ROSTER_COLUMNS["name"])
    id_number = Field(column_name=ROSTER_COLUMNS["id_number"])
    phone = Field(column_name=ROSTER_COLUMNS["phone"])
    ethnicity = Field(column_name=ROSTER_COLUMNS["ethnicity"])
    education = Field(column_name=ROSTER_COLUMNS["education"])
    university = Field(column_name=ROSTER_COLUMNS["university"])
    graduation_year = Field(column_name=ROSTER_COLUMNS["graduation_year"])
    home_township = Field(column_name=ROSTER_COLUMNS["home_township"])
    work_place = Field(column_name=ROSTER_COLUMNS["work_place"])
    employer = Field(column_name=ROSTER_COLUMNS["employer"])
    joined_party_on = Field(column_name=ROSTER_COLUMNS["joined_party_on"])
    full_member_on = Field(column_name=ROSTER_COLUMNS["full_member_on"])
    status = Field(column_name=ROSTER_COLUMNS["status"])
    organization = Field(column_name=ROSTER_COLUMNS["organization"])
    member_since = Field(column_name=ROSTER_COLUMNS["member_since"])

    class Meta:
        model = Member
        fields = tuple(ROSTER_COLUMNS)
        import_order = tuple(ROSTER_COLUMNS)
        export_order = tuple(ROSTER_COLUMNS)
        clean_model_instances = False
        report_skipped = False
        use_transactions = True

    def __init__(self, scope=None, **kwargs):
        super().__init__()
        self.scope = scope

    @classmethod
    def get_display_name(cls):
        return _("Roster")

    def get_diff_class(self):
        return _RosterDiff

    # Export

    def export_field(self, field, instance, **kwargs):
        key = self.get_field_name(field)
        member = instance
        value = {
            "id_number": lambda: member.masked_id_number,
            "phone": lambda: member.masked_phone,
            "education": lambda: member.get_education_display(),
            "status": lambda: member.get_status_display(),
            "home_township": lambda: member.home_township.name if member.home_township_id else "",
            "work_place": lambda: member.work_place.name if member.work_place_id else "",
            "organization": lambda: member.organization.code if member.organization_id else "",
        }.get(key, lambda: getattr(member, key))()
        return "" if value is None else value

    def export_resource(self, instance, selected_fields=None, **kwargs):
        values = super().export_resource(instance, selected_fields, **kwargs)
        return [escape_formula(value) for value in values]

    def filter_export(self, queryset, **kwargs):
        if self.scope is None:
            return queryset.none()
        return (queryset & self.scope.members()).select_related("organization", "home_township", "work_place")

    # Import

    def before_import(self, dataset, **kwargs):
        if self.scope is None:
            raise ValueError("MemberResource needs the importer's scope to import.")
        self.actor = kwargs.get("user")
        self.townships = {t.name: t for t in Township.objects.all()}
        self.work_places = {w.name: w for w in WorkPlace.objects.all()}
        self.organizations = {o.code: o for o in self.scope.managed_organizations()}
        self.choices = {
            "status": _choice_aliases(Member.Status), "education": _choice_aliases(Member.Education),
        }
        self.first_row_of = {}
        for number, id_number in enumerate(dataset["id_number"], start=HEADER_ROWS + 1):
            self.first_row_of.setdefault(normalize_id_number(_text(id_number)), number)

    def get_or_init_instance(self, instance_loader, row):
        return self.init_instance(row), True

    def skip_row(self, instance, original, row, import_validation_errors=None):
        return not any(_text(value) for value in row.values())

    def import_instance(self, instance, row, **kwargs):
        if not any(_text(value) for value in row.values()):
            return
        number = kwargs["row_number"] + HEADER_ROWS
        parser = _RowParser(self, row, number)
        values = parser.values()
        if parser.errors:
            raise ValidationError({key: [message] for key, message in parser.errors.items()})
        instance.roster_identity = (values.pop("id_number"), values.pop("phone"))
        for key, value in values.items():
            setattr(instance, key, value)
        instance.roster_fields = values

    def do_instance_save(self, instance, is_create):
        id_number, phone = instance.roster_identity
        member = member_create(actor=self.actor, id_number=id_number, phone=phone, **instance.roster_fields)
        for field in Member._meta.concrete_fields:
            setattr(instance, field.attname, getattr(member, field.attname))
        instance._state.adding = False
        instance._state.db = member._state.db


def _choice_aliases(choices) -> dict[str, str]:
    aliases = {}
    for code, label in choices.choices:
        aliases[_fold(code)] = code
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                aliases[_fold(str(label))] = code
        for value in CHINESE_CHOICES.get(code, ()):
            aliases[_fold(value)] = code
    return aliases


class _RowParser:
    """Reads one row into member fields, collecting one message per bad column."""

    def __init__(self, resource: MemberResource, row: dict, number: int):
        self.resource, self.row, self.number = resource, row, number
        self.errors: dict[str, str] = {}

    def cell(self, key):
        return self.row.get(key)

    def text(self, key, *, required=False) -> str:
        value = _text(self.cell(key))
        if required and not value:
            self.errors[key] = _("A value is required.")
        return value

    def values(self) -> dict:
        values = {
            "name": self.text("name", required=True),
            "id_number": self.id_number(),
            "phone": self.phone(),
            "university": self.text("university"),
            "employer": self.text("employer"),
            "graduation_year": self.year("graduation_year"),
            "home_township": self.lookup("home_township", self.resource.townships,
                                         _("There is no township named “%(value)s”.")),
            "work_place": self.lookup("work_place", self.resource.work_places,
                                      _("There is no work city named “%(value)s”.")),
            "organization": self.organization(),
            "status": self.choice("status", required=True),
            "education": self.choice("education"),
            "joined_party_on": self.date("joined_party_on", required=True),
            "full_member_on": self.date("full_member_on"),
        }
        ethnicity = self.text("ethnicity")
        if ethnicity:
            values["ethnicity"] = ethnicity
        member_since = self.date("member_since")
        if member_since:
            values["member_since"] = member_since
        birth_date = id_birth_date(values["id_number"]) if values["id_number"] else None
        rules = member_date_errors(
            status=values["status"], joined_party_on=values["joined_party_on"],
            full_member_on=values["full_member_on"], birth_date=birth_date,
        )
        for key, message in rules.items():
            self.errors.setdefault(key, message)
        return values

    def id_number(self) -> str:
        raw = self.cell("id_number")
        if isinstance(raw, int | float):
            self.errors["id_number"] = _(
                "The spreadsheet stored this ID number as a number, which loses digits; "
                "format the column as text and type it again."
            )
            return ""
        value = self.text("id_number", required=True)
        if not value:
            return ""
        try:
            value = validate_id_number(value)
        except ValidationError as error:
            self.errors["id_number"] = error.messages[0]
            return ""
        first = self.resource.first_row_of.get(value)
        if first is not None and first < self.number:
            self.errors["id_number"] = _("The same ID number is already on row %(row)s.") % {"row": first}
        return value

    def phone(self) -> str:
        value = self.text("phone")
        if not value:
            return ""
        try:
            return validate_phone(value)
        except ValidationError as error:
            self.errors["phone"] = error.messages[0]
            return ""

    def year(self, key):
        value = self.text(key)
        if not value:
            return None
        this_year = timezone.localdate().year
        if not value.isdigit() or not 1950 <= int(value) <= this_year + 10:
            self.errors[key] = _("“%(value)s” is not a year, such as 2015.") % {"value": value}
            return None
        return int(value)

    def date(self, key, *, required=False):
        raw = self.cell(key)
        if isinstance(raw, datetime.datetime):
            return raw.date()
        if isinstance(raw, datetime.date):
            return raw
        value = self.text(key, required=required)
        if not value:
            return None
        match = DATE_PATTERN.fullmatch(value)
        if match is None:
            self.errors[key] = _("“%(value)s” is not a date; write it as YYYY-MM-DD.") % {"value": value}
            return None
        try:
            return datetime.date(*(int(part) for part in match.groups()))
        except ValueError:
            message = _("%(value)s is not a real date; check the month and the day.")
            self.errors[key] = message % {"value": value}
            return None

    def lookup(self, key, table: dict, message: str):
        value = self.text(key)
        if not value:
            return None
        found = table.get(value)
        if found is None:
            self.errors[key] = message % {"value": value}
        return found

    def organization(self):
        value = self.text("organization", required=True)
        if not value:
            return None
        found = self.resource.organizations.get(value)
        if found is None:
            self.errors["organization"] = _(
                "“%(value)s” is not the code of an organization you manage."
            ) % {"value": value}
        return found

    def choice(self, key, *, required=False) -> str:
        value = self.text(key, required=required)
        if not value:
            return ""
        aliases = self.resource.choices[key]
        code = aliases.get(_fold(value))
        if code is None:
            choices = Member.Status if key == "status" else Member.Education
            accepted = ", ".join(f"{code_} / {label}" for code_, label in choices.choices)
            message = _("“%(value)s” is not one of: %(accepted)s.")
            self.errors[key] = message % {"value": value, "accepted": accepted}
            return ""
        return code
