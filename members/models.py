import datetime
import uuid

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from branches.models import Organization, Township, WorkPlace
from ebranch.lib import crypto
from ebranch.lib.masking import mask_id_number, mask_phone

from .validators import normalize_id_number, normalize_phone, validate_id_number, validate_phone


def digest_id_number(value: str) -> str:
    """The keyed hash to look an ID number up by: of its normal form, as `set_id_number` stores it."""
    return crypto.digest(normalize_id_number(value))


def digest_phone(value: str) -> str:
    """The keyed hash to look a mobile number up by: of its normal form, as `set_phone` stores it."""
    return crypto.digest(normalize_phone(value))


class EncryptedIdNumber:
    """Reads and writes `id_number_encrypted` and its look-up digest `id_number_digest`. Every write goes
    through the validator, so only the normal form (ASCII, upper-case X) is encrypted and hashed."""

    @property
    def id_number(self) -> str:
        return crypto.decrypt(self.id_number_encrypted)

    def set_id_number(self, value: str) -> None:
        value = validate_id_number(value) if value else ""
        self.id_number_encrypted = crypto.encrypt(value)
        self.id_number_digest = crypto.digest(value)

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)


class EncryptedPhone:
    """Reads and writes `phone_encrypted` and its look-up digest `phone_digest`; only the normal form (11
    ASCII digits) is stored, as for ID numbers."""

    @property
    def phone(self) -> str:
        return crypto.decrypt(self.phone_encrypted)

    def set_phone(self, value: str) -> None:
        value = validate_phone(value) if value else ""
        self.phone_encrypted = crypto.encrypt(value)
        self.phone_digest = crypto.digest(value)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email=None, password=None, *, phone="", **fields):
        email = self.normalize_email(email) or None
        user = self.model(email=email, **fields)
        user.set_phone(phone)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email=None, password=None, **fields):
        fields.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **fields)


class EmailDelivery(models.TextChoices):
    IMMEDIATE = "immediate", _("as each notification arrives")
    DAILY = "daily", _("in one daily digest")
    NONE = "none", _("not at all")


