"""The meetings app's two calls into the members app: notifications and points."""

from members.notifications.services import notification_send
from members.points.services import points_award


def send(*, recipients, kind: str, title: str, body: str = "", url: str = "", urgent: bool = False) -> None:
    notification_send(recipients=recipients, kind=kind, title=title, body=body, url=url, urgent=urgent)


def award(*, member, code: str, source, when=None) -> None:
    points_award(member=member, code=code, source=source, when=when)
