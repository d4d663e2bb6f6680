from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from branches.models import Organization
from members.models import Member, private_storage

MONEY = {"max_digits": 12, "decimal_places": 2}


class Category(models.TextChoices):
    EMPLOYED = "employed", _("employed")
    RETIRED = "retired", _("retired")
    FARMER = "farmer", _("farmer")
    REDUCED = "reduced", _("student, unemployed or on relief")


class RateBracket(models.Model):
    """One row of the 2008 dues table, in force from a date: a future change of rates is a new row.

    A bracket covers bases above `lower` (exclusive; empty = from zero) up to `upper` (inclusive;
    empty = no limit) and charges `rate` of the whole base, or a fixed monthly amount.
    """

    category = models.CharField(_("category"), max_length=10, choices=Category.choices)
    effective_from = models.DateField(_("in force from"))
    lower = models.DecimalField(_("base above"), null=True, blank=True, **MONEY)
    upper = models.DecimalField(_("base up to"), null=True, blank=True, **MONEY)
    rate = models.DecimalField(_("rate"), max_digits=6, decimal_places=4, null=True, blank=True)
    fixed_amount = models.DecimalField(_("fixed monthly amount"), null=True, blank=True, **MONEY)

    class Meta:
        ordering = ["category", "-effective_from", "lower"]
        verbose_name = _("dues bracket")
        verbose_name_plural = _("dues brackets")
        constraints = [
            models.CheckConstraint(
                condition=Q(rate__isnull=False, fixed_amount__isnull=True)
                | Q(rate__isnull=True, fixed_amount__isnull=False),
                name="bracket_rate_or_fixed",
            ),
            models.UniqueConstraint(
                fields=["category", "effective_from", "lower"], name="bracket_unique"
            ),
        ]

    def __str__(self):
        return f"{self.get_category_display()} {self.lower or 0}–{self.upper or '∞'}"