class User(EncryptedPhone, AbstractBaseUser, PermissionsMixin):
    """An account. Members sign in with their mobile number or email address."""

    email = models.EmailField(_("email address"), unique=True, null=True, blank=True)
    phone_encrypted = models.TextField(_("mobile number (encrypted)"), blank=True, editable=False)
    phone_digest = models.CharField(max_length=64, blank=True, editable=False, db_index=True)
    display_name = models.CharField(_("name"), max_length=50, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("site administrator"), default=False)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    email_delivery = models.CharField(
        _("notifications by email"), max_length=10, choices=EmailDelivery.choices,
        default=EmailDelivery.IMMEDIATE,
    )
    calendar_token = models.CharField(max_length=64, blank=True, editable=False, db_index=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        constraints = [
            models.UniqueConstraint(
                fields=["phone_digest"], condition=~Q(phone_digest=""), name="user_phone_unique"
            ),
            models.CheckConstraint(
                condition=Q(email__isnull=False) | ~Q(phone_digest=""), name="user_has_login"
            ),
        ]

    def __str__(self):
        return self.display_name or self.masked_phone or self.email or str(self.pk)

    def get_full_name(self):
        return self.display_name

    def get_short_name(self):
        return self.display_name


class VerifiedVia(models.TextChoices):
    ROSTER = "roster", _("matching the roster")
    REVIEW = "review", _("review by the branch")
    OFFICER = "officer", _("an officer's link")


class OnRosterManager(models.Manager):
    """Members on a roster in the portal. Those who transferred to an organization outside the portal
    keep their record for history: `Member.records` includes them."""

    def get_queryset(self):
        return super().get_queryset().filter(left_on__isnull=True)


class Member(EncryptedIdNumber, EncryptedPhone, models.Model):
    """A Party member on a branch roster; the account is linked once they sign up."""

    class Sex(models.TextChoices):
        MALE = "male", _("male")
        FEMALE = "female", _("female")

    class Status(models.TextChoices):
        FULL = "full", _("full member")
        PROBATIONARY = "probationary", _("probationary member")

    class Education(models.TextChoices):
        COLLEGE = "college", _("college diploma")
        BACHELOR = "bachelor", _("bachelor's degree")
        MASTER = "master", _("master's degree")
        DOCTOR = "doctor", _("doctorate")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="member", verbose_name=_("account"),
    )
    name = models.CharField(_("full name"), max_length=50)
    sex = models.CharField(_("sex"), max_length=6, choices=Sex.choices)
    ethnicity = models.CharField(_("ethnicity"), max_length=20, default="汉族")
    birth_date = models.DateField(_("birth date"))
    id_number_encrypted = models.TextField(_("ID number (encrypted)"), editable=False)
    id_number_digest = models.CharField(max_length=64, unique=True, editable=False)
    phone_encrypted = models.TextField(_("mobile number (encrypted)"), blank=True, editable=False)
    phone_digest = models.CharField(max_length=64, blank=True, editable=False, db_index=True)
    education = models.CharField(_("education"), max_length=10, choices=Education.choices, blank=True)
    university = models.CharField(_("university"), max_length=100, blank=True)
    graduation_year = models.PositiveSmallIntegerField(_("graduation year"), null=True, blank=True)
    home_township = models.ForeignKey(
        Township, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("home township")
    )
    work_place = models.ForeignKey(
        WorkPlace, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("work city")
    )
    employer = models.CharField(_("employer"), max_length=100, blank=True)
    joined_party_on = models.DateField(_("joined the Party on"))
    full_member_on = models.DateField(_("became a full member on"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="members", verbose_name=_("organization")
    )
    member_since = models.DateField(_("member of this organization since"), default=datetime.date.today)
    left_on = models.DateField(
        _("left the portal on"), null=True, blank=True, editable=False,
        help_text=_("Set when the membership was transferred to an organization outside the portal."),
    )
    verified_via = models.CharField(
        _("identity verified by"), max_length=10, choices=VerifiedVia.choices, blank=True
    )
    verified_at = models.DateTimeField(_("identity verified at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OnRosterManager()
    records = models.Manager()  # noqa: DJ012 (a second manager, not a field)

    class Meta:
        ordering = ["name", "pk"]
        base_manager_name = "records"
        verbose_name = _("member")
        verbose_name_plural = _("members")
        indexes = [models.Index(fields=["organization", "name"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="probationary", full_member_on__isnull=True)
                | Q(status="full", full_member_on__isnull=False),
                name="member_full_date_matches_status",
            ),
            models.CheckConstraint(
                condition=Q(full_member_on__isnull=True) | Q(full_member_on__gte=models.F("joined_party_on")),
                name="member_full_after_joining",
            ),
        ]

    def __str__(self):
        return self.name


class PositionQuerySet(models.QuerySet):
    def active(self, on: datetime.date | None = None):
        on = on or timezone.localdate()
        return self.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on), starts_on__lte=on)


class Position(models.Model):
    """An officer's position in an organization, held from a start date to an optional end date."""

    class Kind(models.TextChoices):
        SECRETARY = "secretary", _("secretary")
        DEPUTY_SECRETARY = "deputy_secretary", _("deputy secretary")
        COMMITTEE_MEMBER = "committee_member", _("committee member")
        LIAISON_OFFICER = "liaison_officer", _("liaison officer")
        GENERAL_BRANCH_OFFICER = "general_branch_officer", _("general-branch officer")
        COUNTY_STAFF = "county_staff", _("county organization-department staff")

    COMMITTEE_KINDS = (Kind.SECRETARY, Kind.DEPUTY_SECRETARY, Kind.COMMITTEE_MEMBER)
    OVERSIGHT_KINDS = (Kind.GENERAL_BRANCH_OFFICER, Kind.COUNTY_STAFF)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="positions",
        verbose_name=_("account"),
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="positions", verbose_name=_("organization")
    )
    kind = models.CharField(_("position"), max_length=30, choices=Kind.choices)
    starts_on = models.DateField(_("starts on"), default=datetime.date.today)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    contact_phone = models.CharField(
        _("contact phone for members"), max_length=20, blank=True,
        help_text=_("The number members may call about branch matters; shown to the organization's members."),
    )

    objects = PositionQuerySet.as_manager()

    class Meta:
        ordering = ["organization", "kind", "starts_on"]
        verbose_name = _("officer position")
        verbose_name_plural = _("officer positions")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="position_ends_after_start",
            ),
            models.UniqueConstraint(
                fields=["organization"],
                condition=Q(kind="secretary", ends_on__isnull=True),
                name="position_one_open_secretary",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.organization}"


def private_storage():
    """Storage for files with personal data: under PRIVATE_MEDIA_ROOT, with no URL."""
    from .photos import PrivateStorage

    return PrivateStorage()


