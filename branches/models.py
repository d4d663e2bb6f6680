from django.db import models
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node


class Township(models.Model):
    """A home township (乡镇/街道) members come from; neighbours are adjacent townships."""

    name = models.CharField(_("name"), max_length=50, unique=True)
    code = models.CharField(_("code"), max_length=20, unique=True)
    neighbours = models.ManyToManyField("self", symmetrical=True, blank=True, verbose_name=_("neighbours"))

    class Meta:
        ordering = ["code"]
        verbose_name = _("township")
        verbose_name_plural = _("townships")

    def __str__(self):
        return self.name


class WorkPlace(models.Model):
    """A city or district where mobile members work."""

    name = models.CharField(_("name"), max_length=50, unique=True)
    province = models.CharField(_("province"), max_length=20)

    class Meta:
        ordering = ["province", "name"]
        verbose_name = _("work place")
        verbose_name_plural = _("work places")

    def __str__(self):
        return self.name


class Organization(MP_Node):
    """A node of the Party organization tree: city or county committee, general branch, branch."""

    class Kind(models.TextChoices):
        CITY_COMMITTEE = "city_committee", _("city committee")
        COUNTY_COMMITTEE = "county_committee", _("county committee")
        GENERAL_BRANCH = "general_branch", _("general branch")
        BRANCH = "branch", _("branch")
        UNIVERSITY = "university", _("university Party organization")

    name = models.CharField(_("name"), max_length=100)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    code = models.CharField(_("code"), max_length=30, unique=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode"), max_length=6, blank=True)
    phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    email = models.EmailField(_("contact email"), blank=True)
    work_places = models.ManyToManyField(
        WorkPlace, blank=True, related_name="organizations", verbose_name=_("work places served")
    )
    home_townships = models.ManyToManyField(
        Township, blank=True, related_name="organizations", verbose_name=_("home townships taken")
    )

    node_order_by = ["code"]

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")

    def __str__(self):
        return self.name

    @property
    def display_name(self) -> str:
        return self.short_name or self.name

    @property
    def is_branch(self) -> bool:
        return self.kind == self.Kind.BRANCH
