"""The points ledger and its rules (DOMAIN.md, "Democratic appraisal and points")."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from branches.models import Organization
from members.models import Member


class PointRule(models.Model):
    """How many points an action earns, per organization (and its subtree) and year; configurable.

    A rule with no organization is the default for everyone.
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, null=True, blank=True, related_name="point_rules",
        verbose_name=_("organization"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    code = models.CharField(_("rule"), max_length=40)
    name = models.CharField(_("name"), max_length=100)
    points = models.PositiveSmallIntegerField(_("points"))
    daily_cap = models.PositiveSmallIntegerField(
        _("most points a day"), null=True, blank=True, help_text=_("Empty: no daily cap.")
    )

    class Meta:
        ordering = ["year", "code"]
        verbose_name = _("points rule")
        verbose_name_plural = _("points rules")
        constraints = [
            models.UniqueConstraint(fields=["organization", "year", "code"], name="point_rule_unique"),
        ]

    def __str__(self):
        return f"{self.display_name} ({self.year})"

    @property
    def display_name(self) -> str:
        """The default rules' names are in the catalogue; names officers type are shown as typed."""
        return gettext(self.name)


class PointEntry(models.Model):
    """An append-only ledger line: who earned how many points, by which rule, for what, and when."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="point_entries")
    rule = models.ForeignKey(PointRule, on_delete=models.PROTECT, related_name="entries")
    amount = models.SmallIntegerField(_("points"))
    source_type = models.ForeignKey("contenttypes.ContentType", on_delete=models.PROTECT, related_name="+")
    source_id = models.PositiveBigIntegerField()
    awarded_at = models.DateTimeField(_("awarded at"), default=timezone.now)
    awarded_on = models.DateField(_("day"))

    class Meta:
        ordering = ["-awarded_at", "-pk"]
        verbose_name = _("points entry")
        verbose_name_plural = _("points entries")
        indexes = [models.Index(fields=["member", "awarded_on"])]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "rule", "source_type", "source_id"], name="points_once_per_source"
            ),
        ]

    def __str__(self):
        return f"{self.member} · {self.amount}"