def id_photo_path(claim, filename: str) -> str:
    return f"id-photos/{claim.user_id}/{uuid.uuid4().hex}.jpg"


class VerificationClaim(EncryptedIdNumber, models.Model):
    """A signed-up user's claim to be a roster member (实名认证), and its decision."""

    class Status(models.TextChoices):
        MATCHED = "matched", _("verified by the roster")
        PENDING = "pending", _("waiting for the branch")
        MORE_INFO = "more_info", _("more information asked")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")
        CONFLICT = "conflict", _("ID number already claimed")
        WITHDRAWN = "withdrawn", _("withdrawn")

    OPEN = (Status.PENDING, Status.MORE_INFO, Status.CONFLICT)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="verification_claims",
        verbose_name=_("account"),
    )
    name = models.CharField(_("full name"), max_length=50)
    id_number_encrypted = models.TextField(_("ID number (encrypted)"), editable=False)
    id_number_digest = models.CharField(max_length=64, editable=False, db_index=True)
    work_place = models.ForeignKey(
        WorkPlace, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("work city")
    )
    home_township = models.ForeignKey(
        Township, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("home township")
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, null=True, blank=True, related_name="verification_claims",
        verbose_name=_("reviewing branch"),
    )
    front_photo = models.FileField(
        _("ID card, front"), storage=private_storage, upload_to=id_photo_path, blank=True
    )
    back_photo = models.FileField(
        _("ID card, back"), storage=private_storage, upload_to=id_photo_path, blank=True
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    member = models.ForeignKey(
        Member, on_delete=models.SET_NULL, null=True, blank=True, related_name="verification_claims",
        verbose_name=_("member"),
    )
    conflicting_member = models.ForeignKey(
        Member, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("member already holding this ID number"),
    )
    reason = models.TextField(_("reason given to the member"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("decided by"),
    )
    photos_deleted_at = models.DateTimeField(_("photos deleted at"), null=True, blank=True)
    displaced_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("account that lost the member record"),
        help_text=_("Set when county staff moved the member record from another account to this one."),
    )

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        verbose_name = _("verification claim")
        verbose_name_plural = _("verification claims")
        indexes = [models.Index(fields=["organization", "status"])]
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(status__in=["pending", "more_info", "conflict"]),
                name="claim_one_open_per_user",
            ),
        ]

    def __str__(self):
        return f"{self.name} · {self.get_status_display()}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN


class PersonalDataAccess(models.Model):
    """Written each time an officer unmasks a member's ID or phone number: who, whose, when, why."""

    class Field(models.TextChoices):
        ID_NUMBER = "id_number", _("ID number")
        PHONE = "phone", _("mobile number")

    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("officer")
    )
    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="personal_data_accesses", verbose_name=_("member")
    )
    field = models.CharField(_("field"), max_length=10, choices=Field.choices)
    reason = models.CharField(_("reason"), max_length=200)
    accessed_at = models.DateTimeField(_("accessed at"), default=timezone.now)

    class Meta:
        ordering = ["-accessed_at", "-pk"]
        verbose_name = _("personal data access")
        verbose_name_plural = _("personal data accesses")

    def __str__(self):
        return f"{self.officer} · {self.member} · {self.get_field_display()}"


