"""Online ballots (网上票决): resolutions, committee elections and polls.

Who voted and what was voted are kept apart. `VoteRecord` says that a member voted (no choice, no
time); `BallotPaper` holds one cast paper (no voter, no time but the ballot's date, a random id).
Papers are blank slots made in random order when the ballot opens, one per elector, and each cast
fills one at random, so neither ids nor row order follow the order of casting.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from branches.models import Organization
from members.models import Member, private_storage


class Ballot(models.Model):
    class Kind(models.TextChoices):
        RESOLUTION = "resolution", _("resolution")
        ELECTION = "election", _("committee election")
        POLL = "poll", _("poll")

    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("ballot status", "draft")
        OPEN = "open", pgettext_lazy("ballot status", "open")
        CLOSED = "closed", pgettext_lazy("ballot status", "closed")
        PUBLISHED = "published", pgettext_lazy("ballot status", "published")

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="ballots", verbose_name=_("organization")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    opens_at = models.DateTimeField(_("voting opens at"))
    closes_at = models.DateTimeField(_("voting closes at"))
    seats = models.PositiveSmallIntegerField(_("seats"), null=True, blank=True)
    extra_candidates_percent = models.PositiveSmallIntegerField(
        _("at least this many percent more candidates than seats"), default=20
    )
    max_choices = models.PositiveSmallIntegerField(
        _("most options a voter may choose"), default=1, help_text=_("1 for a single-choice poll.")
    )
    runoff_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="runoffs",
        verbose_name=_("run-off of"),
    )
    electorate_size = models.PositiveIntegerField(_("electorate"), null=True, blank=True, editable=False)
    participants = models.PositiveIntegerField(_("took part"), null=True, blank=True, editable=False)
    result = models.JSONField(_("result"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    record_pdf = models.FileField(
        _("result record (PDF)"), storage=private_storage, upload_to="ballots/", blank=True, editable=False
    )

    class Meta:
        ordering = ["-opens_at", "-pk"]
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")
        indexes = [
            models.Index(fields=["organization", "status"]),
            models.Index(fields=["status", "closes_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")), name="ballot_closes_after_opening"
            ),
            models.CheckConstraint(
                condition=~Q(kind="election") | Q(seats__gte=1), name="ballot_election_has_seats"
            ),
            models.CheckConstraint(condition=Q(max_choices__gte=1), name="ballot_max_choices_positive"),
        ]

    def __str__(self):
        return self.title

    @property
    def ballot_date(self):
        """The only date a cast paper carries: the day voting opens."""
        return timezone.localdate(self.opens_at)

    @property
    def is_accepting(self) -> bool:
        now = timezone.now()
        return self.status == self.Status.OPEN and self.opens_at <= now < self.closes_at


class Option(models.Model):
    """A candidate of an election or a choice of a poll. Resolutions have none: for, against, abstain."""

    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="options")
    label = models.CharField(_("name"), max_length=100)
    position = models.PositiveSmallIntegerField(_("order"))
    member = models.ForeignKey(
        Member, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("member")
    )

    class Meta:
        ordering = ["ballot", "position", "pk"]
        verbose_name = _("option")
        verbose_name_plural = _("options")
        constraints = [models.UniqueConstraint(fields=["ballot", "position"], name="option_position_unique")]

    def __str__(self):
        return self.label


class Elector(models.Model):
    """One member of the electorate, frozen when the ballot opens."""

    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="electors")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("elector")
        verbose_name_plural = _("electors")
        constraints = [models.UniqueConstraint(fields=["ballot", "member"], name="elector_once")]

    def __str__(self):
        return f"{self.member_id} · {self.ballot_id}"


class VoteRecord(models.Model):
    """That a member voted: the who-voted side. No choice and no time; a random id."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="vote_records")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("vote record")
        verbose_name_plural = _("vote records")
        constraints = [models.UniqueConstraint(fields=["ballot", "member"], name="vote_once_per_member")]

    def __str__(self):
        return f"{self.member_id} · {self.ballot_id}"


class BallotPaper(models.Model):
    """One paper: blank until cast. The what-was-voted side: no voter, no time but the ballot's date."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="papers")
    cast_on = models.DateField(_("ballot date"))
    receipt = models.CharField(_("receipt code"), max_length=16, null=True, blank=True, unique=True)
    content = models.JSONField(_("content"), null=True, blank=True)
    valid = models.BooleanField(_("valid"), null=True, blank=True)

    class Meta:
        verbose_name = _("ballot paper")
        verbose_name_plural = _("ballot papers")
        indexes = [models.Index(fields=["ballot", "receipt"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(receipt__isnull=True, content__isnull=True, valid__isnull=True)
                | Q(receipt__isnull=False, content__isnull=False, valid__isnull=False),
                name="paper_blank_or_cast",
            ),
        ]

    def __str__(self):
        return self.receipt or "—"
