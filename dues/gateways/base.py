"""The payment-gateway interface. Adding a real provider means writing one subclass and naming it in
the `DUES_GATEWAYS` setting."""

from decimal import Decimal


class NotificationInvalid(Exception):
    """A callback that fails verification (bad signature, missing fields): nothing is changed."""


class Gateway:
    name = ""

    def __init__(self, **options):
        self.options = options

    def create_order(self, order) -> str:
        """Register the order with the provider; return the URL the member is sent to for paying."""
        raise NotImplementedError

    def verify_notification(self, payload: dict) -> dict:
        """Check a callback's signature and return the verified fields:
        `out_trade_no`, `gateway_trade_no`, `amount` (Decimal) and `status` ("paid" or "failed").
        Raise NotificationInvalid otherwise."""
        raise NotImplementedError

    def query_order(self, order) -> dict:
        """Ask the provider about an order: the same fields as `verify_notification`, with status
        "paid", "failed", "pending" or "unknown"."""
        raise NotImplementedError

    def refund(self, order, amount: Decimal) -> dict:
        """Return `amount` of a paid order to the payer."""
        raise NotImplementedError