class Article9Notice(models.Model):
    """A warning under Party Constitution art. 9 (6 months without dues or meetings): recorded once per
    member, cause and month so that it is sent once. The portal never acts on it by itself."""

    class Cause(models.TextChoices):
        MEETINGS = "meetings", _("missed meetings")
        DUES = "dues", _("unpaid dues")

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="article9_notices")
    cause = models.CharField(_("cause"), max_length=10, choices=Cause.choices)
    month = models.DateField(_("month"), help_text=_("The first day of the month the notice is about."))
    months = models.PositiveSmallIntegerField(_("consecutive months"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-month", "member"]
        verbose_name = _("article 9 notice")
        verbose_name_plural = _("article 9 notices")
        constraints = [
            models.UniqueConstraint(fields=["member", "cause", "month", "months"], name="article9_once"),
        ]

    def __str__(self):
        return f"{self.member} · {self.get_cause_display()} · {self.month:%Y-%m}"


class Transfer(models.Model):
    """A membership transfer (组织关系转接): request → sending branch approves and issues the letter →
    receiver accepts (or an officer records the returned receipt slip) → the membership moves.

    One side may be outside the portal: then it is named by `from_outside` / `to_outside`."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("waiting for the sending branch")
        REJECTED = "rejected", _("rejected by the sending branch")
        WITHDRAWN = "withdrawn", _("withdrawn by the member")
        IN_TRANSIT = "in_transit", _("letter issued, waiting for the receiver")
        REFUSED = "refused", _("rejected by the receiving organization")
        EXPIRED = "expired", _("letter expired, waiting for reissue")
        CANCELLED = "cancelled", _("cancelled by the sending branch")
        COMPLETED = "completed", _("completed")

    OPEN = (Status.REQUESTED, Status.IN_TRANSIT, Status.EXPIRED)

    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="transfers", verbose_name=_("member")
    )
    from_organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, null=True, blank=True, related_name="transfers_out",
        verbose_name=_("from organization"),
    )
    from_outside = models.CharField(_("from an organization outside the portal"), max_length=100, blank=True)
    to_organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, null=True, blank=True, related_name="transfers_in",
        verbose_name=_("to organization"),
    )
    to_outside = models.CharField(_("to an organization outside the portal"), max_length=100, blank=True)
    to_outside_address = models.CharField(_("its address"), max_length=200, blank=True)
    work_place = models.ForeignKey(
        WorkPlace, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("new work city"),
    )
    employer = models.CharField(_("new employer"), max_length=100, blank=True)
    reason = models.TextField(_("reason for the transfer"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.REQUESTED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("accepted or ended by"),
    )
    closed_at = models.DateTimeField(_("accepted or ended at"), null=True, blank=True)
    closing_reason = models.TextField(_("reason given"), blank=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    receipt_returned_on = models.DateField(_("receipt slip returned on"), null=True, blank=True)
    outside_letter_number = models.CharField(_("number of the letter received"), max_length=50, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("membership transfer")
        verbose_name_plural = _("membership transfers")
        indexes = [
            models.Index(fields=["from_organization", "status"]),
            models.Index(fields=["to_organization", "status"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(from_organization__isnull=True, from_outside__gt="")
                | Q(from_organization__isnull=False, from_outside=""),
                name="transfer_one_sender",
            ),
            models.CheckConstraint(
                condition=Q(to_organization__isnull=True, to_outside__gt="")
                | Q(to_organization__isnull=False, to_outside=""),
                name="transfer_one_receiver",
            ),
            models.CheckConstraint(
                condition=~Q(from_organization=models.F("to_organization")), name="transfer_moves",
            ),
            models.UniqueConstraint(
                fields=["member"], condition=Q(status__in=["requested", "in_transit", "expired"]),
                name="transfer_one_open_per_member",
            ),
        ]

    def __str__(self):
        return f"{self.member} · {self.from_name} → {self.to_name}"

    @property
    def from_name(self) -> str:
        return self.from_organization.name if self.from_organization_id else self.from_outside

    @property
    def to_name(self) -> str:
        return self.to_organization.name if self.to_organization_id else self.to_outside

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN


def letter_pdf_path(letter, filename: str) -> str:
    return f"letters/{letter.issued_on:%Y}/{uuid.uuid4().hex}.pdf"


class IntroductionLetter(EncryptedIdNumber, EncryptedPhone, models.Model):
    """The numbered letter that carries a transfer: stub, letter and receipt slip share its serial.

    Its fields are copied when it is issued, so later edits to the roster never change a letter."""

    class Status(models.TextChoices):
        VALID = "valid", _("valid")
        USED = "used", _("used: the transfer is complete")
        EXPIRED = "expired", _("expired")
        CANCELLED = "cancelled", _("cancelled")

    MAX_VALIDITY_DAYS = 90

    transfer = models.ForeignKey(Transfer, on_delete=models.PROTECT, related_name="letters")
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="letters_issued", verbose_name=_("issued by"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveIntegerField(_("number"))
    check_code = models.CharField(_("check code"), max_length=16, unique=True, editable=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.VALID)
    name = models.CharField(_("full name"), max_length=50)
    sex = models.CharField(_("sex"), max_length=6, choices=Member.Sex.choices)
    age = models.PositiveSmallIntegerField(_("age"))
    ethnicity = models.CharField(_("ethnicity"), max_length=20)
    member_status = models.CharField(_("status"), max_length=12, choices=Member.Status.choices)
    id_number_encrypted = models.TextField(_("ID number (encrypted)"), editable=False)
    id_number_digest = models.CharField(max_length=64, editable=False, db_index=True)
    phone_encrypted = models.TextField(_("mobile number (encrypted)"), blank=True, editable=False)
    phone_digest = models.CharField(max_length=64, blank=True, editable=False)
    from_name = models.CharField(_("from organization"), max_length=100)
    to_name = models.CharField(_("to organization"), max_length=100)
    to_address = models.CharField(_("receiver's address"), max_length=200, blank=True)
    dues_paid_up_to = models.DateField(
        _("dues paid up to"), null=True, blank=True, help_text=_("The first day of the last month paid."),
    )
    validity_days = models.PositiveSmallIntegerField(_("valid for (days)"))
    issued_on = models.DateField(_("issued on"))
    valid_until = models.DateField(_("valid until"))
    sender_address = models.CharField(_("sender's address"), max_length=200, blank=True)
    sender_postcode = models.CharField(_("sender's postcode"), max_length=6, blank=True)
    sender_phone = models.CharField(_("sender's phone"), max_length=20, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("issued by"),
    )
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    ended_at = models.DateTimeField(_("used, expired or cancelled at"), null=True, blank=True)
    last_reminded_on = models.DateField(_("receiver last reminded on"), null=True, blank=True)
    pdf = models.FileField(_("PDF"), storage=private_storage, upload_to=letter_pdf_path, blank=True)
    pdf_made_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-issued_at", "-pk"]
        verbose_name = _("introduction letter")
        verbose_name_plural = _("introduction letters")
        constraints = [
            models.UniqueConstraint(fields=["organization", "year", "number"], name="letter_serial_unique"),
            models.UniqueConstraint(
                fields=["transfer"], condition=Q(status="valid"), name="letter_one_valid_per_transfer"
            ),
            models.CheckConstraint(
                condition=Q(validity_days__gte=1, validity_days__lte=90),
                name="letter_validity_at_most_90_days",
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="letter_number_positive"),
        ]

    def __str__(self):
        return self.serial

    @property
    def serial(self) -> str:
        return f"{self.organization.code}-{self.year}-{self.number:04d}"


class MembershipPeriod(models.Model):
    """A finished stretch of membership at one organization. The current one is the member's
    `organization` since `member_since`; when a transfer completes it is closed into a row here."""

    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="membership_periods", verbose_name=_("member")
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("organization"),
    )
    outside_organization = models.CharField(_("organization outside the portal"), max_length=100, blank=True)
    started_on = models.DateField(_("from"), null=True, blank=True, help_text=_("Empty when not known."))
    ended_on = models.DateField(_("to"))
    transfer = models.ForeignKey(
        Transfer, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("ended by transfer"),
    )

    class Meta:
        ordering = ["ended_on", "pk"]
        verbose_name = _("membership period")
        verbose_name_plural = _("membership periods")
        constraints = [
            models.CheckConstraint(
                condition=Q(started_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="period_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(organization__isnull=True, outside_organization__gt="")
                | Q(organization__isnull=False, outside_organization=""),
                name="period_one_organization",
            ),
        ]

    def __str__(self):
        return f"{self.member} · {self.organization_name}"

    @property
    def organization_name(self) -> str:
        return self.organization.name if self.organization_id else self.outside_organization


class ActivityCard(models.Model):
    """A 流动党员活动证: the holder joins a host branch's life for up to 6 months without voting there,
    and stays on the home branch's roster."""

    class EndReason(models.TextChoices):
        EXPIRED = "expired", _("reached its end date")
        RETURNED = "returned", _("the member returned")
        TRANSFERRED = "transferred", _("the membership was transferred")

    MAX_MONTHS = 6

    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="activity_cards", verbose_name=_("member")
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="activity_cards_issued",
        verbose_name=_("home branch"),
    )
    host_organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="activity_card_guests",
        verbose_name=_("host branch"),
    )
    reason = models.CharField(_("reason"), max_length=200)
    starts_on = models.DateField(_("valid from"))
    ends_on = models.DateField(_("valid until"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("issued by"),
    )
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    end_reason = models.CharField(_("ended because"), max_length=12, choices=EndReason.choices, blank=True)

    class Meta:
        ordering = ["-starts_on", "-pk"]
        verbose_name = _("activity card")
        verbose_name_plural = _("activity cards")
        indexes = [models.Index(fields=["host_organization", "ended_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="card_ends_after_start"
            ),
            models.CheckConstraint(
                condition=~Q(host_organization=models.F("organization")), name="card_host_elsewhere"
            ),
            models.UniqueConstraint(
                fields=["member"], condition=Q(ended_on__isnull=True), name="card_one_open_per_member"
            ),
        ]

    def __str__(self):
        return f"{self.member} · {self.host_organization}"