class YearlyBase(models.Model):
    """A member's declared dues base for a year, and the monthly amount fixed from it."""

    class Status(models.TextChoices):
        DECLARED = "declared", _("declared, waiting for the branch")
        APPROVED = "approved", _("approved")

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="dues_bases")
    year = models.PositiveSmallIntegerField(_("year"))
    category = models.CharField(_("category"), max_length=10, choices=Category.choices)
    declared_base = models.DecimalField(_("declared monthly base"), **MONEY)
    declared_at = models.DateTimeField(_("declared at"), default=timezone.now)
    base = models.DecimalField(_("approved monthly base"), null=True, blank=True, **MONEY)
    monthly_amount = models.DecimalField(_("monthly dues"), null=True, blank=True, **MONEY)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DECLARED)
    owes_from = models.DateField(
        _("owes from"), null=True, blank=True,
        help_text=_("First month owed this year, e.g. the month a probationary member was accepted."),
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-year", "member"]
        verbose_name = _("yearly dues base")
        verbose_name_plural = _("yearly dues bases")
        constraints = [models.UniqueConstraint(fields=["member", "year"], name="base_once_a_year")]

    def __str__(self):
        return f"{self.member} · {self.year}"


class BaseChange(models.Model):
    """A mid-year change of a member's monthly amount, made by an officer with a reason."""

    yearly_base = models.ForeignKey(YearlyBase, on_delete=models.CASCADE, related_name="changes")
    old_amount = models.DecimalField(**MONEY)
    new_amount = models.DecimalField(**MONEY)
    from_month = models.DateField(_("from month"))
    reason = models.CharField(_("reason"), max_length=200)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-changed_at"]
        verbose_name = _("dues change")
        verbose_name_plural = _("dues changes")

    def __str__(self):
        return f"{self.yearly_base}: {self.old_amount} → {self.new_amount}"


class BranchDuesPolicy(models.Model):
    organization = models.OneToOneField(Organization, on_delete=models.CASCADE, related_name="dues_policy")
    quarterly_allowed = models.BooleanField(_("quarterly payment agreed"), default=False)

    class Meta:
        verbose_name = _("branch dues policy")
        verbose_name_plural = _("branch dues policies")

    def __str__(self):
        return str(self.organization)


class Payment(models.Model):
    """Money received: online through a gateway, or recorded by an officer. Append-only."""

    class Method(models.TextChoices):
        ONLINE = "online", _("online")
        CASH = "cash", _("cash")
        BANK_TRANSFER = "bank_transfer", _("bank transfer")

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="dues_payments")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="dues_payments")
    amount = models.DecimalField(_("amount"), **MONEY)
    voluntary_amount = models.DecimalField(_("of which voluntary"), default=0, **MONEY)
    flagged_for_reporting = models.BooleanField(_("reported upward"), default=False)
    method = models.CharField(_("method"), max_length=14, choices=Method.choices)
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    paid_at = models.DateTimeField(_("paid at"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    receipt_number = models.CharField(_("receipt number"), max_length=32, unique=True)
    receipt_check = models.CharField(max_length=32, editable=False)
    receipt_file = models.FileField(storage=private_storage, upload_to="receipts/%Y/", blank=True)
    receipt_generated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-paid_at", "-pk"]
        verbose_name = _("dues payment")
        verbose_name_plural = _("dues payments")

    def __str__(self):
        return self.receipt_number


class Bill(models.Model):
    """The dues a member owes for one month; paid exactly once."""

    class Status(models.TextChoices):
        UNPAID = "unpaid", _("unpaid")
        PAID = "paid", _("paid")

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="dues_bills")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="dues_bills")
    period = models.DateField(_("month"), help_text=_("The first day of the month."))
    amount = models.DecimalField(_("amount"), **MONEY)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.UNPAID)
    payment = models.ForeignKey(
        Payment, on_delete=models.PROTECT, null=True, blank=True, related_name="bills"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-period", "member"]
        verbose_name = _("dues bill")
        verbose_name_plural = _("dues bills")
        indexes = [models.Index(fields=["organization", "period", "status"])]
        constraints = [
            models.UniqueConstraint(fields=["member", "period"], name="bill_once_a_month"),
            models.CheckConstraint(
                condition=Q(status="unpaid", payment__isnull=True) | Q(status="paid", payment__isnull=False),
                name="bill_paid_has_payment",
            ),
        ]

    def __str__(self):
        return f"{self.member} · {self.period:%Y-%m}"


class PaymentOrder(models.Model):
    """An online order at a payment gateway, for some bills and an optional voluntary amount."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting for payment")
        PAID = "paid", _("paid")
        FAILED = "failed", _("failed")
        CLOSED = "closed", _("closed")
        REFUNDED = "refunded", _("refunded")
        # Its bills were paid already and the gateway did not refund it: an officer must act.
        REFUND_FAILED = "refund_failed", _("refund failed")
        # An officer returned the money outside the gateway and recorded how.
        REFUNDED_BY_HAND = "refunded_by_hand", _("refunded by hand")

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="dues_orders")
    gateway = models.CharField(max_length=30)
    out_trade_no = models.CharField(max_length=40, unique=True)
    gateway_trade_no = models.CharField(max_length=64, unique=True, null=True, blank=True)
    bills = models.ManyToManyField(Bill, related_name="orders", blank=True)
    amount = models.DecimalField(**MONEY)
    voluntary_amount = models.DecimalField(default=0, **MONEY)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    payment = models.OneToOneField(
        Payment, on_delete=models.PROTECT, null=True, blank=True, related_name="order"
    )
    refund_error = models.CharField(_("why the refund failed"), max_length=200, blank=True)
    refund_settled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    refund_settled_at = models.DateTimeField(_("returned by hand at"), null=True, blank=True)
    refund_settled_note = models.CharField(_("how the money was returned"), max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("payment order")
        verbose_name_plural = _("payment orders")
        indexes = [models.Index(fields=["status", "created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="refunded_by_hand") | Q(
                    refund_settled_by__isnull=False, refund_settled_at__isnull=False
                ) & ~Q(refund_settled_note=""),
                name="order_refunded_by_hand_recorded",
            ),
        ]

    def __str__(self):
        return self.out_trade_no


class GatewayNotification(models.Model):
    """Every callback a gateway sent, kept as received, with what we made of it."""

    gateway = models.CharField(max_length=30)
    order = models.ForeignKey(PaymentOrder, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    payload = models.JSONField()
    signature_valid = models.BooleanField()
    outcome = models.CharField(max_length=40)
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-received_at"]

    def __str__(self):
        return f"{self.gateway} · {self.outcome}"
